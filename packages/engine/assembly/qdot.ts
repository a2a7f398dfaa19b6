// Direct dot products of quantized weight rows with activations in the i16 layouts of
// activations.ts, for the weight types that dominate real models (Q4_0, Q8_0, Q4_K, Q6_K).
// They read each weight byte once, with no decoded copy, straight from its GGUF block (Q4_K,
// Q4_0: from the packed layouts of packed.ts, rearranged at load), and
// multiply with `i32x4.dot_i16x8_s` against activations that were widened to i16 once per
// matrix product.
//
// Each result has the same bits as matmul.ts's decoded path (decodeRow + dotB32 / dotK):
//   Q4_0, Q8_0: each block's exact integer sum, times d_w * d_a, accumulated into f32 lane
//     (block mod 4) for the groups of four blocks, the lanes summed, then the remaining
//     blocks added one by one;
//   Q4_K, Q6_K: exact integer sums per super-block (4-bit and 6-bit values are unpacked
//     from 16-bit lanes with masks and shifts, which is why q8_K activations are stored
//     permuted), then per super-block (d * d_a) * isum - (dmin * d_a) * msum (Q4_K) or
//     (d * d_a) * isum (Q6_K) in f32, accumulated like the 32-value blocks: into lane
//     (super-block mod 4) for the groups of four, the lanes summed, then the rest one by one
//     (kTerms below). The relaxed-SIMD kernels of qdot-relaxed.ts take the same steps.
import { i16Scales, i16Sums16, i16Sums32 } from './activations';
import { f16x4ToF32, loadF16, loadF16x4 } from './f16';
import { hsumF, hsumI32 } from './lanes';
import { q40pGroupQuants, q40pQuants, q4kpD, q4kpDmin, q4kpGroup, q4kpQuants, q4kpScales } from './packed';

/** The f16 values at p, p + stride, p + 2 stride, p + 3 stride as an f32x4 (finite values). */
// @ts-ignore: decorator
@inline
export function f16x4Strided(p: usize, stride: usize): v128 {
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
// of vectors live and spills them. The kernels below unroll four 32-value blocks or a whole
// super-block and store their running sum to the caller's scratch memory after every piece:
// loads cannot move above a store, so each piece's loads stay next to their uses, and the
// unrolled body needs no loop counters or per-iteration stack checks.

/** The 32 signed values of a Q4_0 block's 16 quant bytes at qs: (low nibbles - 8, high nibbles - 8). */
// @ts-ignore: decorator
@inline
function blockQ4_0(qs: usize, a: usize): v128 {
  const m = i8x16.splat(0x0f), eight = i8x16.splat(8);
  const x = v128.load(qs);
  return block32(i8x16.sub(v128.and(x, m), eight), i8x16.sub(v128.and(i16x8.shr_u(x, 4), m), eight), a);
}

// @ts-ignore: decorator
@inline
function blockQ8_0(wp: usize, a: usize): v128 {
  return block32(v128.load(wp, 2), v128.load(wp, 18), a);
}

/**
 * The exact integer sums of four blocks from their i32x4 partial sums, as one i32x4:
 * (p0, p1) and (p2, p3) are folded pairwise, then the two halves.
 */
// @ts-ignore: decorator
@inline
export function foldPair(p: v128, q: v128): v128 {
  return i32x4.add(i32x4.shuffle(p, q, 0, 2, 4, 6), i32x4.shuffle(p, q, 1, 3, 5, 7));
}

/**
 * acc plus the four blocks b0 .. b0+3 of a packed Q4_0 (`q8` false, packed.ts) or Q8_0 row
 * at w times the activations at a: each block's exact integer sum, converted, times
 * d_w * d_a, added to its lane (b mod 4) of acc.
 */
// @ts-ignore: decorator
@inline
function fourBlocks(q8: bool, w: usize, a: usize, ad: usize, b0: i32, acc: v128, scratch: usize): v128 {
  const bb: usize = q8 ? 34 : 18;
  const wp = w + <usize>b0 * bb;
  const ap = a + (<usize>b0 << 6);
  const p0 = q8 ? blockQ8_0(wp, ap) : blockQ4_0(q40pGroupQuants(wp, 0), ap);
  const p1 = q8 ? blockQ8_0(wp + bb, ap + 64) : blockQ4_0(q40pGroupQuants(wp, 1), ap + 64);
  const f01 = foldPair(p0, p1);
  v128.store(scratch, f01);
  const p2 = q8 ? blockQ8_0(wp + 2 * bb, ap + 128) : blockQ4_0(q40pGroupQuants(wp, 2), ap + 128);
  const p3 = q8 ? blockQ8_0(wp + 3 * bb, ap + 192) : blockQ4_0(q40pGroupQuants(wp, 3), ap + 192);
  const sums = foldPair(f01, foldPair(p2, p3));
  const d = q8 ? f16x4Strided(wp, bb) : loadF16x4(wp);
  const s = f32x4.mul(d, v128.load(ad + (<usize>b0 << 2)));
  return f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(sums), s));
}

/** Shared body of dotQ4_0 and dotQ8_0; blocks past the last group of four add up in f32 after it. */
// @ts-ignore: decorator
@inline
function dotB32Direct(q8: bool, w: usize, n: i32, a: usize, scratch: usize): f32 {
  const nb = n >> 5;
  const ad = i16Scales(a, n);
  const bb: usize = q8 ? 34 : 18;
  let acc = f32x4.splat(0);
  let b = 0;
  for (; b + 4 <= nb; b += 4) acc = fourBlocks(q8, w, a, ad, b, acc, scratch);
  let sum = hsumF(acc);
  // the blocks past the last group are GGUF blocks in both layouts
  for (; b < nb; b++) {
    const wp = w + <usize>b * bb;
    const ap = a + (<usize>b << 6);
    const scale = loadF16(wp) * load<f32>(ad + (<usize>b << 2));
    sum += <f32>hsumI32(q8 ? blockQ8_0(wp, ap) : blockQ4_0(q40pQuants(w, nb & ~3, b), ap)) * scale;
  }
  return sum;
}

/** One packed Q4_0 row (packed.ts) of n values at w times one ACT_Q8_0_I16 row at a (`scratch`: 16 bytes). */
export function dotQ4_0(w: usize, n: i32, a: usize, scratch: usize): f32 {
  return dotB32Direct(false, w, n, a, scratch);
}

/** One Q8_0 row of n values at w times one ACT_Q8_0_I16 row at a (`scratch`: 16 bytes). */
export function dotQ8_0(w: usize, n: i32, a: usize, scratch: usize): f32 {
  return dotB32Direct(true, w, n, a, scratch);
}

/** (hsum a, *, hsum b, *) of two i32x4 vectors. */
// @ts-ignore: decorator
@inline
export function hsum2(a: v128, b: v128): v128 {
  const ab = i32x4.add(i32x4.shuffle(a, b, 0, 2, 4, 6), i32x4.shuffle(a, b, 1, 3, 5, 7));
  return i32x4.add(ab, i32x4.shuffle(ab, ab, 1, 0, 3, 2));
}

/** Sum of four dot products of i16 weight vectors with the 32 activations at ap. */
// @ts-ignore: decorator
@inline
function dot4(w0: v128, w1: v128, w2: v128, w3: v128, ap: usize): v128 {
  return i32x4.add(
    i32x4.add(i32x4.dot_i16x8_s(w0, v128.load(ap)), i32x4.dot_i16x8_s(w1, v128.load(ap, 16))),
    i32x4.add(i32x4.dot_i16x8_s(w2, v128.load(ap, 32)), i32x4.dot_i16x8_s(w3, v128.load(ap, 48))));
}

/**
 * isum plus one 64-value piece of a Q4_K super-block: sub-blocks 2j and 2j+1 are the low
 * and high nibbles of the 32 quant bytes at q, multiplied with the activations at ap (in
 * the permuted order of the i16 layout) and by their scales, which `sc` holds in the low
 * and high 16 bits of every i32 lane.
 */
// @ts-ignore: decorator
@inline
function pieceQ4K(q: usize, ap: usize, sc: v128, isum: v128, scratch: usize): v128 {
  const m = i16x8.splat(0x0f);
  const x = v128.load(q), y = v128.load(q, 16);
  const pl = dot4(v128.and(x, m), v128.and(i16x8.shr_u(x, 8), m), v128.and(y, m), v128.and(i16x8.shr_u(y, 8), m), ap);
  let r = i32x4.add(isum, i32x4.mul(pl, v128.and(sc, i32x4.splat(0xffff))));
  v128.store(scratch, r);
  const ph = dot4(v128.and(i16x8.shr_u(x, 4), m), i16x8.shr_u(x, 12), v128.and(i16x8.shr_u(y, 4), m), i16x8.shr_u(y, 12), ap + 64);
  r = i32x4.add(r, i32x4.mul(ph, i32x4.shr_u(sc, 16)));
  v128.store(scratch, r);
  return r;
}

// Super-block sums are parked in scratch: I at scratch + 16, M at scratch + 32, slot
// (super-block mod 4), until a group of four is complete.

/** (d * ad) * I - (dmin * ad) * M, lane by lane: the f32 values of four Q4_K super-blocks. */
// @ts-ignore: decorator
@inline
export function termQ4K(d: v128, dmin: v128, ad: v128, i: v128, m: v128): v128 {
  return f32x4.sub(f32x4.mul(f32x4.mul(d, ad), f32x4.convert_i32x4_s(i)), f32x4.mul(f32x4.mul(dmin, ad), f32x4.convert_i32x4_s(m)));
}

/** (d * ad) * I, lane by lane: the f32 values of four Q6_K super-blocks. */
// @ts-ignore: decorator
@inline
export function termQ6K(d: v128, ad: v128, i: v128): v128 {
  return f32x4.mul(f32x4.mul(d, ad), f32x4.convert_i32x4_s(i));
}

/** Parks super-block b's sums I (lane 0 of im) and M (lane 2) in scratch. */
// @ts-ignore: decorator
@inline
export function parkSums(im: v128, b: i32, scratch: usize): void {
  const slot = <usize>(b & 3) << 2;
  v128.store32_lane(scratch + 16 + slot, im, 0);
  v128.store32_lane(scratch + 32 + slot, im, 2);
}

/**
 * acc plus the f32 values of the four Q4_K super-blocks ending at b (when b is the last of
 * a group of four; else acc), from the sums parked in scratch; w is a packed Q4_K row.
 */
// @ts-ignore: decorator
@inline
export function groupQ4K(acc: v128, w: usize, b: i32, ad: usize, scratch: usize): v128 {
  if ((b & 3) != 3) return acc;
  const g = q4kpGroup(w, b);
  return f32x4.add(acc, termQ4K(v128.load(g), v128.load(g, 16), v128.load(ad + (<usize>(b - 3) << 2)), v128.load(scratch, 16), v128.load(scratch, 32)));
}

/** The lanes of acc summed, plus the super-blocks past the last group of four one by one. */
// @ts-ignore: decorator
@inline
export function tailQ4K(acc: v128, w: usize, nb: i32, ad: usize, scratch: usize): f32 {
  let sum = hsumF(acc);
  for (let b = nb & ~3; b < nb; b++) {
    const slot = <usize>(b & 3) << 2;
    const t = termQ4K(f32x4.splat(load<f32>(q4kpD(w, nb & ~3, b))), f32x4.splat(load<f32>(q4kpDmin(w, nb & ~3, b))), f32x4.splat(load<f32>(ad + (<usize>b << 2))),
      i32x4.splat(load<i32>(scratch + 16 + slot)), i32x4.splat(load<i32>(scratch + 32 + slot)));
    sum += f32x4.extract_lane(t, 0);
  }
  return sum;
}

/** The Q6_K counterpart of groupQ4K (sums I only). */
// @ts-ignore: decorator
@inline
export function groupQ6K(acc: v128, w: usize, b: i32, ad: usize, scratch: usize): v128 {
  if ((b & 3) != 3) return acc;
  const blk = w + <usize>(b - 3) * 210;
  return f32x4.add(acc, termQ6K(f16x4Strided(blk + 208, 210), v128.load(ad + (<usize>(b - 3) << 2)), v128.load(scratch, 16)));
}

/** The Q6_K counterpart of tailQ4K. */
// @ts-ignore: decorator
@inline
export function tailQ6K(acc: v128, w: usize, nb: i32, ad: usize, scratch: usize): f32 {
  let sum = hsumF(acc);
  for (let b = nb & ~3; b < nb; b++) {
    const t = termQ6K(f32x4.splat(loadF16(w + <usize>b * 210 + 208)), f32x4.splat(load<f32>(ad + (<usize>b << 2))),
      i32x4.splat(load<i32>(scratch + 16 + (<usize>(b & 3) << 2))));
    sum += f32x4.extract_lane(t, 0);
  }
  return sum;
}

/** min * (sum of the sub-block's activations) summed over a Q4_K super-block's sub-blocks, as partial sums. */
// @ts-ignore: decorator
@inline
export function minsQ4K(sm: v128, bs: usize): v128 {
  const mn = i16x8.extend_high_i8x16_u(sm);
  return i32x4.add(
    i32x4.mul(v128.load(bs), i32x4.extend_low_i16x8_u(mn)),
    i32x4.mul(v128.load(bs, 16), i32x4.extend_high_i16x8_u(mn)));
}

/** One packed Q4_K row (packed.ts) of n values at w times one ACT_Q8_K_I16 row at a (`scratch`: 48 bytes). */
export function dotQ4_K(w: usize, n: i32, a: usize, scratch: usize): f32 {
  const nb = n >> 8, nb4 = nb & ~3;
  const ad = i16Scales(a, n), as = i16Sums32(a, n);
  let acc = f32x4.splat(0);
  for (let b = 0; b < nb; b++) {
    const q = q4kpQuants(w, nb4, b);
    const ab = a + (<usize>b << 9);
    const sm = v128.load(q4kpScales(w, nb4, b));
    // scales 2j and 2j+1 in i32 lane j
    const s = i16x8.extend_low_i8x16_u(sm);
    let isum = pieceQ4K(q, ab, i32x4.shuffle(s, s, 0, 0, 0, 0), i32x4.splat(0), scratch);
    isum = pieceQ4K(q + 32, ab + 128, i32x4.shuffle(s, s, 1, 1, 1, 1), isum, scratch);
    isum = pieceQ4K(q + 64, ab + 256, i32x4.shuffle(s, s, 2, 2, 2, 2), isum, scratch);
    isum = pieceQ4K(q + 96, ab + 384, i32x4.shuffle(s, s, 3, 3, 3, 3), isum, scratch);
    parkSums(hsum2(isum, minsQ4K(sm, as + (<usize>b << 5))), b, scratch);
    acc = groupQ4K(acc, w, b, ad, scratch);
  }
  return tailQ4K(acc, w, nb, ad, scratch);
}

/**
 * isum plus 32 values of each of two Q6_K groups: the 16 ql bytes `l` hold one group in
 * their low nibbles (activations at lo, scale sLo) and one in their high nibbles
 * (activations at lo + 128, scale sHi); `qh` holds the matching top 2 bits in bits 0-1 and
 * 4-5 of each byte. Both 6-bit values are assembled per byte before the even and odd bytes
 * are split into i16 lanes.
 */
// @ts-ignore: decorator
@inline
function pieceQ6K(l: v128, qh: v128, lo: usize, sLo: v128, sHi: v128, isum: v128, scratch: usize): v128 {
  const m4 = i16x8.splat(0x0f0f), m2 = i16x8.splat(0x3030), mb = i16x8.splat(0x00ff);
  const t = v128.or(v128.and(l, m4), v128.and(i16x8.shl(qh, 4), m2));
  const pl = i32x4.add(i32x4.dot_i16x8_s(v128.and(t, mb), v128.load(lo)), i32x4.dot_i16x8_s(i16x8.shr_u(t, 8), v128.load(lo, 16)));
  let r = i32x4.add(isum, i32x4.mul(pl, sLo));
  v128.store(scratch, r);
  const u = v128.or(v128.and(i16x8.shr_u(l, 4), m4), v128.and(qh, m2));
  const ph = i32x4.add(i32x4.dot_i16x8_s(v128.and(u, mb), v128.load(lo, 128)), i32x4.dot_i16x8_s(i16x8.shr_u(u, 8), v128.load(lo, 144)));
  r = i32x4.add(r, i32x4.mul(ph, sHi));
  v128.store(scratch, r);
  return r;
}

/**
 * One 128-value half of a Q6_K super-block (ql at ql, qh at qh, activations at ab, scales
 * 8h .. 8h+7 as i16 lanes of `sc`). Chunk c of ql (bytes 32c .. 32c+31) holds groups 2c,
 * 2c+1 in its low nibbles and 2c+4, 2c+5 in its high nibbles; their top 2 bits are bits
 * 2c, 2c+1 and 2c+4, 2c+5 of qh[0..31], which a shift by 2 per chunk brings to bits 0-1
 * and 4-5.
 */
// @ts-ignore: decorator
@inline
function halfQ6K(ql: usize, qh: usize, ab: usize, sc: v128, isum: v128, scratch: usize): v128 {
  const s = i32x4.extend_low_i16x8_s(sc), s2 = i32x4.extend_high_i16x8_s(sc);
  let qa = v128.load(qh), qb = v128.load(qh, 16);
  let r = pieceQ6K(v128.load(ql), qa, ab, i32x4.shuffle(s, s, 0, 0, 0, 0), i32x4.shuffle(s2, s2, 0, 0, 0, 0), isum, scratch);
  r = pieceQ6K(v128.load(ql, 16), qb, ab + 32, i32x4.shuffle(s, s, 1, 1, 1, 1), i32x4.shuffle(s2, s2, 1, 1, 1, 1), r, scratch);
  qa = i16x8.shr_u(qa, 2);
  qb = i16x8.shr_u(qb, 2);
  r = pieceQ6K(v128.load(ql, 32), qa, ab + 64, i32x4.shuffle(s, s, 2, 2, 2, 2), i32x4.shuffle(s2, s2, 2, 2, 2, 2), r, scratch);
  return pieceQ6K(v128.load(ql, 48), qb, ab + 96, i32x4.shuffle(s, s, 3, 3, 3, 3), i32x4.shuffle(s2, s2, 3, 3, 3, 3), r, scratch);
}

/** -32 * (sum over groups of scale * group sum): the q of Q6_K are stored as q + 32. */
// @ts-ignore: decorator
@inline
export function offsetQ6K(gs: usize, lo: v128, hi: v128): v128 {
  // group sums fit i16 (16 * 127)
  const g0 = i16x8.narrow_i32x4_s(v128.load(gs), v128.load(gs, 16));
  const g1 = i16x8.narrow_i32x4_s(v128.load(gs, 32), v128.load(gs, 48));
  return i32x4.mul(i32x4.add(i32x4.dot_i16x8_s(g0, lo), i32x4.dot_i16x8_s(g1, hi)), i32x4.splat(-32));
}

/** One Q6_K row of n values at w times one ACT_Q8_K_I16 row at a (`scratch`: 48 bytes). */
export function dotQ6_K(w: usize, n: i32, a: usize, scratch: usize): f32 {
  const nb = n >> 8;
  const ad = i16Scales(a, n), s16 = i16Sums16(a, n);
  let acc = f32x4.splat(0);
  for (let b = 0; b < nb; b++) {
    const blk = w + <usize>b * 210;
    const ab = a + (<usize>b << 9);
    const sc = v128.load(blk, 192);
    const lo = i16x8.extend_low_i8x16_s(sc), hi = i16x8.extend_high_i8x16_s(sc);
    let isum = offsetQ6K(s16 + (<usize>b << 6), lo, hi);
    isum = halfQ6K(blk, blk + 128, ab, lo, isum, scratch);
    isum = halfQ6K(blk + 64, blk + 160, ab + 256, hi, isum, scratch);
    parkSums(hsum2(isum, isum), b, scratch);
    acc = groupQ6K(acc, w, b, ad, scratch);
  }
  return tailQ6K(acc, w, nb, ad, scratch);
}
