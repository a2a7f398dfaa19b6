// Direct dot products of quantized weight rows with activations in the i16 layouts of
// activations.ts, for the weight types that dominate real models (Q4_0, Q8_0, Q4_K, Q6_K).
// They read each weight byte once, straight from its GGUF block, with no decoded copy, and
// multiply with `i32x4.dot_i16x8_s` against activations that were widened to i16 once per
// matrix product.
//
// Each result has the same bits as matmul.ts's decoded path (decodeRow + dotB32 / dotK):
//   Q4_0, Q8_0: the same four i32 lane partial sums per block (values {2i, 2i+1, 8+2i, 9+2i}
//     of each 16), scaled by d_w * d_a and accumulated block by block into four f32 lanes;
//   Q4_K, Q6_K: the same exact integer sums per super-block (4-bit and 6-bit values are
//     unpacked from 16-bit lanes with masks and shifts, which is why q8_K activations are
//     stored permuted), then d * isum - dmin * msum as before.
import { i16Scales, i16Sums16, i16Sums32 } from './activations';
import { f16x4ToF32, loadF16 } from './f16';

// @ts-ignore: decorator
@inline
function hsumI(v: v128): i32 {
  return (i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1)) + (i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3));
}

// @ts-ignore: decorator
@inline
function hsumF(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** The f16 values at p, p + stride, p + 2 stride, p + 3 stride as an f32x4 (finite values). */
// @ts-ignore: decorator
@inline
function f16x4Strided(p: usize, stride: usize): v128 {
  let h = v128.load16_lane(p, i32x4.splat(0), 0);
  h = v128.load16_lane(p + stride, h, 2);
  h = v128.load16_lane(p + 2 * stride, h, 4);
  h = v128.load16_lane(p + 3 * stride, h, 6);
  return f16x4ToF32(h);
}

/**
 * Four i32 partial sums of one 32-value block: signed i8 weights `lo` (values 0..15) and
 * `hi` (values 16..31) times 32 i16 activations in natural order. Lane i sums values
 * {2i, 2i+1, 8+2i, 9+2i} of each half, the partition of the decoded path in matmul.ts,
 * so that the two paths give the same bits.
 */
// @ts-ignore: decorator
@inline
function block32(lo: v128, hi: v128, a: usize): v128 {
  const p0 = i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(lo), v128.load(a));
  const p1 = i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(lo), v128.load(a, 16));
  const p2 = i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(hi), v128.load(a, 32));
  const p3 = i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(hi), v128.load(a, 48));
  return i32x4.add(i32x4.add(p0, p1), i32x4.add(p2, p3));
}

// TurboFan schedules the loads of a basic block early, so a long unrolled body keeps dozens
// of vectors live and spills them. The kernels below therefore loop over small pieces (one
// 32-value block, or one 64-value chunk of a super-block) and keep per-block scalars in
// the caller's scratch memory.

/** One Q4_0 row of n values at w times one ACT_Q8_0_I16 row at a (`scratch`: 16 bytes). */
export function dotQ4_0(w: usize, n: i32, a: usize, scratch: usize): f32 {
  const nb = n >> 5;
  const ad = i16Scales(a, n);
  const m = i8x16.splat(0x0f), eight = i8x16.splat(8);
  let acc = f32x4.splat(0);
  for (let b0 = 0; b0 < nb; b0 += 4) {
    const wp0 = w + <usize>b0 * 18;
    if (b0 + 4 <= nb) {
      v128.store(scratch, f32x4.mul(f16x4Strided(wp0, 18), v128.load(ad + (<usize>b0 << 2))));
    } else {
      for (let b = b0; b < nb; b++) store<f32>(scratch + (<usize>(b - b0) << 2), loadF16(w + <usize>b * 18) * load<f32>(ad + (<usize>b << 2)));
    }
    const end = min<i32>(nb, b0 + 4);
    for (let b = b0; b < end; b++) {
      const wp = w + <usize>b * 18;
      const x = v128.load(wp + 2);
      const lo = i8x16.sub(v128.and(x, m), eight);
      const hi = i8x16.sub(v128.and(i16x8.shr_u(x, 4), m), eight);
      const p = block32(lo, hi, a + (<usize>b << 6));
      acc = f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(p), v128.load32_splat(scratch + (<usize>(b - b0) << 2))));
    }
  }
  return hsumF(acc);
}

/** One Q8_0 row of n values at w times one ACT_Q8_0_I16 row at a (`scratch`: 16 bytes). */
export function dotQ8_0(w: usize, n: i32, a: usize, scratch: usize): f32 {
  const nb = n >> 5;
  const ad = i16Scales(a, n);
  let acc = f32x4.splat(0);
  for (let b0 = 0; b0 < nb; b0 += 4) {
    const wp0 = w + <usize>b0 * 34;
    if (b0 + 4 <= nb) {
      v128.store(scratch, f32x4.mul(f16x4Strided(wp0, 34), v128.load(ad + (<usize>b0 << 2))));
    } else {
      for (let b = b0; b < nb; b++) store<f32>(scratch + (<usize>(b - b0) << 2), loadF16(w + <usize>b * 34) * load<f32>(ad + (<usize>b << 2)));
    }
    const end = min<i32>(nb, b0 + 4);
    for (let b = b0; b < end; b++) {
      const wp = w + <usize>b * 34;
      const p = block32(v128.load(wp + 2), v128.load(wp + 18), a + (<usize>b << 6));
      acc = f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(p), v128.load32_splat(scratch + (<usize>(b - b0) << 2))));
    }
  }
  return hsumF(acc);
}

/** One Q4_K row of n values at w times one ACT_Q8_K_I16 row at a (`scratch`: 32 bytes). */
export function dotQ4_K(w: usize, n: i32, a: usize, scratch: usize): f32 {
  const nb = n >> 8;
  const ad = i16Scales(a, n), as = i16Sums32(a, n);
  const m = i16x8.splat(0x0f);
  let acc: f32 = 0;
  for (let b = 0; b < nb; b++) {
    const blk = w + <usize>b * 144;
    const ab = a + (<usize>b << 9);
    // the 6-bit scales and mins of the 8 sub-blocks, unpacked from their 12 bytes
    const u0 = load<u32>(blk + 4), u1 = load<u32>(blk + 8), u2 = load<u32>(blk + 12);
    const sc0 = u0 & 0x3f3f3f3f;
    const sc1 = (u2 & 0x0f0f0f0f) | (((u0 >> 6) & 0x03030303) << 4);
    const mn0 = u1 & 0x3f3f3f3f;
    const mn1 = ((u2 >> 4) & 0x0f0f0f0f) | (((u1 >> 6) & 0x03030303) << 4);
    store<u32>(scratch, sc0);
    store<u32>(scratch, sc1, 4);
    // sub-blocks 2j and 2j+1 are the low and high nibbles of quant bytes 32j .. 32j+31
    let isum = i32x4.splat(0);
    for (let j = 0; j < 4; j++) {
      const q = blk + 16 + (<usize>j << 5);
      const ap = ab + (<usize>j << 7);
      const x = v128.load(q), y = v128.load(q, 16);
      const pl = i32x4.add(
        i32x4.add(i32x4.dot_i16x8_s(v128.and(x, m), v128.load(ap)), i32x4.dot_i16x8_s(v128.and(i16x8.shr_u(x, 8), m), v128.load(ap, 16))),
        i32x4.add(i32x4.dot_i16x8_s(v128.and(y, m), v128.load(ap, 32)), i32x4.dot_i16x8_s(v128.and(i16x8.shr_u(y, 8), m), v128.load(ap, 48))));
      const ph = i32x4.add(
        i32x4.add(i32x4.dot_i16x8_s(v128.and(i16x8.shr_u(x, 4), m), v128.load(ap, 64)), i32x4.dot_i16x8_s(i16x8.shr_u(x, 12), v128.load(ap, 80))),
        i32x4.add(i32x4.dot_i16x8_s(v128.and(i16x8.shr_u(y, 4), m), v128.load(ap, 96)), i32x4.dot_i16x8_s(i16x8.shr_u(y, 12), v128.load(ap, 112))));
      isum = i32x4.add(isum, i32x4.add(
        i32x4.mul(pl, i32x4.splat(<i32>load<u8>(scratch + <usize>(2 * j)))),
        i32x4.mul(ph, i32x4.splat(<i32>load<u8>(scratch + <usize>(2 * j + 1))))));
    }
    const mnb = i16x8.extend_low_i8x16_u(i32x4(<i32>mn0, <i32>mn1, 0, 0));
    const bs = as + (<usize>b << 5);
    const msum = i32x4.add(
      i32x4.mul(v128.load(bs), i32x4.extend_low_i16x8_u(mnb)),
      i32x4.mul(v128.load(bs, 16), i32x4.extend_high_i16x8_u(mnb)));
    const yd = load<f32>(ad + (<usize>b << 2));
    const d = loadF16(blk) * yd;
    const dmin = loadF16(blk + 2) * yd;
    acc += d * <f32>hsumI(isum) - dmin * <f32>hsumI(msum);
  }
  return acc;
}

/** Sum of q * a over 16 values (8 even, 8 odd in i16 lanes) of a Q6_K sub-block. */
// @ts-ignore: decorator
@inline
function groupQ6(even: v128, odd: v128, a: usize): v128 {
  return i32x4.add(i32x4.dot_i16x8_s(even, v128.load(a)), i32x4.dot_i16x8_s(odd, v128.load(a, 16)));
}

/** One Q6_K row of n values at w times one ACT_Q8_K_I16 row at a. */
export function dotQ6_K(w: usize, n: i32, a: usize): f32 {
  const nb = n >> 8;
  const ad = i16Scales(a, n), s16 = i16Sums16(a, n);
  const m = i16x8.splat(0x0f), three = i16x8.splat(3), hb = i16x8.splat(0x30);
  let acc: f32 = 0;
  for (let b = 0; b < nb; b++) {
    const blk = w + <usize>b * 210;
    const ab = a + (<usize>b << 9);
    const gs = s16 + (<usize>b << 6);
    let isum = i32x4.splat(0);
    // In each 128-value half, ql chunk c (bytes 32c .. 32c+31) holds sub-block c in its low
    // nibbles and sub-block c + 2 in its high nibbles; their top 2 bits are bits 2c, 2c+1
    // and 2c+4, 2c+5 of qh[0..31], which a shift by 2 per chunk brings to bits 0-1 and 4-5.
    for (let h = 0; h < 2; h++) {
      let q0 = v128.load(blk + 128 + (<usize>h << 5)), q1 = v128.load(blk + 144 + (<usize>h << 5));
      for (let c = 0; c < 2; c++) {
        const ql = blk + (<usize>h << 6) + (<usize>c << 5);
        const k = (h << 2) + c;
        const lo = ab + (<usize>k << 6), hi = lo + 128;
        const l0 = v128.load(ql), l1 = v128.load(ql, 16);
        const g0 = groupQ6(
          v128.or(v128.and(l0, m), i16x8.shl(v128.and(q0, three), 4)),
          v128.or(v128.and(i16x8.shr_u(l0, 8), m), v128.and(i16x8.shr_u(q0, 4), hb)), lo);
        const g1 = groupQ6(
          v128.or(v128.and(l1, m), i16x8.shl(v128.and(q1, three), 4)),
          v128.or(v128.and(i16x8.shr_u(l1, 8), m), v128.and(i16x8.shr_u(q1, 4), hb)), lo + 32);
        const g2 = groupQ6(
          v128.or(v128.and(i16x8.shr_u(l0, 4), m), v128.and(q0, hb)),
          v128.or(i16x8.shr_u(l0, 12), v128.and(i16x8.shr_u(q0, 8), hb)), hi);
        const g3 = groupQ6(
          v128.or(v128.and(i16x8.shr_u(l1, 4), m), v128.and(q1, hb)),
          v128.or(i16x8.shr_u(l1, 12), v128.and(i16x8.shr_u(q1, 8), hb)), hi + 32);
        const sc = blk + 192 + (<usize>k << 1);
        isum = i32x4.add(isum, i32x4.add(
          i32x4.add(i32x4.mul(g0, i32x4.splat(<i32>load<i8>(sc))), i32x4.mul(g1, i32x4.splat(<i32>load<i8>(sc, 1)))),
          i32x4.add(i32x4.mul(g2, i32x4.splat(<i32>load<i8>(sc, 4))), i32x4.mul(g3, i32x4.splat(<i32>load<i8>(sc, 5))))));
        q0 = i16x8.shr_u(q0, 2);
        q1 = i16x8.shr_u(q1, 2);
      }
    }
    // q - 32 summed against a: subtract 32 * scale * (sum of a) per group of 16
    const sc8 = i16x8.extend_low_i8x16_s(v128.load(blk + 192));
    const sc16 = i16x8.extend_high_i8x16_s(v128.load(blk + 192));
    let corr = i32x4.mul(v128.load(gs), i32x4.extend_low_i16x8_s(sc8));
    corr = i32x4.add(corr, i32x4.mul(v128.load(gs, 16), i32x4.extend_high_i16x8_s(sc8)));
    corr = i32x4.add(corr, i32x4.mul(v128.load(gs, 32), i32x4.extend_low_i16x8_s(sc16)));
    corr = i32x4.add(corr, i32x4.mul(v128.load(gs, 48), i32x4.extend_high_i16x8_s(sc16)));
    const total = hsumI(isum) - (hsumI(corr) << 5);
    acc += (loadF16(blk + 208) * load<f32>(ad + (<usize>b << 2))) * <f32>total;
  }
  return acc;
}
