// Activation conversion: before a matrix product ggml converts the input rows to the
// weight format's partner type (its `vec_dot_type`). These kernels do the same, once per
// matmul input, into layouts chosen for the dot-product kernels:
//   ACT_F32  / ACT_F16 / ACT_BF16: f32 values (rounded through f16 or bf16 for those two)
//   ACT_Q8_0 / ACT_Q8_1: 40-byte blocks of 32: f32 d, f32 s (= d * sum, Q8_1), 32 x i8
//   ACT_Q8_K: ggml's block_q8_K (f32 d, 256 x i8, 16 x i16 group sums), 292 bytes
//   ACT_Q8_0_I16 / ACT_Q8_K_I16: the same q8_0 / q8_K integers widened to i16 for the direct
//     kernels of qdot.ts (see the i16 layouts below)
//   ACT_Q8_K_I8 / ACT_Q8_0_I8: the q8_K / q8_0 integers as i8 in natural order, with the same
//     scale and sum arrays, for the relaxed-SIMD kernels of qdot-relaxed.ts
import { f32ToF16, f16ToF32, f32ToBF16, bf16ToF32 } from './f16';
import { hsumI32 } from './lanes';

export const ACT_F32: i32 = 0;
export const ACT_F16: i32 = 1;
export const ACT_BF16: i32 = 2;
export const ACT_Q8_0: i32 = 3;
export const ACT_Q8_1: i32 = 4;
export const ACT_Q8_K: i32 = 5;
export const ACT_Q8_0_I16: i32 = 6;
export const ACT_Q8_K_I16: i32 = 7;
export const ACT_Q8_K_I8: i32 = 8;
export const ACT_Q8_0_I8: i32 = 9;

export const Q8_BLOCK_BYTES: i32 = 40;
export const Q8K_BLOCK_BYTES: i32 = 292;

/** Bytes one converted row of `n` values takes in activation layout `kind`. */
export function actRowBytes(kind: i32, n: i32): i32 {
  if (kind == ACT_Q8_0 || kind == ACT_Q8_1) return (n >> 5) * Q8_BLOCK_BYTES;
  if (kind == ACT_Q8_K) return (n >> 8) * Q8K_BLOCK_BYTES;
  if (kind == ACT_Q8_0_I16 || kind == ACT_Q8_K_I16) return i16RowBytes(n);
  if (kind == ACT_Q8_K_I8 || kind == ACT_Q8_0_I8) return i8RowBytes(n);
  return n << 2;
}

/**
 * Converts `rows` rows of `n` f32 values (row stride `n`) at `x` into layout `kind` at `dst`
 * (row stride `actRowBytes(kind, n)`).
 */
export function convertActivations(kind: i32, x: usize, n: i32, rows: i32, dst: usize): void {
  const stride = <usize>actRowBytes(kind, n);
  for (let r = 0; r < rows; r++) {
    const src = x + (<usize>r * <usize>n << 2);
    const out = dst + <usize>r * stride;
    if (kind == ACT_F32) memory.copy(out, src, <usize>n << 2);
    else if (kind == ACT_F16) roundRowF16(src, out, n);
    else if (kind == ACT_BF16) roundRowBF16(src, out, n);
    else if (kind == ACT_Q8_0) quantizeRowQ8(src, out, n, false);
    else if (kind == ACT_Q8_1) quantizeRowQ8(src, out, n, true);
    else if (kind == ACT_Q8_K) quantizeRowQ8K(src, out, n);
    else if (kind == ACT_Q8_0_I16) quantizeRowQ8Int(src, out, n, true);
    else if (kind == ACT_Q8_0_I8) quantizeRowQ8Int(src, out, n, false);
    else if (kind == ACT_Q8_K_I16) quantizeRowQ8KInt(src, out, n, true);
    else quantizeRowQ8KInt(src, out, n, false);
  }
}

function roundRowF16(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(y + p, f16ToF32(f32ToF16(load<f32>(x + p))));
  }
}

function roundRowBF16(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(y + p, bf16ToF32(f32ToBF16(load<f32>(x + p))));
  }
}

/**
 * One 32-value q8_0 block as ggml's x86 quantizer makes it (scale 127/amax, round half to
 * even): the 32 integers stored as i8 at out, the scale d (before f16 rounding) returned.
 */
// @ts-ignore: decorator
@inline
function quantizeBlockQ8(src: usize, out: usize): f32 {
  const v0 = v128.load(src), v1 = v128.load(src, 16), v2 = v128.load(src, 32), v3 = v128.load(src, 48);
  const v4 = v128.load(src, 64), v5 = v128.load(src, 80), v6 = v128.load(src, 96), v7 = v128.load(src, 112);
  let m = f32x4.max(f32x4.max(f32x4.abs(v0), f32x4.abs(v1)), f32x4.max(f32x4.abs(v2), f32x4.abs(v3)));
  m = f32x4.max(m, f32x4.max(f32x4.max(f32x4.abs(v4), f32x4.abs(v5)), f32x4.max(f32x4.abs(v6), f32x4.abs(v7))));
  const amax = max<f32>(max<f32>(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max<f32>(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  const id: f32 = amax != 0 ? <f32>127.0 / amax : 0;
  const vid = f32x4.splat(id);
  const q0 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v0, vid)));
  const q1 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v1, vid)));
  const q2 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v2, vid)));
  const q3 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v3, vid)));
  const q4 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v4, vid)));
  const q5 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v5, vid)));
  const q6 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v6, vid)));
  const q7 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v7, vid)));
  // |q| <= 127: the narrowing saturates nothing
  v128.store(out, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(q0, q1), i16x8.narrow_i32x4_s(q2, q3)));
  v128.store(out, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(q4, q5), i16x8.narrow_i32x4_s(q6, q7)), 16);
  return amax / <f32>127.0;
}

/** Sum of the sixteen i8 values at p. */
// @ts-ignore: decorator
@inline
function sumI8x16(p: usize): i32 {
  return hsumI32(i32x4.extadd_pairwise_i16x8_s(i16x8.extadd_pairwise_i8x16_s(v128.load(p))));
}

/** ggml's x86 q8_0/q8_1 quantizer: scale 127/amax, round half to even. */
function quantizeRowQ8(x: usize, y: usize, n: i32, withSum: bool): void {
  const nb = n >> 5;
  for (let b = 0; b < nb; b++) {
    const blk = y + <usize>b * Q8_BLOCK_BYTES;
    const d = quantizeBlockQ8(x + (<usize>b << 7), blk + 8);
    store<f32>(blk, f16ToF32(f32ToF16(d)));
    if (withSum) {
      const sum = sumI8x16(blk + 8) + sumI8x16(blk + 24);
      store<f32>(blk, f16ToF32(f32ToF16(d * <f32>sum)), 4);
    } else {
      store<f32>(blk, 0, 4);
    }
  }
}

/** Round half to even through the 1.5 * 2^23 trick, as ggml's `nearest_int`. */
// @ts-ignore: decorator
@inline
function nearestInt(v: f32): i32 {
  const t = v + <f32>12582912.0;
  return (reinterpret<i32>(t) & 0x007fffff) - 0x00400000;
}

/**
 * The first of the 256 values at src with the largest magnitude (its sign sets q8_K's scale
 * sign, as in ggml); 0 when all are zero.
 */
// @ts-ignore: decorator
@inline
function signedMax256(src: usize): f32 {
  let amax: f32 = 0, mx: f32 = 0;
  for (let j = 0; j < 256; j++) {
    const v = load<f32>(src + (<usize>j << 2));
    const a = abs<f32>(v);
    if (a > amax) { amax = a; mx = v; }
  }
  return mx;
}

/** ggml's q8_K quantizer (the same on every CPU): scale -127/max by signed max. */
function quantizeRowQ8K(x: usize, y: usize, n: i32): void {
  const nb = n >> 8;
  for (let b = 0; b < nb; b++) {
    const src = x + (<usize>b << 10);
    const blk = y + <usize>b * Q8K_BLOCK_BYTES;
    const mx = signedMax256(src);
    if (mx == 0) {
      store<f32>(blk, 0);
      memory.fill(blk + 4, 0, 256 + 32);
      continue;
    }
    const iscale: f32 = <f32>-127.0 / mx;
    for (let j = 0; j < 256; j++) {
      const q = nearestInt(iscale * load<f32>(src + (<usize>j << 2)));
      store<i8>(blk + 4 + <usize>j, <i8>min<i32>(127, q));
    }
    for (let g = 0; g < 16; g++) {
      let s = 0;
      for (let l = 0; l < 16; l++) s += <i32>load<i8>(blk + 4 + <usize>(g * 16 + l));
      store<i16>(blk + 260 + (<usize>g << 1), <i16>s);
    }
    store<f32>(blk, <f32>1.0 / iscale);
  }
}

// The i16 layouts. A row of n values (n a multiple of 32) is, in order:
//   q:   n x i16: in natural order for q8_0; for q8_K each 32-value block permuted as
//        [even 0..14, odd 1..15, even 16..30, odd 17..31] (the order in which the K-quant
//        kernels unpack 4-bit and 6-bit weights from i16 lanes)
//   d:   n/32 x f32 slots: the q8_0 block scales, or (q8_K) one scale per 256 in the first n/256
//   s32: n/32 x i32, the sum of the q of each 32-value block
//   s16: n/16 x i32, the sum of the q of each 16-value group (ggml's q8_K bsums)

// The i8 layouts (ACT_Q8_K_I8, ACT_Q8_0_I8) hold n x i8 values in natural order, then the
// same scales (n/32 f32 slots at n), and the same sums as i16 (they fit: 32 x 127): s32 at
// n + n/8, s16 at n + n/8 + n/16. The kernels multiply i16 sums with `i32x4.dot_i16x8_s`.

/** Bytes of one row in an i16 layout. */
// @ts-ignore: decorator
@inline export function i16RowBytes(n: i32): i32 { return (n << 1) + (n >> 2) + (n >> 2); }
// @ts-ignore: decorator
@inline export function i16Scales(row: usize, n: i32): usize { return row + (<usize>n << 1); }
// @ts-ignore: decorator
@inline export function i16Sums32(row: usize, n: i32): usize { return row + (<usize>n << 1) + (<usize>n >> 3); }
// @ts-ignore: decorator
@inline export function i16Sums16(row: usize, n: i32): usize { return row + (<usize>n << 1) + (<usize>n >> 2); }

/** Bytes of one row in the i8 layout. */
// @ts-ignore: decorator
@inline export function i8RowBytes(n: i32): i32 { return n + (n >> 3) + (n >> 4) + (n >> 3); }
// @ts-ignore: decorator
@inline export function i8Scales(row: usize, n: i32): usize { return row + <usize>n; }
// @ts-ignore: decorator
@inline export function i8Sums32(row: usize, n: i32): usize { return row + <usize>n + (<usize>n >> 3); }
// @ts-ignore: decorator
@inline export function i8Sums16(row: usize, n: i32): usize { return row + <usize>n + (<usize>n >> 3) + (<usize>n >> 4); }

/** Stores sum number `i` of an array: i32 in the i16 layouts (`wide`), i16 in the i8 layouts. */
// @ts-ignore: decorator
@inline
function storeSum(array: usize, i: i32, v: i32, wide: bool): void {
  if (wide) store<i32>(array + (<usize>i << 2), v);
  else store<i16>(array + (<usize>i << 1), <i16>v);
}

/** Position of value e (0..31) of a block inside its permuted i16 block. */
// @ts-ignore: decorator
@inline
function permuted32(e: i32): i32 {
  return (e & 16) + ((e & 1) << 3) + ((e & 15) >> 1);
}

/** Stores 16 i8 values (block values h*16 .. h*16+15) as their permuted i16 halves. */
// @ts-ignore: decorator
@inline
function storePermuted16(q: v128, dst: usize): void {
  const split = i8x16.swizzle(q, i8x16(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15));
  v128.store(dst, i16x8.extend_low_i8x16_s(split));
  v128.store(dst, i16x8.extend_high_i8x16_s(split), 16);
}

/**
 * q8_0 quantization (the same integers and scales as quantizeRowQ8) into the i16 layout
 * (`wide`) or the i8 layout, values in natural order.
 */
function quantizeRowQ8Int(x: usize, y: usize, n: i32, wide: bool): void {
  const nb = n >> 5;
  const dOut = wide ? i16Scales(y, n) : i8Scales(y, n);
  const s32 = wide ? i16Sums32(y, n) : i8Sums32(y, n);
  const s16 = wide ? i16Sums16(y, n) : i8Sums16(y, n);
  for (let b = 0; b < nb; b++) {
    // i8 layout: the block's 32 bytes; i16 layout: the second half of its 64 bytes, widened below
    const out = wide ? y + (<usize>b << 6) : y + (<usize>b << 5);
    const q = wide ? out + 32 : out;
    const d = quantizeBlockQ8(x + (<usize>b << 7), q);
    const lo = sumI8x16(q), hi = sumI8x16(q + 16);
    if (wide) {
      const q01 = v128.load(q), q23 = v128.load(q, 16);
      v128.store(out, i16x8.extend_low_i8x16_s(q01));
      v128.store(out, i16x8.extend_high_i8x16_s(q01), 16);
      v128.store(out, i16x8.extend_low_i8x16_s(q23), 32);
      v128.store(out, i16x8.extend_high_i8x16_s(q23), 48);
    }
    store<f32>(dOut + (<usize>b << 2), f16ToF32(f32ToF16(d)));
    storeSum(s16, 2 * b, lo, wide);
    storeSum(s16, 2 * b + 1, hi, wide);
    storeSum(s32, b, lo + hi, wide);
  }
}

/**
 * q8_K quantization (the same integers and scales as quantizeRowQ8K) into the i16 layout
 * (`wide`) or the i8 layout.
 */
function quantizeRowQ8KInt(x: usize, y: usize, n: i32, wide: bool): void {
  const nb = n >> 8;
  const dOut = wide ? i16Scales(y, n) : i8Scales(y, n);
  const s32 = wide ? i16Sums32(y, n) : i8Sums32(y, n);
  const s16 = wide ? i16Sums16(y, n) : i8Sums16(y, n);
  const qBytes: usize = wide ? 512 : 256;
  for (let b = 0; b < nb; b++) {
    const src = x + (<usize>b << 10);
    const out = y + <usize>b * qBytes;
    const mx = signedMax256(src);
    if (mx == 0) {
      store<f32>(dOut + (<usize>b << 2), 0);
      memory.fill(out, 0, qBytes);
      for (let g = 0; g < 8; g++) storeSum(s32, b * 8 + g, 0, wide);
      for (let g = 0; g < 16; g++) storeSum(s16, b * 16 + g, 0, wide);
      continue;
    }
    const iscale: f32 = <f32>-127.0 / mx;
    for (let g = 0; g < 8; g++) {
      let s0 = 0, s1 = 0;
      for (let e = 0; e < 32; e++) {
        const q = min<i32>(127, nearestInt(iscale * load<f32>(src + (<usize>(g * 32 + e) << 2))));
        if (wide) store<i16>(out + (<usize>g << 6) + (<usize>permuted32(e) << 1), <i16>q);
        else store<i8>(out + <usize>(g * 32 + e), <i8>q);
        if (e < 16) s0 += q; else s1 += q;
      }
      storeSum(s16, b * 16 + g * 2, s0, wide);
      storeSum(s16, b * 16 + g * 2 + 1, s1, wide);
      storeSum(s32, b * 8 + g, s0 + s1, wide);
    }
    store<f32>(dOut + (<usize>b << 2), <f32>1.0 / iscale);
  }
}
