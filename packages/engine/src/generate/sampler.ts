/**
 * Choosing the next token from logits, in llama.cpp's default sampler order: repetition
 * penalty, top-k, top-p, min-p, temperature, then a draw (or the argmax when the
 * temperature is 0).
 */
import { Rng } from './rng.js';

export interface SamplerOptions {
  /** 0 picks the most likely token (greedy). Default 0.8. */
  temperature?: number;
  /** Keep the k most likely tokens (0 = all). Default 40. */
  topK?: number;
  /** Keep the smallest set of tokens whose probability reaches p (1 = all). Default 0.95. */
  topP?: number;
  /** Drop tokens less likely than minP times the most likely one (0 = off). Default 0.05. */
  minP?: number;
  /** Divide positive / multiply negative logits of recently seen tokens (1 = off). Default 1. */
  repeatPenalty?: number;
  /** How many recent tokens the penalty looks at. Default 64. */
  repeatLastN?: number;
  /** Seed of the random draw. Default: random. */
  seed?: number;
}

/** Index of the largest value (the first one on ties). */
export function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

export class Sampler {
  private readonly temperature: number;
  private readonly topK: number;
  private readonly topP: number;
  private readonly minP: number;
  private readonly repeatPenalty: number;
  private readonly repeatLastN: number;
  private readonly rng: Rng;
  private readonly ids: Int32Array;
  private readonly vals: Float64Array;

  constructor(vocabSize: number, opts: SamplerOptions = {}) {
    this.temperature = opts.temperature ?? 0.8;
    this.topK = opts.topK ?? 40;
    this.topP = opts.topP ?? 0.95;
    this.minP = opts.minP ?? 0.05;
    this.repeatPenalty = opts.repeatPenalty ?? 1;
    this.repeatLastN = opts.repeatLastN ?? 64;
    for (const [k, v] of Object.entries({ temperature: this.temperature, topP: this.topP, minP: this.minP, repeatPenalty: this.repeatPenalty })) {
      if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`${k} must be a finite number >= 0, got ${v}`);
    }
    this.rng = new Rng(opts.seed ?? Math.floor(Math.random() * 2 ** 32));
    this.ids = new Int32Array(vocabSize);
    this.vals = new Float64Array(vocabSize);
  }

  /** Picks a token. `history` is the sequence so far (for the repetition penalty). */
  sample(logits: Float32Array, history: readonly number[]): number {
    const n = logits.length;
    const vals = this.vals;
    for (let i = 0; i < n; i++) vals[i] = logits[i]!;
    if (this.repeatPenalty !== 1 && this.repeatLastN !== 0) {
      const from = this.repeatLastN < 0 ? 0 : Math.max(0, history.length - this.repeatLastN);
      const seen = new Set(history.slice(from));
      for (const t of seen) {
        if (t < 0 || t >= n) continue;
        vals[t] = vals[t]! > 0 ? vals[t]! / this.repeatPenalty : vals[t]! * this.repeatPenalty;
      }
    }
    if (this.temperature <= 0) return argmax(vals);

    // candidates sorted by logit, most likely first
    const ids = this.ids;
    for (let i = 0; i < n; i++) ids[i] = i;
    let count = n;
    const sorted = Array.from(ids).sort((a, b) => vals[b]! - vals[a]! || a - b);
    if (this.topK > 0 && this.topK < count) count = this.topK;
    // softmax over the kept candidates
    const max = vals[sorted[0]!]!;
    const probs = new Float64Array(count);
    let sum = 0;
    for (let i = 0; i < count; i++) { probs[i] = Math.exp(vals[sorted[i]!]! - max); sum += probs[i]!; }
    for (let i = 0; i < count; i++) probs[i]! /= sum;
    if (this.topP < 1) {
      let cum = 0;
      for (let i = 0; i < count; i++) {
        cum += probs[i]!;
        if (cum >= this.topP) { count = i + 1; break; }
      }
    }
    if (this.minP > 0) {
      const limit = probs[0]! * this.minP;
      let keep = 1;
      while (keep < count && probs[keep]! >= limit) keep++;
      count = keep;
    }
    // temperature, then a draw from the renormalised distribution
    const w = new Float64Array(count);
    let total = 0;
    for (let i = 0; i < count; i++) { w[i] = Math.exp((vals[sorted[i]!]! - max) / this.temperature); total += w[i]!; }
    let r = this.rng.next() * total;
    for (let i = 0; i < count; i++) {
      r -= w[i]!;
      if (r < 0) return sorted[i]!;
    }
    return sorted[count - 1]!;
  }
}
