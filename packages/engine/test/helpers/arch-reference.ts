/**
 * Building blocks of deliberately naive float64 reference forward passes, written from the
 * Hugging Face `transformers` modeling code's semantics (not from llama.cpp or the engine):
 * they read the checkpoint's own tensors in PyTorch layout (`[out, in]` row-major) and
 * compute each operation in doubles, one token and one head at a time.
 */
import { f16ToF32, f32ToF16 } from '@ggufkit/tensor-layout';
import type { TinyTensor } from '../../../convert/test/helpers/tiny-checkpoint.js';

/** A vector of doubles. */
export type Vec = Float64Array;

/**
 * Where llama.cpp's CPU graph stores values as f16 (IEEE half): the KV cache, Q as it meets
 * the f16 keys, the softmax probabilities as they meet the f16 values, and GELU's lookup
 * table. A reference asked to round there (`f16: true`) isolates everything else; without
 * it, it is the plain float64 model.
 */
export function toF16(x: number): number {
  return f16ToF32(f32ToF16(Math.fround(x)));
}

/** The checkpoint's tensors by name; throws naming a missing one. */
export class Checkpoint {
  private readonly byName: Map<string, TinyTensor>;
  constructor(tensors: readonly TinyTensor[]) {
    this.byName = new Map(tensors.map((t) => [t.name, t]));
  }
  get(name: string): TinyTensor {
    const t = this.byName.get(name);
    if (!t) throw new Error(`reference: checkpoint has no tensor ${name}`);
    return t;
  }
  has(name: string): boolean {
    return this.byName.has(name);
  }
}

/** `nn.Linear` without bias: y = W x, W stored `[out, in]`. Rows [r0, r0 + n) only when given. */
export function linear(w: TinyTensor, x: Vec, r0 = 0, n = w.shape[0]!): Vec {
  const cols = w.shape[1]!;
  if (x.length !== cols) throw new Error(`reference: ${w.name} takes ${cols} inputs, got ${x.length}`);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    const row = (r0 + r) * cols;
    for (let c = 0; c < cols; c++) s += w.data[row + c]! * x[c]!;
    y[r] = s;
  }
  return y;
}

/** Adds a bias vector. */
export function addBias(x: Vec, b: TinyTensor): Vec {
  return x.map((v, i) => v + b.data[i]!);
}

/**
 * RMSNorm: x / sqrt(mean(x^2) + eps) times the weight (Llama, Qwen, Phi-3), or times
 * (1 + weight) (`Gemma3RMSNorm`, whose checkpoints store weight - 1).
 */
export function rmsNorm(x: Vec, w: TinyTensor, eps: number, plusOne = false): Vec {
  let ss = 0;
  for (const v of x) ss += v * v;
  const inv = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((v, i) => v * inv * (plusOne ? 1 + w.data[i]! : w.data[i]!));
}

/** Applies `f` to each head (a `headDim` slice) of `x`. */
export function perHead(x: Vec, headDim: number, f: (head: Vec, h: number) => Vec): Vec {
  const out = new Float64Array(x.length);
  for (let h = 0; h * headDim < x.length; h++) out.set(f(x.subarray(h * headDim, (h + 1) * headDim), h), h * headDim);
  return out;
}

/**
 * `apply_rotary_pos_emb` on one head: the first `rotDim` values rotate as
 * x * cos + rotate_half(x) * sin with inv_freq[i] = base^(-2i / rotDim) and positions
 * divided by `linearFactor`; values past `rotDim` pass through (partial rotary).
 */
export function rope(head: Vec, pos: number, base: number, rotDim = head.length, linearFactor = 1): Vec {
  const out = Float64Array.from(head);
  const half = rotDim / 2;
  for (let i = 0; i < half; i++) {
    const angle = (pos / linearFactor) * Math.pow(base, -(2 * i) / rotDim);
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    const x1 = head[i]!;
    const x2 = head[i + half]!;
    out[i] = x1 * c - x2 * s;
    out[i + half] = x2 * c + x1 * s;
  }
  return out;
}

/**
 * Causal softmax attention of every position over the earlier ones (`eager_attention_forward`
 * with `repeat_kv`): query head h reads key/value head floor(h / (nHeads / nKvHeads)).
 * `window` > 0 keeps only keys at positions > query position - window (the sliding-window
 * mask of `transformers.masking_utils`).
 */
export function attention(
  qs: readonly Vec[], ks: readonly Vec[], vs: readonly Vec[],
  opts: { nHeads: number; nKvHeads: number; headDim: number; scale: number; window?: number; softcap?: number; f16?: boolean },
): Vec[] {
  const { nHeads, nKvHeads, headDim, scale } = opts;
  const r = opts.f16 ? toF16 : (x: number) => x;
  qs = qs.map((q) => q.map(r));
  ks = ks.map((k) => k.map(r));
  vs = vs.map((v) => v.map(r));
  const window = opts.window ?? 0;
  const group = nHeads / nKvHeads;
  return qs.map((q, p) => {
    const out = new Float64Array(nHeads * headDim);
    for (let h = 0; h < nHeads; h++) {
      const kvh = Math.floor(h / group);
      const lo = window > 0 ? Math.max(0, p - window + 1) : 0;
      const scores: number[] = [];
      for (let j = lo; j <= p; j++) {
        let s = 0;
        for (let i = 0; i < headDim; i++) s += q[h * headDim + i]! * ks[j]![kvh * headDim + i]!;
        s *= scale;
        if (opts.softcap) s = Math.tanh(s / opts.softcap) * opts.softcap;
        scores.push(s);
      }
      const mx = Math.max(...scores);
      const e = scores.map((s) => Math.exp(s - mx));
      const sum = e.reduce((a, b) => a + b, 0);
      for (let j = lo; j <= p; j++) {
        const pj = r(e[j - lo]! / sum);
        for (let i = 0; i < headDim; i++) out[h * headDim + i] += pj * vs[j]![kvh * headDim + i]!;
      }
    }
    return out;
  });
}

/** SiLU: x * sigmoid(x). */
export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}

/** `gelu_pytorch_tanh`: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}

/**
 * GELU as llama.cpp's CPU backend evaluates it when `f16` is set: the f16 value of the
 * tanh GELU of the input rounded to f16, 0 at or below -10 and the identity at or above 10.
 */
export function geluTanhF16(x: number): number {
  if (x <= -10) return 0;
  if (x >= 10) return x;
  return toF16(geluTanh(toF16(x)));
}

/** Element-wise a + b. */
export function add(a: Vec, b: Vec): Vec {
  return a.map((v, i) => v + b[i]!);
}

/** Row `token` of an embedding matrix `[vocab, dim]`, times `scale`. */
export function embed(w: TinyTensor, token: number, scale = 1): Vec {
  const dim = w.shape[1]!;
  return Float64Array.from(w.data.subarray(token * dim, (token + 1) * dim), (v) => v * scale);
}
