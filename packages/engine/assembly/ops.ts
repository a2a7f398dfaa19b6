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
 * `scratch`: 4 * (group * (headDim + the longest span + 1) + headDim) bytes, group = nHeads / nKvHeads.
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

/**
 * Query row `t`, heads h0 .. h0 + nh - 1 (all of one KV head's group) of `attention`: the
 * unit its threads share out. Each K and V row is widened from f16 once for the nh heads;
 * every head's arithmetic is the same as alone, in the same order.
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
  // scratch: nh f16-rounded query rows, one widened K or V row, nh maxima/norms, nh score rows
  const qf = scratch;
  const kv = qf + <usize>nh * rowBytes;
  const mxs = kv + rowBytes;
  const scores = mxs + (<usize>nh << 2);
  const inv: f32 = cap > 0 ? <f32>1.0 / cap : 0;
  const kvh = h0 / group;
  for (let g = 0; g < nh; g++) {
    const qrow = q + (<usize>((t * nHeads + h0 + g) * headDim) << 2);
    const qg = qf + <usize>g * rowBytes;
    for (let i = 0; i < headDim; i++) store<f32>(qg + (<usize>i << 2), f16ToF32(f32ToF16(load<f32>(qrow + (<usize>i << 2)))));
    store<f32>(mxs + (<usize>g << 2), -Infinity);
  }
  for (let j = lo; j <= p; j++) {
    widenRow(kCache + (<usize>(j * kvDim + kvh * headDim) << 1), kv, headDim);
    for (let g = 0; g < nh; g++) {
      const qg = qf + <usize>g * rowBytes;
      let acc = f32x4.splat(0);
      let i = 0;
      for (; i + 4 <= headDim; i += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(qg + (<usize>i << 2)), v128.load(kv + (<usize>i << 2))));
      let s: f32 = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
      for (; i < headDim; i++) s += load<f32>(qg + (<usize>i << 2)) * load<f32>(kv + (<usize>i << 2));
      if (cap > 0) s = Mathf.tanh(s * inv) * cap;
      s = s * kqScale;
      store<f32>(scores + (<usize>(g * span + j - lo) << 2), s);
      const m = mxs + (<usize>g << 2);
      if (s > load<f32>(m)) store<f32>(m, s);
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
  for (let j = lo; j <= p; j++) {
    widenRow(vCache + (<usize>(j * kvDim + kvh * headDim) << 1), kv, headDim);
    for (let g = 0; g < nh; g++) {
      const pj = f16ToF32(f32ToF16(load<f32>(scores + (<usize>(g * span + j - lo) << 2)) * load<f32>(mxs + (<usize>g << 2))));
      const orow = out + (<usize>((t * nHeads + h0 + g) * headDim) << 2);
      const pv = f32x4.splat(pj);
      let i = 0;
      for (; i + 4 <= headDim; i += 4) {
        const o = orow + (<usize>i << 2);
        v128.store(o, f32x4.add(v128.load(o), f32x4.mul(pv, v128.load(kv + (<usize>i << 2)))));
      }
      for (; i < headDim; i++) {
        const o = orow + (<usize>i << 2);
        store<f32>(o, load<f32>(o) + pj * load<f32>(kv + (<usize>i << 2)));
      }
    }
  }
}

/** The n f16 values at src widened to f32 at dst. */
// @ts-ignore: decorator
@inline
function widenRow(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), loadF16x4(src + (<usize>i << 1)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), f16ToF32(<u32>load<u16>(src + (<usize>i << 1))));
}
