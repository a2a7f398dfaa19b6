/** Reading a GGUF model into a ready-to-run Transformer. */
import { Metadata, type ModelFile } from './model-file.js';
import { readHParams, type HParams } from './hparams.js';
import { loadWeights, plannedBytes, plannedTensors } from './weights.js';
import { Transformer, stateBytes } from './transformer.js';
import { EngineMemory, MAX_WASM_BYTES, formatBytes } from '../wasm/memory.js';
import type { WasmSource } from '../wasm/module.js';

export interface LoadTransformerOptions {
  /** KV cache length in tokens (default: the training context, at most 4096). */
  contextLength?: number;
  /** Tokens per forward step (default 64). */
  batchSize?: number;
  /** The compiled kernels, when not at their default location. */
  wasm?: WasmSource;
  onProgress?: (loaded: number, total: number) => void;
}

export interface LoadedTransformer {
  readonly transformer: Transformer;
  readonly hparams: HParams;
  readonly metadata: Metadata;
  readonly memory: EngineMemory;
}

/** Plans memory, checks it fits wasm32, loads the weights and builds the Transformer. */
export async function loadTransformer(file: ModelFile, name: string, opts: LoadTransformerOptions = {}): Promise<LoadedTransformer> {
  const md = new Metadata(file, name);
  const hp = readHParams(md, name);
  const tensors = plannedTensors(hp, file, name);
  const contextLength = opts.contextLength ?? Math.min(hp.trainContext, 4096);
  const batchSize = opts.batchSize ?? 64;
  if (!(contextLength >= 1)) throw new RangeError(`contextLength must be at least 1, got ${contextLength}`);
  if (!(batchSize >= 1)) throw new RangeError(`batchSize must be at least 1, got ${batchSize}`);
  const vocab = tensors.get('output.weight')?.ne[1] ?? tensors.get('token_embd.weight')!.ne[1]!;
  const weightBytes = plannedBytes(tensors);
  const total = weightBytes + stateBytes(hp, vocab, { contextLength, batchSize });
  if (total > MAX_WASM_BYTES - 64 * 1024 * 1024) {
    throw new RangeError(
      `${name}: the model needs ${formatBytes(total)} of WebAssembly memory (weights ${formatBytes(weightBytes)}, ` +
      `KV cache and buffers ${formatBytes(total - weightBytes)} for ${contextLength} tokens); wasm32 memory is limited to 4 GiB`);
  }
  const memory = await EngineMemory.create(total, opts.wasm);
  const weights = await loadWeights(hp, file, tensors, memory, opts.onProgress);
  const transformer = new Transformer(memory, hp, weights, { contextLength, batchSize });
  return { transformer, hparams: hp, metadata: md, memory };
}
