/**
 * Finds and opens the weight files of a Hugging Face folder the way llama.cpp's converter
 * does: `model*.safetensors` parts (sorted by name), else `pytorch_model*.bin` parts, with
 * the `*.index.json` weight map checked against what the parts really contain.
 */
import type { ModelDirectory } from '../io/model-dir.js';
import { readJsonFile } from '../io/model-dir.js';
import type { ByteReader } from '../io/byte-reader.js';
import { CheckpointFormatError, openSafetensors } from './safetensors.js';
import { compareCodePoints, type Checkpoint, type CheckpointTensor } from './tensor.js';
import { openPytorchBin } from './pytorch.js';

/** Part files of a checkpoint, sorted as llama.cpp sorts them. */
export async function findCheckpointParts(dir: ModelDirectory): Promise<{ kind: 'safetensors' | 'pytorch'; parts: string[] }> {
  const files = await dir.list();
  const pick = (prefix: string, suffix: string) =>
    files.filter((f) => f.startsWith(prefix) && f.endsWith(suffix)).sort(compareCodePoints);
  const st = pick('model', '.safetensors');
  if (st.length > 0) return { kind: 'safetensors', parts: st };
  const pt = pick('pytorch_model', '.bin');
  if (pt.length > 0) return { kind: 'pytorch', parts: pt };
  throw new RangeError(`${dir.name}: no model*.safetensors or pytorch_model*.bin weight files found`);
}

/** Opens every part of the checkpoint in `dir` and lists its tensors in conversion order. */
export async function openCheckpoint(dir: ModelDirectory): Promise<Checkpoint> {
  const { kind, parts } = await findCheckpointParts(dir);
  const indexName = kind === 'safetensors' ? 'model.safetensors.index.json' : 'pytorch_model.bin.index.json';
  const index = await readJsonFile(dir, indexName);
  let weightMap: Record<string, string> | undefined;
  if (index !== undefined) {
    const wm = (index as { weight_map?: unknown }).weight_map;
    if (typeof wm !== 'object' || wm === null || Array.isArray(wm)) throw new CheckpointFormatError(`${dir.name}/${indexName}`, `has no "weight_map" object`);
    weightMap = wm as Record<string, string>;
    for (const [t, f] of Object.entries(weightMap)) {
      if (typeof f !== 'string') throw new CheckpointFormatError(`${dir.name}/${indexName}`, `weight_map entry for "${t}" is not a file name`);
    }
  }
  const readers: ByteReader[] = [];
  const tensors: CheckpointTensor[] = [];
  const seen = new Map<string, string>();
  try {
    for (const part of parts) {
      const reader = await dir.open(part);
      readers.push(reader);
      const partTensors = kind === 'safetensors' ? (await openSafetensors(reader)).tensors : await openPytorchBin(reader);
      for (const t of partTensors) {
        const other = seen.get(t.name);
        if (other !== undefined) throw new CheckpointFormatError(reader.name, `also present in ${other}`, t.name);
        seen.set(t.name, reader.name);
        tensors.push(t);
      }
    }
    if (weightMap) {
      const fromIndex = new Set(Object.keys(weightMap));
      const missing = [...fromIndex].filter((n) => !seen.has(n)).sort(compareCodePoints);
      const extra = [...seen.keys()].filter((n) => !fromIndex.has(n)).sort(compareCodePoints);
      if (missing.length > 0 || extra.length > 0) {
        const missingFiles = [...new Set(missing.map((n) => weightMap![n]!))].sort(compareCodePoints);
        throw new CheckpointFormatError(`${dir.name}/${indexName}`,
          extra.length === 0
            ? `missing or incomplete model files ${JSON.stringify(missingFiles)}; missing tensors: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''}`
            : `weight map and model parts disagree; missing tensors: [${missing.slice(0, 10).join(', ')}], extra tensors: [${extra.slice(0, 10).join(', ')}]`);
      }
    }
  } catch (e) {
    await Promise.all(readers.map((r) => r.close?.()));
    throw e;
  }
  return {
    tensors,
    close: async () => { await Promise.all(readers.map((r) => r.close?.())); },
  };
}
