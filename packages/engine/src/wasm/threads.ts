/**
 * The engine's compute threads: workers (Node worker_threads, browser Web Workers) that
 * share the model's WebAssembly memory. A job is a descriptor in that memory (see
 * `assembly/jobs.ts`); `run` publishes it through a small control block and every thread,
 * the calling one included, claims chunks of it until none are left. Publication and
 * completion go through `Atomics` on the shared memory, never through messages, so a job
 * costs microseconds. Workers spin briefly between jobs and then sleep in `Atomics.wait`.
 */
import type { EngineMemory } from './memory.js';

/** Where the worker script lives, relative to this file in `src/` and in `dist/`. */
export const WORKER_URL = new URL('../../worker/engine-worker.js', import.meta.url);

// control block, Int32 indices (mirrored in worker/engine-worker.js)
const SEQ = 0, DONE = 1, JOB = 2, QUIT = 3, MAIN_WAITING = 4;
const CTRL_INTS = 16;

/** How long an idle worker spins before it sleeps. */
const SPIN_MS = 2;

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof (globalThis as { window?: unknown }).window === 'undefined';
/** A Web Worker (where `Atomics.wait` is allowed, unlike on a page's main thread). */
const isWebWorker = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'function';

/** Whether this environment can run worker threads on a shared WebAssembly memory. */
export function threadsSupported(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  if (isNode) return true;
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  return g.crossOriginIsolated === true && typeof g.Worker === 'function';
}

/** The number of logical cores (`os.availableParallelism()` in Node, `navigator.hardwareConcurrency` elsewhere). */
export async function availableCores(): Promise<number> {
  if (isNode) {
    const os = await import('node:os');
    return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  }
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === 'number' && n >= 1 ? n : 1;
}

interface WorkerHandle {
  terminate(): unknown;
}

/**
 * Runs jobs on `threads` threads: the calling thread plus `threads - 1` workers. With one
 * thread it simply calls the kernel.
 */
export class ThreadPool {
  /** Threads that run each job, the calling one included. */
  readonly threads: number;
  private readonly mem: EngineMemory;
  private readonly ctrl: Int32Array;
  private readonly scratch: number;
  private readonly workers: WorkerHandle[];
  private readonly canBlock: boolean;
  private closed = false;

  private constructor(mem: EngineMemory, ctrl: Int32Array, scratch: number, workers: WorkerHandle[]) {
    this.mem = mem;
    this.ctrl = ctrl;
    this.scratch = scratch;
    this.workers = workers;
    this.threads = workers.length + 1;
    // a browser's main thread may not block in Atomics.wait; Node's and a Web Worker's may
    this.canBlock = isNode || isWebWorker;
  }

  /**
   * Starts `threads - 1` workers over `mem` (which must be shared when threads > 1), each
   * with its own `scratchBytes` of scratch memory; the calling thread's scratch is
   * allocated too. `workerUrl` is the worker script when it is not at its default
   * location (an application bundle that copies `worker/engine-worker.js` elsewhere).
   */
  static async create(mem: EngineMemory, threads: number, scratchBytes: number, workerUrl: URL | string = WORKER_URL): Promise<ThreadPool> {
    const ctrlPtr = mem.alloc(CTRL_INTS * 4, 64);
    const ctrl = new Int32Array(mem.memory.buffer, ctrlPtr, CTRL_INTS);
    const own = mem.alloc(scratchBytes, 64);
    if (threads <= 1) return new ThreadPool(mem, ctrl, own, []);
    if (!(mem.memory.buffer instanceof SharedArrayBuffer)) throw new TypeError('worker threads need a shared WebAssembly memory');
    // no job is published before every worker is ready, so this is the generation they start from
    const seq = Atomics.load(ctrl, SEQ);
    const inits = Array.from({ length: threads - 1 }, () => ({
      module: mem.module, memory: mem.memory, ctrl: ctrlPtr, scratch: mem.alloc(scratchBytes, 64), spinMs: SPIN_MS, seq,
    }));
    const workers: WorkerHandle[] = [];
    try {
      const url = new URL(workerUrl, (globalThis as { location?: { href: string } }).location?.href);
      await Promise.all(inits.map(async (init) => { workers.push(await startWorker(init, url)); }));
    } catch (err) {
      Atomics.store(ctrl, QUIT, 1);
      for (const w of workers) w.terminate();
      throw err;
    }
    return new ThreadPool(mem, ctrl, own, workers);
  }

  /** Runs the job descriptor at `job` to completion on every thread. */
  run(job: number): void {
    if (this.closed) throw new Error('the model has been disposed');
    const nWorkers = this.workers.length;
    if (nWorkers === 0) {
      this.mem.kernels.runJob(job, this.scratch);
      return;
    }
    const ctrl = this.ctrl;
    Atomics.store(ctrl, DONE, 0);
    Atomics.store(ctrl, JOB, job);
    Atomics.add(ctrl, SEQ, 1);
    Atomics.notify(ctrl, SEQ);
    this.mem.kernels.runJob(job, this.scratch);
    let spins = 0;
    for (;;) {
      const done = Atomics.load(ctrl, DONE);
      if (done >= nWorkers) break;
      if (this.canBlock && ++spins > 20000) {
        // a worker is late (descheduled, or waking up): sleep until it reports
        Atomics.store(ctrl, MAIN_WAITING, 1);
        Atomics.wait(ctrl, DONE, done, 5);
        Atomics.store(ctrl, MAIN_WAITING, 0);
      }
    }
  }

  /** Stops the workers. The pool cannot run jobs afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctrl, QUIT, 1);
    Atomics.add(this.ctrl, SEQ, 1);
    Atomics.notify(this.ctrl, SEQ);
    for (const w of this.workers) w.terminate();
  }
}

interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrl: number;
  scratch: number;
  spinMs: number;
  /** The job generation (SEQ) when the worker starts: any later value is a job to run. */
  seq: number;
}

async function startWorker(init: WorkerInit, url: URL): Promise<WorkerHandle> {
  if (isNode) {
    const { Worker } = await import('node:worker_threads');
    const w = new Worker(url, { workerData: init });
    await new Promise<void>((resolve, reject) => {
      w.once('message', (m: { ready?: boolean; error?: string }) => (m.ready ? resolve() : reject(new Error(`engine worker failed: ${m.error}`))));
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`engine worker exited with code ${code} before it started`)));
    });
    w.removeAllListeners();
    // kernels do not throw on valid jobs; a failing worker must not take the process down
    w.on('error', () => {});
    // an idle pool must not keep the process alive
    w.unref();
    return w;
  }
  const W = (globalThis as unknown as { Worker: new (url: URL, opts: { type: 'module' }) => Worker }).Worker;
  const w = new W(url, { type: 'module' });
  await new Promise<void>((resolve, reject) => {
    w.onmessage = (e: MessageEvent<{ ready?: boolean; error?: string }>) => (e.data.ready ? resolve() : reject(new Error(`engine worker failed: ${e.data.error}`)));
    w.onerror = (e) => reject(new Error(`engine worker failed to start: ${e.message}`));
    w.postMessage(init);
  });
  w.onmessage = null;
  return w;
}
