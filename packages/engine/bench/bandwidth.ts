/**
 * Memory read bandwidth as the engine's threads see it: every thread reads its share of a
 * 1 GiB buffer in the shared WebAssembly memory with 16-byte SIMD loads (the `JOB_READ`
 * kernel), best of several passes. This is the ceiling for decoding, which streams every
 * weight once per token.
 */
import { EngineMemory } from '../src/wasm/memory.js';
import { JobOp } from '../src/wasm/kernels.js';
import { ThreadPool } from '../src/wasm/threads.js';

/** Bytes per second read by `threads` threads (best of `passes`). */
export async function readBandwidth(threads: number, bytes = 1 << 30, passes = 6): Promise<number> {
  const mem = await EngineMemory.create(bytes + (8 << 20), undefined, threads > 1);
  const pool = await ThreadPool.create(mem, threads, 4096);
  try {
    const buf = mem.alloc(bytes, 4096);
    // touch every page first so that the passes measure reads, not page faults
    mem.u8(buf, bytes).fill(1);
    const job = mem.alloc(64, 64);
    const J = new Int32Array(mem.memory.buffer, job, 16);
    const chunk = 1 << 20;
    let best = 0;
    for (let p = 0; p < passes; p++) {
      J[0] = JobOp.Read; J[1] = 0; J[2] = bytes / chunk; J[4] = buf; J[5] = chunk; J[6] = 0;
      const t = performance.now();
      pool.run(job);
      best = Math.max(best, bytes / ((performance.now() - t) / 1000));
    }
    return best;
  } finally {
    pool.close();
  }
}
