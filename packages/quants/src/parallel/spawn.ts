/**
 * Starting quantization workers. The pool only sees a `QuantWorkerPort`, so any worker
 * technology fits: Node's `worker_threads` (the default under Node) or Web Workers.
 */
import { quantWorkerScript } from './worker-main.js';

/** The pool's view of one worker. */
export interface QuantWorkerPort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onMessage(listener: (message: any) => void): void;
  onError(listener: (error: Error) => void): void;
  terminate(): void | Promise<unknown>;
  /** Lets the host exit while the worker idles (Node); optional. */
  unref?(): void;
  /** Undoes `unref` while the worker has work; optional. */
  ref?(): void;
}

/** Starts one worker running `quantWorkerScript`. */
export type QuantWorkerSpawner = () => QuantWorkerPort | Promise<QuantWorkerPort>;

/** Workers on Node's `worker_threads`, from the worker's source text (no file to locate). */
export const nodeWorkerSpawner: QuantWorkerSpawner = async () => {
  const { Worker } = await import('node:worker_threads');
  const w = new Worker(quantWorkerScript('node'), { eval: true });
  return {
    postMessage: (m, t) => w.postMessage(m, t as never),
    onMessage: (f) => void w.on('message', f),
    onError: (f) => {
      w.on('error', f);
      w.on('exit', (code) => {
        if (code !== 0) f(new Error(`quantization worker exited with code ${code}`));
      });
    },
    terminate: () => w.terminate(),
    unref: () => w.unref(),
    ref: () => w.ref(),
  };
};

/** Web Workers (browsers, Deno, Bun) from a Blob URL of the worker's source text. */
export function webWorkerSpawner(): QuantWorkerSpawner {
  let url: string | undefined;
  return () => {
    url ??= URL.createObjectURL(new Blob([quantWorkerScript('web')], { type: 'text/javascript' }));
    const w = new Worker(url);
    return {
      postMessage: (m, t) => w.postMessage(m, t ?? []),
      onMessage: (f) => w.addEventListener('message', (e) => f(e.data)),
      onError: (f) => w.addEventListener('error', (e) => f(new Error(e.message || 'quantization worker failed'))),
      terminate: () => w.terminate(),
    };
  };
}

/** The spawner for the current platform. */
export function defaultWorkerSpawner(): QuantWorkerSpawner {
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  return isNode ? nodeWorkerSpawner : webWorkerSpawner();
}

/** Cores available to this process (Node's `availableParallelism`, else `navigator.hardwareConcurrency`), at least 1. */
export function defaultThreadCount(): number {
  const os = typeof process !== 'undefined' && typeof process.getBuiltinModule === 'function'
    ? (process.getBuiltinModule('node:os') as typeof import('node:os'))
    : undefined;
  const n = os?.availableParallelism?.() ?? (typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 1);
  return Math.max(1, n || 1);
}
