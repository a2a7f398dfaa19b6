/** One-call multi-threaded quantization. */
import { quantizeFast } from '../fast/codecs.js';
import { QuantPool } from './pool.js';
import { defaultThreadCount } from './spawn.js';

/** Options of `quantizeParallel`. */
export interface QuantizeParallelOptions {
  /** One importance weight per column, for the types that take one. */
  imatrix?: Float32Array | null;
  /** Threads to use (default: the cores available). 1 quantizes on the calling thread. */
  threads?: number;
  /** A pool to reuse instead of starting (and stopping) one for this call. */
  pool?: QuantPool;
}

/**
 * Quantizes `nrows` rows of `ncols` f32 values to the ggml block type `type` (id or name)
 * on `threads` worker threads; the bytes are those of `quantizeRows` whatever the thread
 * count. For many tensors, create one `QuantPool` and pass it as `pool`.
 */
export async function quantizeParallel(
  type: number | string,
  src: Float32Array,
  nrows: number,
  ncols: number,
  options: QuantizeParallelOptions = {},
): Promise<Uint8Array> {
  if (options.pool) return options.pool.quantize(type, src, nrows, ncols, options.imatrix);
  const threads = options.threads ?? defaultThreadCount();
  if (!Number.isSafeInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  if (threads === 1) return quantizeFast(type, src, nrows, ncols, options.imatrix);
  const pool = await QuantPool.create({ threads });
  try {
    return await pool.quantize(type, src, nrows, ncols, options.imatrix);
  } finally {
    await pool.close();
  }
}
