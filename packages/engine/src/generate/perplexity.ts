/**
 * Perplexity as llama.cpp's `perplexity` tool computes it (tools/perplexity/perplexity.cpp,
 * default mode): the text is tokenized with BOS as the vocabulary asks; it is cut into
 * `floor(tokens / ctx)` chunks of `ctx` tokens, each evaluated from an empty cache with its
 * first token replaced by BOS (when the vocabulary adds BOS); in each chunk only the second
 * half is scored, position p in [ctx/2, ctx - 2] predicting token p + 1, so that every
 * scored token has at least ctx/2 tokens of context. The result is exp(mean negative
 * log-likelihood) over all scored tokens, the log-softmax taken as llama.cpp does (f32
 * maximum, f64 sum of f32 exponentials).
 */

/** Options of a perplexity computation. */
export interface PerplexityOptions {
  /** Tokens per chunk (llama.cpp's `-c`). */
  ctx: number;
  /** Score at most this many chunks (llama.cpp's `--chunks`); default all. */
  chunks?: number;
}

export interface PerplexityResult {
  /** exp(mean negative log-likelihood of the scored tokens). */
  readonly perplexity: number;
  /** Tokens of the text (BOS included). */
  readonly tokens: number;
  /** Chunks evaluated. */
  readonly chunks: number;
  /** Tokens scored: chunks * (ctx - ctx/2 - 1). */
  readonly scored: number;
}

/** What the computation needs from a model. */
export interface ChunkEvaluator {
  readonly bos: number;
  readonly addBos: boolean;
  /** Evaluates `ids` from position 0 on an empty cache, calling back with the logits of rows >= `fromRow`. */
  evaluate(ids: readonly number[], fromRow: number, onLogits: (row: number, logits: Float32Array) => void): void;
}

/** -log softmax(logits)[tok] with llama.cpp's arithmetic. */
export function negativeLogLikelihood(logits: Float32Array, tok: number): number {
  let max = logits[0]!;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  let sumExp = 0;
  for (let i = 0; i < logits.length; i++) sumExp += Math.fround(Math.exp(Math.fround(logits[i]! - max)));
  return -(Math.fround(logits[tok]! - max) - Math.log(sumExp));
}

/** Perplexity of the token sequence `tokens` (already tokenized, BOS included as the vocabulary asks). */
export function perplexityOfTokens(model: ChunkEvaluator, tokens: readonly number[], opts: PerplexityOptions): PerplexityResult {
  const ctx = opts.ctx;
  if (!(Number.isInteger(ctx) && ctx >= 3)) throw new RangeError(`ctx must be an integer >= 3, got ${ctx}`);
  if (tokens.length < 2 * ctx) {
    throw new RangeError(`perplexity with a context of ${ctx} needs at least ${2 * ctx} tokens; the text has ${tokens.length}`);
  }
  if (opts.chunks !== undefined && !(Number.isInteger(opts.chunks) && opts.chunks >= 1)) {
    throw new RangeError(`chunks must be a positive integer, got ${opts.chunks}`);
  }
  const chunks = Math.min(Math.floor(tokens.length / ctx), opts.chunks ?? Infinity);
  const first = Math.floor(ctx / 2);
  let nll = 0;
  let count = 0;
  for (let c = 0; c < chunks; c++) {
    const ids = tokens.slice(c * ctx, (c + 1) * ctx);
    if (model.addBos) ids[0] = model.bos;
    model.evaluate(ids, first, (row, logits) => {
      if (row >= ctx - 1) return;
      nll += negativeLogLikelihood(logits, ids[row + 1]!);
      count++;
    });
  }
  return { perplexity: Math.exp(nll / count), tokens: tokens.length, chunks, scored: count };
}
