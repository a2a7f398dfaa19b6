/**
 * Shared pieces of the round-trip tests: the GGUF files to use (the shared llama.cpp
 * outputs when present, plus the example model in the repo), sha256 of a file, and a
 * writer input built from @huggingface/gguf's parse of a file (an independent reader).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GGUFValueType as T, tensorBytes } from '@ggufkit/tensor-layout';
import type { GGUFArray, GGUFMetadataEntry, HeaderToWrite, TensorToWrite } from '@ggufkit/gguf';
import { exampleModel, repoRoot, sharedGGUFFiles, sharedModels } from './reader-fixtures.js';

export { exampleModel, repoRoot, sharedGGUFFiles, sharedModels };

/** The files every round-trip test covers, with a warning when the shared ones are missing. */
export function roundTripFiles(suite: string): string[] {
  const shared = sharedGGUFFiles();
  if (shared.length === 0) console.warn(`${suite}: ${sharedModels} is absent; only the example model is round-tripped`);
  return [...shared, ...(fs.existsSync(exampleModel) ? [exampleModel] : [])];
}

/** A short label for test names. */
export function label(file: string): string {
  return path.relative(repoRoot, file);
}

/** sha256 of a whole file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

const TYPED: Record<number, (v: unknown[]) => GGUFArray['values']> = {
  [T.UINT8]: (v) => Uint8Array.from(v as number[]),
  [T.INT8]: (v) => Int8Array.from(v as number[]),
  [T.UINT16]: (v) => Uint16Array.from(v as number[]),
  [T.INT16]: (v) => Int16Array.from(v as number[]),
  [T.UINT32]: (v) => Uint32Array.from(v as number[]),
  [T.INT32]: (v) => Int32Array.from(v as number[]),
  [T.FLOAT32]: (v) => Float32Array.from(v as number[]),
  [T.FLOAT64]: (v) => Float64Array.from(v as number[]),
  [T.UINT64]: (v) => BigUint64Array.from(v as bigint[]),
  [T.INT64]: (v) => BigInt64Array.from(v as bigint[]),
  [T.BOOL]: (v) => v as boolean[] as never,
  [T.STRING]: (v) => v as string[] as never,
};

type HFTyped = Record<string, { value: unknown; type: number; subType?: number }>;
type HFParse = {
  typedMetadata: HFTyped;
  tensorInfos: Array<{ name: string; shape: bigint[]; dtype: number; offset: bigint }>;
  tensorDataOffset: bigint;
  littleEndian: boolean;
};

/**
 * Writer input rebuilt from @huggingface/gguf's parse of `file` (header values typed by
 * its `typedMetadata`), with tensor bytes read from the file when written.
 */
export async function writerInputFromHF(file: string): Promise<{ header: HeaderToWrite; tensors: TensorToWrite[]; close(): Promise<void> }> {
  const { gguf } = await import('@huggingface/gguf');
  const parsed = (await gguf(file, { allowLocalFile: true, typedMetadata: true })) as unknown as HFParse;
  const metadata: GGUFMetadataEntry[] = [];
  let version = 3;
  for (const [key, e] of Object.entries(parsed.typedMetadata)) {
    if (key === 'version') {
      version = e.value as number;
      continue;
    }
    if (key === 'tensor_count' || key === 'kv_count') continue;
    if (e.type === T.ARRAY) {
      const values = TYPED[e.subType!]!(e.value as unknown[]);
      metadata.push({ key, type: T.ARRAY, value: { itemType: e.subType, values } as GGUFArray });
    } else {
      metadata.push({ key, type: e.type as GGUFMetadataEntry['type'], value: e.value as GGUFMetadataEntry['value'] });
    }
  }
  const handle = await fs.promises.open(file, 'r');
  const dataStart = Number(parsed.tensorDataOffset);
  const tensors: TensorToWrite[] = parsed.tensorInfos.map((t) => {
    const ne = t.shape.map(Number);
    return {
      name: t.name,
      ne,
      type: t.dtype,
      data: async () => {
        const buf = new Uint8Array(tensorBytes(t.dtype, ne));
        await handle.read(buf, 0, buf.length, dataStart + Number(t.offset));
        return buf;
      },
    };
  });
  return { header: { version, bigEndian: !parsed.littleEndian, metadata }, tensors, close: () => handle.close() };
}
