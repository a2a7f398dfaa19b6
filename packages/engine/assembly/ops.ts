// Element-wise and attention kernels of the forward pass, following ggml-cpu's arithmetic:
// f32 values, f64 only where ggml sums in ggml_float (RMS norm, softmax denominator).
import { f32ToF16, f16ToF32, loadF16x4 } from './f16';

/**
 * RMS norm of `rows` rows of `n` values: y = x * (1 / sqrt(mean(x^2) + eps)), times the
 * weight vector `w` when `w` is not 0. The sum of squares is taken in f64 as ggml does.
 */
export function rmsNorm(x: usize, w: usize, n: i32, rows: i32, eps: f32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const src = x + (<usize>r * <usize>n << 2);
    const dst = out + (<usize>r * <usize>n << 2);
    let sum: f64 = 0;
    for (let i = 0; i < n; i++) {
      const v = load<f32>(src + (<usize>i << 2));
      sum += <f64>(v * v);
    }
    const mean = <f32>(sum / <f64>n);
    const scale: f32 = <f32>1.0 / Mathf.sqrt(mean + eps);
    if (w != 0) {
      for (let i = 0; i < n; i++) {
        const o = <usize>i << 2;
        store<f32>(dst + o, (load<f32>(src + o) * scale) * load<f32>(w + o));
      }
    } else {
      for (let i = 0; i < n; i++) {
        const o = <usize>i << 2;
        store<f32>(dst + o, load<f32>(src + o) * scale);
      }
    }
  }
}

/** out[i] = a[i] + b[i] for n values. */
export function add(a: usize, b: usize, n: i32, out: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(a + o) + load<f32>(b + o));
  }
}

/** Adds the vector `bias` (n values) to each of `rows` rows of x (in place). */
export function addRows(x: usize, bias: usize, n: i32, rows: i32): void {
  for (let r = 0; r < rows; r++) {
    const row = x + (<usize>r * <usize>n << 2);
    add(row, bias, n, row);
  }
}

/** Multiplies n values by s (in place). */
export function scale(x: usize, n: i32, s: f32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, load<f32>(x + o) * s);
  }
}

/** Logit soft-capping as ggml composes it: cap * tanh(x * (1 / cap)), in place. */
export function softcap(x: usize, n: i32, cap: f32): void {
  const inv: f32 = <f32>1.0 / cap;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, Mathf.tanh(load<f32>(x + o) * inv) * cap);
  }
}

/** out = silu(g) * u, silu(x) = x / (1 + exp(-x)). */
export function swiglu(g: usize, u: usize, n: i32, out: usize): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(g + o);
    store<f32>(out + o, (x / (<f32>1.0 + Mathf.exp(-x))) * load<f32>(u + o));
  }
}

/**
 * out = gelu(g) * u with ggml's tanh-approximation GELU looked up in an f16 table
 * (`table[h]` = f16 bits of gelu(f16 value h)), saturating outside (-10, 10) as ggml does.
 */
export function geglu(g: usize, u: usize, n: i32, out: usize, table: usize): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(g + o);
    let v: f32;
    if (x <= <f32>-10.0) v = 0;
    else if (x >= <f32>10.0) v = x * load<f32>(u + o);
    else v = f16ToF32(<u32>load<u16>(table + (<usize>f32ToF16(x) << 1))) * load<f32>(u + o);
    store<f32>(out + o, v);
  }
}

/** Rounds n f32 values to f16 and stores the bit patterns at `dst`. */
export function toF16(src: usize, n: i32, dst: usize): void {
  for (let i = 0; i < n; i++) store<u16>(dst + (<usize>i << 1), <u16>f32ToF16(load<f32>(src + (<usize>i << 2))));
}

/**
 * Rotary embedding in place on `nTok` rows of `nHeads` heads of `headDim` values. `cs` holds
 * per token nRot/2 (cos, sin) pairs. Normal mode rotates adjacent pairs (x[2i], x[2i+1]);
 * NeoX mode rotates (x[i], x[i + nRot/2]). Dimensions past nRot are left alone.
 */
export function rope(x: usize, nTok: i32, nHeads: i32, headDim: i32, nRot: i32, cs: usize, neox: bool): void {
  const half = nRot >> 1;
  for (let t = 0; t < nTok; t++) {
    const c = cs + (<usize>(t * nRot) << 2);
    for (let h = 0; h < nHeads; h++) {
      const base = x + (<usize>((t * nHeads + h) * headDim) << 2);
      for (let i = 0; i < half; i++) {
        const cos = load<f32>(c + (<usize>(2 * i) << 2));
        const sin = load<f32>(c + (<usize>(2 * i + 1) << 2));
        const k0: i32 = neox ? i : 2 * i;
        const k1: i32 = neox ? i + half : 2 * i + 1;
        const p0 = base + (<usize>k0 << 2);
        const p1 = base + (<usize>k1 << 2);
        const x0 = load<f32>(p0), x1 = load<f32>(p1);
        store<f32>(p0, x0 * cos - x1 * sin);
        store<f32>(p1, x0 * sin + x1 * cos);
      }
    }
  }
}

/**
 * Causal self-attention for `nTok` query rows at positions pos0.. over an f16 KV cache
 * (position-major: K and V rows of `kvDim` = nKvHeads * headDim values), as llama.cpp's
 * CPU graph computes it without flash attention: Q rounded to f16 for the K dot products,
 * optional soft-capping, softmax of s * scale with max subtraction and an f64 sum, the
 * probabilities rounded to f16 for the V product. `window` > 0 limits each query to the
 * last `window` positions. Writes nTok rows of nHeads * headDim values to `out`.
 * `scratch`: 4 * (group * (headDim + the longest span + 1) + ATTENTION_KEY_BLOCK * (headDim + 1))
 * bytes, group = nHeads / nKvHeads.
 */
export function attention(
  q: usize, nTok: i32, pos0: i32, kCache: usize, vCache: usize,
  nHeads: i32, nKvHeads: i32, headDim: i32, kqScale: f32, cap: f32, window: i32,
  out: usize, scratch: usize,
): void {
  const group = nHeads / nKvHeads;
  for (let t = 0; t < nTok; t++) {
    for (let h = 0; h < nHeads; h += group) {
      attentionHeads(q, t, h, group, pos0, kCache, vCache, nHeads, nKvHeads, headDim, kqScale, cap, window, out, scratch);
    }
  }
}

/** Keys whose K or V rows attentionHeads widens to f32 at a time. */
const ATTENTION_KEY_BLOCK: i32 = 32;

/** ATTENTION_KEY_BLOCK, for the host's scratch sizes. */
export function attentionKeyBlock(): i32 {
  return ATTENTION_KEY_BLOCK;
}

/**
 * Query row `t`, heads h0 .. h0 + nh - 1 (all of one KV head's group) of `attention`: the
 * unit its threads share out. K and V rows are widened from f16 a block of keys at a time,
 * once for the nh heads. Each head's arithmetic is the same as alone and in the same order:
 * four heads' dot products run side by side (independent sums, one load of each K vector),
 * and each output vector gathers a block of keys in registers before it is stored.
 */
export function attentionHeads(
  q: usize, t: i32, h0: i32, nh: i32, pos0: i32, kCache: usize, vCache: usize,
  nHeads: i32, nKvHeads: i32, headDim: i32, kqScale: f32, cap: f32, window: i32,
  out: usize, scratch: usize,
): void {
  const group = nHeads / nKvHeads;
  const kvDim = nKvHeads * headDim;
  const p = pos0 + t;
  const lo = window > 0 ? max<i32>(0, p - window + 1) : 0;
  const span = p - lo + 1;
  const rowBytes = <usize>headDim << 2;
  // scratch: nh f16-rounded query rows, a block of widened K or V rows, one block of
  // probabilities, nh maxima (then norms), nh rows of scores
  const qf = scratch;
  const blk = qf + <usize>nh * rowBytes;
  const probs = blk + <usize>ATTENTION_KEY_BLOCK * rowBytes;
  const mxs = probs + (<usize>ATTENTION_KEY_BLOCK << 2);
  const scores = mxs + (<usize>nh << 2);
  const kvh = h0 / group;
  const kvOff = <usize>(kvh * headDim) << 1;
  for (let g = 0; g < nh; g++) {
    const qrow = q + (<usize>((t * nHeads + h0 + g) * headDim) << 2);
    const qg = qf + <usize>g * rowBytes;
    for (let i = 0; i < headDim; i++) store<f32>(qg + (<usize>i << 2), f16ToF32(f32ToF16(load<f32>(qrow + (<usize>i << 2)))));
    store<f32>(mxs + (<usize>g << 2), -Infinity);
  }
  for (let j0 = lo; j0 <= p; j0 += ATTENTION_KEY_BLOCK) {
    const jn = min<i32>(ATTENTION_KEY_BLOCK, p - j0 + 1);
    widenRows(kCache + (<usize>(j0 * kvDim) << 1) + kvOff, <usize>kvDim << 1, blk, jn, headDim);
    for (let jj = 0; jj < jn; jj++) {
      const kr = blk + <usize>jj * rowBytes;
      const at = j0 - lo + jj;
      let g = 0;
      for (; g + 4 <= nh; g += 4) {
        const q0 = qf + <usize>g * rowBytes, q1 = q0 + rowBytes, q2 = q1 + rowBytes, q3 = q2 + rowBytes;
        let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
        let i = 0;
        for (; i + 4 <= headDim; i += 4) {
          const o = <usize>i << 2;
          const k = v128.load(kr + o);
          a0 = f32x4.add(a0, f32x4.mul(v128.load(q0 + o), k));
          a1 = f32x4.add(a1, f32x4.mul(v128.load(q1 + o), k));
          a2 = f32x4.add(a2, f32x4.mul(v128.load(q2 + o), k));
          a3 = f32x4.add(a3, f32x4.mul(v128.load(q3 + o), k));
        }
        putScore(finishDot(a0, q0, kr, i, headDim), g, at, span, cap, kqScale, mxs, scores);
        putScore(finishDot(a1, q1, kr, i, headDim), g + 1, at, span, cap, kqScale, mxs, scores);
        putScore(finishDot(a2, q2, kr, i, headDim), g + 2, at, span, cap, kqScale, mxs, scores);
        putScore(finishDot(a3, q3, kr, i, headDim), g + 3, at, span, cap, kqScale, mxs, scores);
      }
      for (; g < nh; g++) {
        const qg = qf + <usize>g * rowBytes;
        let a = f32x4.splat(0);
        let i = 0;
        for (; i + 4 <= headDim; i += 4) a = f32x4.add(a, f32x4.mul(v128.load(qg + (<usize>i << 2)), v128.load(kr + (<usize>i << 2))));
        putScore(finishDot(a, qg, kr, i, headDim), g, at, span, cap, kqScale, mxs, scores);
      }
    }
  }
  for (let g = 0; g < nh; g++) {
    const sg = scores + (<usize>(g * span) << 2);
    const mx = load<f32>(mxs + (<usize>g << 2));
    let sum: f64 = 0;
    for (let j = 0; j < span; j++) {
      const e = Mathf.exp(load<f32>(sg + (<usize>j << 2)) - mx);
      store<f32>(sg + (<usize>j << 2), e);
      sum += <f64>e;
    }
    store<f32>(mxs + (<usize>g << 2), <f32>(1.0 / sum));
    memory.fill(out + (<usize>((t * nHeads + h0 + g) * headDim) << 2), 0, rowBytes);
  }
  for (let j0 = lo; j0 <= p; j0 += ATTENTION_KEY_BLOCK) {
    const jn = min<i32>(ATTENTION_KEY_BLOCK, p - j0 + 1);
    widenRows(vCache + (<usize>(j0 * kvDim) << 1) + kvOff, <usize>kvDim << 1, blk, jn, headDim);
    for (let g = 0; g < nh; g++) {
      const sg = scores + (<usize>(g * span + j0 - lo) << 2);
      const norm = load<f32>(mxs + (<usize>g << 2));
      for (let jj = 0; jj < jn; jj++) store<f32>(probs + (<usize>jj << 2), f16ToF32(f32ToF16(load<f32>(sg + (<usize>jj << 2)) * norm)));
      const orow = out + (<usize>((t * nHeads + h0 + g) * headDim) << 2);
      // each output value adds the block's keys in order, as one key at a time would
      let i = 0;
      for (; i + 16 <= headDim; i += 16) {
        const o = orow + (<usize>i << 2);
        let c0 = v128.load(o), c1 = v128.load(o, 16), c2 = v128.load(o, 32), c3 = v128.load(o, 48);
        for (let jj = 0; jj < jn; jj++) {
          const pv = v128.load32_splat(probs + (<usize>jj << 2));
          const vr = blk + <usize>jj * rowBytes + (<usize>i << 2);
          c0 = f32x4.add(c0, f32x4.mul(pv, v128.load(vr)));
          c1 = f32x4.add(c1, f32x4.mul(pv, v128.load(vr, 16)));
          c2 = f32x4.add(c2, f32x4.mul(pv, v128.load(vr, 32)));
          c3 = f32x4.add(c3, f32x4.mul(pv, v128.load(vr, 48)));
        }
        v128.store(o, c0);
        v128.store(o, c1, 16);
        v128.store(o, c2, 32);
        v128.store(o, c3, 48);
      }
      for (; i + 4 <= headDim; i += 4) {
        const o = orow + (<usize>i << 2);
        let c = v128.load(o);
        for (let jj = 0; jj < jn; jj++) {
          c = f32x4.add(c, f32x4.mul(v128.load32_splat(probs + (<usize>jj << 2)), v128.load(blk + <usize>jj * rowBytes + (<usize>i << 2))));
        }
        v128.store(o, c);
      }
      for (; i < headDim; i++) {
        const o = orow + (<usize>i << 2);
        let c = load<f32>(o);
        for (let jj = 0; jj < jn; jj++) c += load<f32>(probs + (<usize>jj << 2)) * load<f32>(blk + <usize>jj * rowBytes + (<usize>i << 2));
        store<f32>(o, c);
      }
    }
  }
}

/** The lane sum of a, then the scalar products of the dimensions past the last whole vector (from i). */
// @ts-ignore: decorator
@inline
function finishDot(a: v128, qg: usize, kr: usize, i: i32, headDim: i32): f32 {
  let s: f32 = (f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1)) + (f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3));
  for (; i < headDim; i++) s += load<f32>(qg + (<usize>i << 2)) * load<f32>(kr + (<usize>i << 2));
  return s;
}

/** Soft-caps and scales head g's score of key `at`, stores it and keeps the head's maximum. */
// @ts-ignore: decorator
@inline
function putScore(s: f32, g: i32, at: i32, span: i32, cap: f32, kqScale: f32, mxs: usize, scores: usize): void {
  if (cap > 0) s = Mathf.tanh(s * (<f32>1.0 / cap)) * cap;
  s = s * kqScale;
  store<f32>(scores + (<usize>(g * span + at) << 2), s);
  const m = mxs + (<usize>g << 2);
  if (s > load<f32>(m)) store<f32>(m, s);
}

/** n rows of `len` f16 values, `stride` bytes apart from src, widened to f32 rows packed at dst. */
// @ts-ignore: decorator
@inline
function widenRows(src: usize, stride: usize, dst: usize, n: i32, len: i32): void {
  for (let r = 0; r < n; r++) {
    const from = src + <usize>r * stride, to = dst + <usize>(r * len) * 4;
    let i = 0;
    for (; i + 4 <= len; i += 4) v128.store(to + (<usize>i << 2), loadF16x4(from + (<usize>i << 1)));
    for (; i < len; i++) store<f32>(to + (<usize>i << 2), f16ToF32(<u32>load<u16>(from + (<usize>i << 1))));
  }
}
