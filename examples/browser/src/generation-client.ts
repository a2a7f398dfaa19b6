/** The page's side of the generation worker: one request at a time, as promises. */
import type { GenerationStats, ModelInput, WorkerRequest, WorkerResponse } from './protocol.js';

/** What the worker reports once a model is ready. */
export type LoadedModel = Omit<Extract<WorkerResponse, { type: 'loaded' }>, 'type'>;

/** A streamed token with the running decoding speed. */
export type StreamedToken = Omit<Extract<WorkerResponse, { type: 'token' }>, 'type'>;

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  expects: 'loaded' | 'done';
}

export class GenerationClient {
  private readonly worker: Worker;
  private pending: Pending | undefined;
  /** Called while the weights load. */
  onProgress: (loaded: number, total: number) => void = () => {};
  /** Called for each generated token. */
  onToken: (token: StreamedToken) => void = () => {};

  constructor() {
    // the worker bundle sits beside this one (see build.ts)
    this.worker = new Worker(new URL('./generate-worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = (e: MessageEvent<WorkerResponse>) => this.receive(e.data);
    this.worker.onerror = (e) => this.settle(undefined, new Error(`the generation worker failed: ${e.message || 'could not start'}`));
  }

  /** Loads the model in the worker (replacing the previous one). */
  load(source: ModelInput, threads?: number): Promise<LoadedModel> {
    return this.request({ type: 'load', source, threads }, 'loaded') as Promise<LoadedModel>;
  }

  /** Generates from `prompt`, streaming tokens to `onToken`. */
  generate(params: Omit<Extract<WorkerRequest, { type: 'generate' }>, 'type'>): Promise<GenerationStats> {
    return this.request({ type: 'generate', ...params }, 'done') as Promise<GenerationStats>;
  }

  /** Ends the running generation after the current token. */
  stop(): void {
    this.worker.postMessage({ type: 'stop' } satisfies WorkerRequest);
  }

  private request(req: WorkerRequest, expects: Pending['expects']): Promise<unknown> {
    if (this.pending) return Promise.reject(new Error('the worker is busy'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, expects };
      this.worker.postMessage(req);
    });
  }

  private receive(msg: WorkerResponse): void {
    switch (msg.type) {
      case 'progress': this.onProgress(msg.loaded, msg.total); break;
      case 'token': this.onToken(msg); break;
      case 'loaded': {
        const { type: _, ...loaded } = msg;
        this.settle(loaded);
        break;
      }
      case 'done': this.settle(msg.stats); break;
      case 'error': this.settle(undefined, new Error(msg.message)); break;
    }
  }

  private settle(value: unknown, err?: Error): void {
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    if (err) p.reject(err);
    else p.resolve(value);
  }
}
