/** Reading a GGUF model into a ready-to-run Transformer. */
import { Metadata, type ModelFile } from './model-file.js';
import { readHParams, type HParams } from './hparams.js';
import { loadWeights, plannedBytes, plannedTensors } from './weights.js';
import { Transformer, stateBytes, threadScratchBytes } from './transformer.js';
import { EngineMemory, MAX_WASM_BYTES, formatBytes } from '../wasm/memory.js';
import { relaxedSimdSupported, type WasmSource } from '../wasm/module.js';
import { ThreadPool, availableCores, threadsSupported } from '../wasm/threads.js';

export interface LoadTransformerOptions {
  /** KV cache length in tokens (default: the training context, at most 4096). */
  contextLength?: number;
  /** Tokens per forward step (default 64). */
  batchSize?: number;
  /**
   * Threads that compute each matrix product and attention: the calling thread plus
   * `threads - 1` workers sharing the model's memory. Default: the available cores
   * (`os.availableParallelism()` in Node, `navigator.hardwareConcurrency` in browsers), or 1
   * for models under 64 MiB of weights, whose matrix products are too short for waking
   * other threads to pay off.
   * Where shared memory is unavailable (a browser page that is not cross-origin isolated)
   * the engine runs on one thread. Results are the same bits for any thread count.
   */
  threads?: number;
  /** The compiled kernels, when not at their default location. */
  wasm?: WasmSource;
  /** The kernels built for a shared memory (used with threads > 1), when not at their default location. */
  wasmThreads?: WasmSource;
  /** The relaxed-SIMD build of the kernels (see `simd`), when not at its default location. */
  wasmRelaxed?: WasmSource;
  /** The relaxed-SIMD build for a shared memory, when not at its default location. */
  wasmThreadsRelaxed?: WasmSource;
  /**
   * Which kernels to run. `'relaxed'`: the build using WebAssembly relaxed SIMD's 8-bit dot
   * products for Q4_0, Q4_K and Q6_K weights (measured: Q4_0 generation 1.5x, Q4_K_M prompt
   * processing 2x); `'baseline'`: SIMD128 only.
   * Both compute the same bits. Default `'auto'`: relaxed where the runtime supports it
   * (Chrome/Edge 114+, Node 22+, or Node 20-21 after `enableRelaxedSimd()` from
   * `@ggufkit/engine/node`), unless only baseline `wasm`/`wasmThreads` sources were given.
   */
  simd?: 'auto' | 'relaxed' | 'baseline';
  /**
   * The compute threads' script (`worker/engine-worker.js` of this package), when not at its
   * default location: bundlers do not follow the engine's `new URL(..., import.meta.url)`.
   */
  workerUrl?: URL | string;
  onProgress?: (loaded: number, total: number) => void;
}

export interface LoadedTransformer {
  readonly transformer: Transformer;
  readonly hparams: HParams;
  readonly metadata: Metadata;
  readonly memory: EngineMemory;
  readonly pool: ThreadPool;
}

/** Below this many bytes of weights the default is one thread. */
export const SMALL_MODEL_BYTES = 64 * 1024 * 1024;

/**
 * The thread count to use for a requested one (validated; default: the available cores,
 * or 1 for a model with fewer than `SMALL_MODEL_BYTES` of weights).
 */
export async function resolveThreads(requested: number | undefined, weightBytes = Infinity): Promise<number> {
  if (requested !== undefined && !(Number.isInteger(requested) && requested >= 1)) {
    throw new RangeError(`threads must be a positive integer, got ${requested}`);
  }
  const want = requested ?? (weightBytes < SMALL_MODEL_BYTES ? 1 : await availableCores());
  return want > 1 && threadsSupported() ? want : 1;
}

/** Whether to run the relaxed-SIMD kernels (see `LoadTransformerOptions.simd`). */
function useRelaxedSimd(opts: LoadTransformerOptions, shared: boolean): boolean {
  const simd = opts.simd ?? 'auto';
  if (simd !== 'auto' && simd !== 'relaxed' && simd !== 'baseline') {
    throw new RangeError(`simd must be 'auto', 'relaxed' or 'baseline', got ${String(simd)}`);
  }
  if (simd === 'baseline') return false;
  if (simd === 'relaxed') {
    if (!relaxedSimdSupported()) {
      throw new Error('simd: \'relaxed\' was requested but this runtime does not support WebAssembly relaxed SIMD ' +
        '(Node 20-21: call enableRelaxedSimd() from @ggufkit/engine/node or run node with --experimental-wasm-relaxed-simd)');
    }
    return true;
  }
  const baselineGiven = shared ? opts.wasmThreads !== undefined : opts.wasm !== undefined;
  const relaxedGiven = shared ? opts.wasmThreadsRelaxed !== undefined : opts.wasmRelaxed !== undefined;
  return relaxedSimdSupported() && (relaxedGiven || !baselineGiven);
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
  const threads = await resolveThreads(opts.threads, weightBytes);
  const matrixTypes = new Set([...tensors.values()].filter((t) => t.ne.length > 1 && t.ne[1]! > 1).map((t) => t.type)).size;
  const total = weightBytes + stateBytes(hp, vocab, { contextLength, batchSize }, matrixTypes) + threads * threadScratchBytes(hp, contextLength);
  if (total > MAX_WASM_BYTES - 64 * 1024 * 1024) {
    throw new RangeError(
      `${name}: the model needs ${formatBytes(total)} of WebAssembly memory (weights ${formatBytes(weightBytes)}, ` +
      `KV cache and buffers ${formatBytes(total - weightBytes)} for ${contextLength} tokens); wasm32 memory is limited to 4 GiB`);
  }
  const relaxed = useRelaxedSimd(opts, threads > 1);
  const wasm = threads > 1
    ? (relaxed ? opts.wasmThreadsRelaxed : opts.wasmThreads)
    : (relaxed ? opts.wasmRelaxed : opts.wasm);
  const memory = await EngineMemory.create(total, wasm, threads > 1, relaxed);
  const weights = await loadWeights(hp, file, tensors, memory, opts.onProgress);
  const pool = await ThreadPool.create(memory, threads, threadScratchBytes(hp, contextLength), opts.workerUrl);
  try {
    const transformer = new Transformer(memory, hp, weights, { contextLength, batchSize }, pool);
    return { transformer, hparams: hp, metadata: md, memory, pool };
  } catch (err) {
    pool.close();
    throw err;
  }
}
