/**
 * Messages between the page and the generation worker (`generate-worker.ts`). Everything
 * here survives structured cloning: a `File` is sent as is, a URL as a string.
 */

/** Where the worker loads the model from: a picked/dropped file or an http(s) URL. */
export type ModelInput = File | string;

/** Page -> worker. */
export type WorkerRequest =
  | { type: 'load'; source: ModelInput; threads?: number }
  | { type: 'generate'; prompt: string; maxTokens: number; temperature: number; seed: number }
  | { type: 'stop' };

/** Timings and counts of one finished generation. */
export interface GenerationStats {
  /** Generated token ids (without the prompt). */
  readonly tokens: number[];
  readonly text: string;
  readonly promptTokens: number;
  readonly stopReason: string;
  /** From the request to the first generated token (prompt processing included). */
  readonly firstTokenMs: number;
  /** From the first to the last generated token. */
  readonly decodeMs: number;
  /**
   * Decoding speed: tokens after the first one over the time between the first and the
   * last (prompt processing excluded); undefined with fewer than two tokens.
   */
  readonly tokensPerSecond: number | undefined;
}

/** Worker -> page. */
export type WorkerResponse =
  | { type: 'progress'; loaded: number; total: number }
  | { type: 'loaded'; threads: number; isolated: boolean; memoryBytes: number; loadMs: number; architecture: string }
  | { type: 'token'; id: number; text: string; count: number; tokensPerSecond: number | undefined }
  | { type: 'done'; stats: GenerationStats }
  | { type: 'error'; message: string };
