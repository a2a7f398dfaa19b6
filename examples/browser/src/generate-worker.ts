/**
 * The generation worker: loads a GGUF model into the WebAssembly engine and generates
 * text off the page's main thread, posting each token as it comes. The engine runs on
 * `threads` threads (its own Web Workers sharing one WebAssembly memory) when the page is
 * cross-origin isolated, else on this worker's thread alone.
 */
import { loadModel, type Model } from '@ggufkit/engine';
import { openModelInput } from './open-input.js';
import type { GenerationStats, WorkerRequest, WorkerResponse } from './protocol.js';

/** The parts of a dedicated worker's global scope used here (the DOM lib does not type it). */
interface WorkerScope {
  readonly location: { readonly href: string };
  readonly crossOriginIsolated: boolean;
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerResponse): void;
}

const scope = self as unknown as WorkerScope;

/** The engine's kernels and thread script, copied beside this bundle by the build. */
const engineAsset = (name: string): URL => new URL(`engine/${name}`, scope.location.href);

let model: Model | undefined;
let stopRequested = false;
/** Requests run one after the other; `stop` alone is handled at once. */
let queue: Promise<void> = Promise.resolve();

function post(message: WorkerResponse): void {
  scope.postMessage(message);
}

async function load(req: Extract<WorkerRequest, { type: 'load' }>): Promise<void> {
  model?.dispose();
  model = undefined;
  const t0 = performance.now();
  const file = await openModelInput(req.source);
  try {
    model = await loadModel(file, {
      threads: req.threads,
      wasm: engineAsset('engine.wasm'),
      wasmThreads: engineAsset('engine-threads.wasm'),
      // used where the browser runs relaxed SIMD (Chrome and Edge 114+), else the two above
      wasmRelaxed: engineAsset('engine-relaxed.wasm'),
      wasmThreadsRelaxed: engineAsset('engine-threads-relaxed.wasm'),
      workerUrl: engineAsset('engine-worker.js'),
      onProgress: (loaded, total) => post({ type: 'progress', loaded, total }),
    });
  } finally {
    await file.close();
  }
  post({
    type: 'loaded',
    threads: model.threads,
    isolated: scope.crossOriginIsolated,
    memoryBytes: model.memoryBytes,
    loadMs: performance.now() - t0,
    architecture: model.architecture,
  });
}

async function generate(req: Extract<WorkerRequest, { type: 'generate' }>): Promise<void> {
  if (!model) throw new Error('no model is loaded');
  stopRequested = false;
  const t0 = performance.now();
  let first = 0;
  let last = 0;
  let count = 0;
  const speed = (): number | undefined => (count > 1 && last > first ? (count - 1) / ((last - first) / 1000) : undefined);
  const result = await model.generate(req.prompt, {
    maxTokens: req.maxTokens,
    temperature: req.temperature,
    seed: req.seed,
    onToken: (t) => {
      last = performance.now();
      if (count++ === 0) first = last;
      post({ type: 'token', id: t.id, text: t.text, count, tokensPerSecond: speed() });
      // `generate` yields to the event loop between tokens, so a `stop` message lands here
      return !stopRequested;
    },
  });
  const stats: GenerationStats = {
    tokens: result.tokens,
    text: result.text,
    promptTokens: result.promptTokens,
    stopReason: stopRequested ? 'stopped' : result.stopReason,
    firstTokenMs: count > 0 ? first - t0 : performance.now() - t0,
    decodeMs: last - first,
    tokensPerSecond: speed(),
  };
  post({ type: 'done', stats });
}

scope.onmessage = (e) => {
  const req = e.data;
  if (req.type === 'stop') {
    stopRequested = true;
    return;
  }
  queue = queue.then(() => (req.type === 'load' ? load(req) : generate(req))).catch((err: unknown) => {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  });
};
