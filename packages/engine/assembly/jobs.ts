// Work shared between threads. The host writes a job descriptor into memory and every
// thread (the calling one and the workers) calls `runJob` on it: chunks are claimed with an
// atomic counter until none are left, so a slower thread simply takes fewer chunks. Each
// chunk computes outputs that no other chunk touches, with the same arithmetic whichever
// thread takes it, so results do not depend on the number of threads.
//
// Descriptor (byte offsets): 0 op, 4 next chunk (atomic), 8 chunk count, then per op:
//   JOB_MATMUL:    16 task count, 20 tokens; tasks of 48 bytes from 32 (MATMUL_TASK_*)
//   JOB_ATTENTION: 16 q, 20 tokens, 24 pos0, 28 K cache, 32 V cache, 36 heads, 40 KV heads,
//                  44 head dim, 48 KQ scale (f32), 52 soft-cap (f32), 56 window, 60 out,
//                  64 heads per chunk (a divisor of heads / KV heads; one chunk per token
//                  and run of that many heads)
//   JOB_READ:      16 address, 20 bytes per chunk, 24 result (memory read benchmark)
import { matmul } from './matmul';
import { attentionHeads } from './ops';

export const JOB_MATMUL: i32 = 1;
export const JOB_ATTENTION: i32 = 2;
export const JOB_READ: i32 = 3;

// fields of a matmul task, relative to the task
const T_TYPE = 0, T_W = 4, T_ROW_BYTES = 8, T_N = 12, T_ROWS = 16, T_ACT = 20, T_ACT_STRIDE = 24;
const T_OUT = 28, T_OUT_STRIDE = 32, T_FIRST_CHUNK = 36, T_CHUNK_ROWS = 40;
const TASKS = 32, TASK_BYTES = 48;

/** Runs chunks of the job at `job` until none are left. `scratch` is this thread's own. */
export function runJob(job: usize, scratch: usize): void {
  const op = load<i32>(job);
  const count = load<i32>(job, 8);
  for (;;) {
    const c = atomic.add<i32>(job + 4, 1);
    if (c >= count) return;
    if (op == JOB_MATMUL) matmulChunk(job, c, scratch);
    else if (op == JOB_ATTENTION) attentionChunk(job, c, scratch);
    else readChunk(job, c);
  }
}

function matmulChunk(job: usize, c: i32, scratch: usize): void {
  const nTasks = load<i32>(job, 16);
  const nTok = load<i32>(job, 20);
  let task = job + TASKS;
  for (let i = 1; i < nTasks; i++) {
    const next = job + TASKS + <usize>i * TASK_BYTES;
    if (c < load<i32>(next + T_FIRST_CHUNK)) break;
    task = next;
  }
  const chunkRows = load<i32>(task + T_CHUNK_ROWS);
  const r0 = (c - load<i32>(task + T_FIRST_CHUNK)) * chunkRows;
  const r1 = min<i32>(r0 + chunkRows, load<i32>(task + T_ROWS));
  matmul(
    load<i32>(task + T_TYPE), load<u32>(task + T_W), load<u32>(task + T_ROW_BYTES), load<i32>(task + T_N), r0, r1,
    load<u32>(task + T_ACT), load<u32>(task + T_ACT_STRIDE), nTok, load<u32>(task + T_OUT), load<i32>(task + T_OUT_STRIDE), scratch,
  );
}

function attentionChunk(job: usize, c: i32, scratch: usize): void {
  const nHeads = load<i32>(job, 36);
  const nh = load<i32>(job, 64);
  const runs = nHeads / nh;
  attentionHeads(
    load<u32>(job, 16), c / runs, (c % runs) * nh, nh, load<i32>(job, 24), load<u32>(job, 28), load<u32>(job, 32),
    nHeads, load<i32>(job, 40), load<i32>(job, 44), load<f32>(job, 48), load<f32>(job, 52), load<i32>(job, 56),
    load<u32>(job, 60), scratch,
  );
}

/** Reads a chunk of memory as fast as the core can (16-byte loads, four accumulators). */
function readChunk(job: usize, c: i32): void {
  const bytes = <usize>load<u32>(job, 20);
  const p = <usize>load<u32>(job, 16) + <usize>c * bytes;
  let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
  for (let o: usize = 0; o + 64 <= bytes; o += 64) {
    a0 = i32x4.add(a0, v128.load(p + o));
    a1 = i32x4.add(a1, v128.load(p + o, 16));
    a2 = i32x4.add(a2, v128.load(p + o, 32));
    a3 = i32x4.add(a3, v128.load(p + o, 48));
  }
  const s = i32x4.add(i32x4.add(a0, a1), i32x4.add(a2, a3));
  // the sum is stored so that the loads cannot be optimized away
  atomic.add<i32>(job + 24, i32x4.extract_lane(s, 0) ^ i32x4.extract_lane(s, 1) ^ i32x4.extract_lane(s, 2) ^ i32x4.extract_lane(s, 3));
}
