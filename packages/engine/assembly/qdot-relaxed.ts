// Direct dot products for Q4_0, Q4_K and Q6_K weights built on relaxed SIMD's 8-bit dot
// product (`i16x8.relaxed_dot_i8x16_i7x16_s`, one pmaddubsw on x86), against q8_0 / q8_K
// activations in the i8 layouts of activations.ts. Compiled only into the relaxed-SIMD
// builds of the module.
//
// The relaxed instruction is deterministic here: its second operand holds weights of at
// most 6 bits (no sign bit for the implementations to read differently), and no pair sum
// reaches the i16 range (2 x 63 x 127 = 16002), so no implementation saturates. The integer
// sums per block or super-block are therefore exactly those of qdot.ts, and each result has
// the same bits as its dotQ4_0 / dotQ4_K / dotQ6_K counterpart.
import { i8Scales, i8Sums16, i8Sums32 } from './activations';
import { loadF16, loadF16x4 } from './f16';
import { hsumF, hsumI32 } from './lanes';
import { q40pGroup, q40pGroupQuants, q40pQuants, q40pScale, q4kpD, q4kpDmin, q4kpGroup, q4kpGroupQuants, q4kpGroupScales, q4kpQuants, q4kpScales } from './packed';
import {
  foldPair, groupQ4K, groupQ6K, hsum2, parkSums,
  tailQ4K, tailQ6K, termQ4K, termQ6K,
} from './qdot';

/** min * (the sub-block's activation sum, i16 at bs) summed over a Q4_K super-block's eight sub-blocks, as partial sums. */
// @ts-ignore: decorator
@inline
function minsQ4K(sm: v128, bs: usize): v128 {
  return i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_u(sm), v128.load(bs));
}

/** -32 * (sum over the sixteen groups of scale * group sum, i16 at gs): the q of Q6_K are stored as q + 32. */
// @ts-ignore: decorator
@inline
function offsetQ6K(gs: usize, lo: v128, hi: v128): v128 {
  return i32x4.mul(i32x4.add(i32x4.dot_i16x8_s(v128.load(gs), lo), i32x4.dot_i16x8_s(v128.load(gs, 16), hi)), i32x4.splat(-32));
}

/** Pair sums (i16 lanes) of 16 activations at ap times 16 unsigned weights of at most 7 bits. */
// @ts-ignore: decorator
@inline
function dot8(ap: usize, w: v128): v128 {
  return i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(ap), w);
}

/**
 * Four i32 partial sums of one Q4_0 block's 16 quant bytes at qs (unsigned nibbles: the
 * q + 8 of ggml's values) times the 32 activations at ap.
 */
// @ts-ignore: decorator
@inline
function blockQ4_0(qs: usize, ap: usize): v128 {
  const m = i8x16.splat(0x0f);
  const x = v128.load(qs);
  return i32x4.extadd_pairwise_i16x8_s(i16x8.add(dot8(ap, v128.and(x, m)), dot8(ap + 16, v128.and(i16x8.shr_u(x, 4), m))));
}

/**
 * One packed Q4_0 row (packed.ts) of n values at w times one ACT_Q8_0_I8 row at a
 * (`scratch`: 16 bytes): each block's sum of (q + 8) * a minus 8 times the block's
 * activation sum, then the float steps of qdot.ts's dotQ4_0.
 */
export function dotQ4_0_I8(w: usize, n: i32, a: usize, scratch: usize): f32 {
  const nb = n >> 5, nb4 = nb & ~3;
  const ad = i8Scales(a, n), as = i8Sums32(a, n);
  let acc = f32x4.splat(0);
  let b = 0;
  for (; b < nb4; b += 4) {
    const g = q40pGroup(w, b);
    const ap = a + (<usize>b << 5);
    const f01 = foldPair(blockQ4_0(q40pGroupQuants(g, 0), ap), blockQ4_0(q40pGroupQuants(g, 1), ap + 32));
    v128.store(scratch, f01);
    let sums = foldPair(f01, foldPair(blockQ4_0(q40pGroupQuants(g, 2), ap + 64), blockQ4_0(q40pGroupQuants(g, 3), ap + 96)));
    sums = i32x4.sub(sums, i32x4.shl(v128.load16x4_s(as + (<usize>b << 1)), 3));
    const s = f32x4.mul(loadF16x4(g), v128.load(ad + (<usize>b << 2)));
    acc = f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(sums), s));
  }
  let sum = hsumF(acc);
  for (; b < nb; b++) {
    const isum = hsumI32(blockQ4_0(q40pQuants(w, nb4, b), a + (<usize>b << 5))) - (<i32>load<i16>(as + (<usize>b << 1)) << 3);
    sum += <f32>isum * (loadF16(q40pScale(w, nb4, b)) * load<f32>(ad + (<usize>b << 2)));
  }
  return sum;
}

/**
 * isum plus one 64-value piece of a Q4_K super-block: the low nibbles of the 32 quant bytes
 * at q are sub-block 2j (scale in every i16 lane of sLo), the high nibbles sub-block 2j+1
 * (sHi), against the activations at ap in natural order. Two pair sums of 4-bit weights fit
 * an i16 lane (4 x 15 x 127).
 */
// @ts-ignore: decorator
@inline
function pieceQ4K(q: usize, ap: usize, sLo: v128, sHi: v128, isum: v128, scratch: usize): v128 {
  const m = i8x16.splat(0x0f);
  const x = v128.load(q), y = v128.load(q, 16);
  const pl = i16x8.add(dot8(ap, v128.and(x, m)), dot8(ap + 16, v128.and(y, m)));
  let r = i32x4.add(isum, i32x4.dot_i16x8_s(pl, sLo));
  const ph = i16x8.add(dot8(ap + 32, v128.and(i16x8.shr_u(x, 4), m)), dot8(ap + 48, v128.and(i16x8.shr_u(y, 4), m)));
  r = i32x4.add(r, i32x4.dot_i16x8_s(ph, sHi));
  v128.store(scratch, r);
  return r;
}

/**
 * The integer sums of one packed Q4_K super-block (scales and mins at sm, quants at q) with
 * the activations at ab (sub-block sums at bs), parked in scratch at slot b mod 4.
 */
// @ts-ignore: decorator
@inline
function superBlockQ4K(sm: usize, q: usize, ab: usize, bs: usize, b: i32, scratch: usize): void {
  const smv = v128.load(sm);
  // scales as i16 pairs: s0 lane j (i32) = scale j twice, s1 lane j = scale 4 + j twice
  const s = i16x8.extend_low_i8x16_u(smv);
  const s0 = i16x8.shuffle(s, s, 0, 0, 1, 1, 2, 2, 3, 3), s1 = i16x8.shuffle(s, s, 4, 4, 5, 5, 6, 6, 7, 7);
  let isum = pieceQ4K(q, ab, i32x4.shuffle(s0, s0, 0, 0, 0, 0), i32x4.shuffle(s0, s0, 1, 1, 1, 1), i32x4.splat(0), scratch);
  isum = pieceQ4K(q + 32, ab + 64, i32x4.shuffle(s0, s0, 2, 2, 2, 2), i32x4.shuffle(s0, s0, 3, 3, 3, 3), isum, scratch);
  isum = pieceQ4K(q + 64, ab + 128, i32x4.shuffle(s1, s1, 0, 0, 0, 0), i32x4.shuffle(s1, s1, 1, 1, 1, 1), isum, scratch);
  isum = pieceQ4K(q + 96, ab + 192, i32x4.shuffle(s1, s1, 2, 2, 2, 2), i32x4.shuffle(s1, s1, 3, 3, 3, 3), isum, scratch);
  parkSums(hsum2(isum, minsQ4K(smv, bs)), b, scratch);
}

/** One packed Q4_K row (packed.ts) of n values at w times one ACT_Q8_K_I8 row at a (`scratch`: 48 bytes). */
export function dotQ4_K_I8(w: usize, n: i32, a: usize, scratch: usize): f32 {
  const nb = n >> 8, nb4 = nb & ~3;
  const ad = i8Scales(a, n), as = i8Sums32(a, n);
  let acc = f32x4.splat(0);
  for (let b = 0; b < nb4; b += 4) {
    const g = q4kpGroup(w, b);
    const ab = a + (<usize>b << 8), bs = as + (<usize>b << 4);
    superBlockQ4K(q4kpGroupScales(g, 0), q4kpGroupQuants(g, 0), ab, bs, 0, scratch);
    superBlockQ4K(q4kpGroupScales(g, 1), q4kpGroupQuants(g, 1), ab + 256, bs + 16, 1, scratch);
    superBlockQ4K(q4kpGroupScales(g, 2), q4kpGroupQuants(g, 2), ab + 512, bs + 32, 2, scratch);
    superBlockQ4K(q4kpGroupScales(g, 3), q4kpGroupQuants(g, 3), ab + 768, bs + 48, 3, scratch);
    acc = groupQ4K(acc, w, b + 3, ad, scratch);
  }
  for (let b = nb4; b < nb; b++) {
    superBlockQ4K(q4kpScales(w, nb4, b), q4kpQuants(w, nb4, b), a + (<usize>b << 8), as + (<usize>b << 4), b, scratch);
  }
  return tailQ4K(acc, w, nb, ad, scratch);
}

/**
 * isum plus two 16-value groups of a Q6_K half: `lo` (4-bit parts, in the low nibbles) and
 * `hi2` (top 2 bits, already at bits 4-5 of each byte) make the 6-bit weights; activations at
 * ap, group scales sA (first) and sB in every i16 lane.
 */
// @ts-ignore: decorator
@inline
function groupsQ6K(l0: v128, h0: v128, l1: v128, h1: v128, ap: usize, sA: v128, sB: v128, isum: v128, scratch: usize): v128 {
  const m4 = i8x16.splat(0x0f), m2 = i8x16.splat(0x30);
  const q0 = v128.or(v128.and(l0, m4), v128.and(h0, m2));
  const q1 = v128.or(v128.and(l1, m4), v128.and(h1, m2));
  let r = i32x4.add(isum, i32x4.add(i32x4.dot_i16x8_s(dot8(ap, q0), sA), i32x4.dot_i16x8_s(dot8(ap + 16, q1), sB)));
  v128.store(scratch, r);
  return r;
}

/**
 * One 128-value half of a Q6_K super-block (ql at ql, qh at qh, activations at ab, the half's
 * eight group scales as the i16 lanes of sc). Values 32k + l (l < 32) take their low 4 bits
 * from ql[l] (k = 0, 2: low, high nibble) or ql[32 + l] (k = 1, 3) and their top 2 bits from
 * bits 2k, 2k+1 of qh[l].
 */
// @ts-ignore: decorator
@inline
function halfQ6K(ql: usize, qh: usize, ab: usize, sc: v128, isum: v128, scratch: usize): v128 {
  const l0 = v128.load(ql), l1 = v128.load(ql, 16), l2 = v128.load(ql, 32), l3 = v128.load(ql, 48);
  const h0 = v128.load(qh), h1 = v128.load(qh, 16);
  const s0 = i16x8.shuffle(sc, sc, 0, 0, 1, 1, 2, 2, 3, 3), s1 = i16x8.shuffle(sc, sc, 4, 4, 5, 5, 6, 6, 7, 7);
  let r = groupsQ6K(l0, i16x8.shl(h0, 4), l1, i16x8.shl(h1, 4), ab, i32x4.shuffle(s0, s0, 0, 0, 0, 0), i32x4.shuffle(s0, s0, 1, 1, 1, 1), isum, scratch);
  r = groupsQ6K(l2, i16x8.shl(h0, 2), l3, i16x8.shl(h1, 2), ab + 32, i32x4.shuffle(s0, s0, 2, 2, 2, 2), i32x4.shuffle(s0, s0, 3, 3, 3, 3), r, scratch);
  r = groupsQ6K(i16x8.shr_u(l0, 4), h0, i16x8.shr_u(l1, 4), h1, ab + 64, i32x4.shuffle(s1, s1, 0, 0, 0, 0), i32x4.shuffle(s1, s1, 1, 1, 1, 1), r, scratch);
  return groupsQ6K(i16x8.shr_u(l2, 4), i16x8.shr_u(h0, 2), i16x8.shr_u(l3, 4), i16x8.shr_u(h1, 2), ab + 96, i32x4.shuffle(s1, s1, 2, 2, 2, 2), i32x4.shuffle(s1, s1, 3, 3, 3, 3), r, scratch);
}

/** The integer sum of Q6_K super-block b of the row at w with the activations at a, parked in scratch. */
// @ts-ignore: decorator
@inline
function superBlockQ6K(w: usize, b: i32, a: usize, s16: usize, scratch: usize): void {
  const blk = w + <usize>b * 210;
  const ab = a + (<usize>b << 8);
  const sc = v128.load(blk, 192);
  const lo = i16x8.extend_low_i8x16_s(sc), hi = i16x8.extend_high_i8x16_s(sc);
  let isum = offsetQ6K(s16 + (<usize>b << 5), lo, hi);
  isum = halfQ6K(blk, blk + 128, ab, lo, isum, scratch);
  isum = halfQ6K(blk + 64, blk + 160, ab + 128, hi, isum, scratch);
  parkSums(hsum2(isum, isum), b, scratch);
}

/** One Q6_K row of n values at w times one ACT_Q8_K_I8 row at a (`scratch`: 48 bytes). */
export function dotQ6_K_I8(w: usize, n: i32, a: usize, scratch: usize): f32 {
  const nb = n >> 8, nb4 = nb & ~3;
  const ad = i8Scales(a, n), s16 = i8Sums16(a, n);
  let acc = f32x4.splat(0);
  for (let b = 0; b < nb4; b += 4) {
    superBlockQ6K(w, b, a, s16, scratch);
    superBlockQ6K(w, b + 1, a, s16, scratch);
    superBlockQ6K(w, b + 2, a, s16, scratch);
    superBlockQ6K(w, b + 3, a, s16, scratch);
    acc = groupQ6K(acc, w, b + 3, ad, scratch);
  }
  for (let b = nb4; b < nb; b++) superBlockQ6K(w, b, a, s16, scratch);
  return tailQ6K(acc, w, nb, ad, scratch);
}

// Four activation rows at once (prompt processing): each piece of weights is unpacked once
// and multiplied with the four rows. The per-super-block f32 values of the four rows are
// computed side by side (lane = row) with the same operations as the one-row kernels, and
// accumulated in the same order: B_k (lane = row) sums the super-blocks b = k mod 4 of the
// groups of four, (B_0 + B_1) + (B_2 + B_3) is each row's lane sum, then the remaining
// super-blocks one by one. So the results have the same bits as one row at a time.
//
// scratch: 0-63 the four rows' running integer sums, 64-127 B_0..B_3, 128-191 the four
// rows' min sums.

/** isum plus the products of one 32-value sub-block (weights w0, w1, scale s) with activations at ap. */
// @ts-ignore: decorator
@inline
function sub32(ap: usize, w0: v128, w1: v128, s: v128, isum: v128): v128 {
  return i32x4.add(isum, i32x4.dot_i16x8_s(i16x8.add(dot8(ap, w0), dot8(ap + 16, w1)), s));
}

/** The four rows' f32 activation scales of super-block b (offset `ad` inside each row). */
// @ts-ignore: decorator
@inline
function rowScales(a: usize, stride: usize, ad: usize): v128 {
  let v = v128.load32_lane(a + ad, f32x4.splat(0), 0);
  v = v128.load32_lane(a + stride + ad, v, 1);
  v = v128.load32_lane(a + 2 * stride + ad, v, 2);
  return v128.load32_lane(a + 3 * stride + ad, v, 3);
}

/** The four rows' exact sums of the i32x4 partial sums at p, p + 16, p + 32, p + 48 (lane = row). */
// @ts-ignore: decorator
@inline
function rowSums(p: usize): v128 {
  return foldPair(foldPair(v128.load(p), v128.load(p, 16)), foldPair(v128.load(p, 32), v128.load(p, 48)));
}

/** Adds t to B_(b mod 4). */
// @ts-ignore: decorator
@inline
function addToGroup(t: v128, b: i32, scratch: usize): void {
  const p = scratch + 64 + (<usize>(b & 3) << 4);
  v128.store(p, f32x4.add(v128.load(p), t));
}

/** Adds t to B_(b mod 4) (groups of four), or returns acc + t (the remaining super-blocks). */
// @ts-ignore: decorator
@inline
function addTerm(t: v128, b: i32, inGroups: bool, acc: v128, scratch: usize): v128 {
  if (inGroups) {
    addToGroup(t, b, scratch);
    return acc;
  }
  return f32x4.add(acc, t);
}

/** (B_0 + B_1) + (B_2 + B_3). */
// @ts-ignore: decorator
@inline
function groupSums(scratch: usize): v128 {
  return f32x4.add(f32x4.add(v128.load(scratch, 64), v128.load(scratch, 80)), f32x4.add(v128.load(scratch, 96), v128.load(scratch, 112)));
}

/** Stores lane k of r to out + k * outStride. */
// @ts-ignore: decorator
@inline
function storeRows(r: v128, out: usize, outStride: usize): void {
  v128.store32_lane(out, r, 0);
  v128.store32_lane(out + outStride, r, 1);
  v128.store32_lane(out + 2 * outStride, r, 2);
  v128.store32_lane(out + 3 * outStride, r, 3);
}

// @ts-ignore: decorator
@inline
function clearGroups(scratch: usize): void {
  v128.store(scratch, f32x4.splat(0), 64);
  v128.store(scratch, f32x4.splat(0), 80);
  v128.store(scratch, f32x4.splat(0), 96);
  v128.store(scratch, f32x4.splat(0), 112);
}

/**
 * One 64-value piece of a Q4_K super-block (quants at q: sub-blocks with scales sLo, sHi in
 * every i16 lane) times four activation rows (at a + o, `stride` apart), added to the
 * rows' running sums in scratch.
 */
// @ts-ignore: decorator
@inline
function pieceQ4Kx4(q: usize, a: usize, stride: usize, o: usize, sLo: v128, sHi: v128, scratch: usize): void {
  const m = i8x16.splat(0x0f);
  const x = v128.load(q), y = v128.load(q, 16);
  const l0 = v128.and(x, m), l1 = v128.and(y, m);
  const h0 = v128.and(i16x8.shr_u(x, 4), m), h1 = v128.and(i16x8.shr_u(y, 4), m);
  const a1 = a + stride, a2 = a + 2 * stride, a3 = a + 3 * stride;
  v128.store(scratch, sub32(a + o + 32, h0, h1, sHi, sub32(a + o, l0, l1, sLo, v128.load(scratch))));
  v128.store(scratch, sub32(a1 + o + 32, h0, h1, sHi, sub32(a1 + o, l0, l1, sLo, v128.load(scratch, 16))), 16);
  v128.store(scratch, sub32(a2 + o + 32, h0, h1, sHi, sub32(a2 + o, l0, l1, sLo, v128.load(scratch, 32))), 32);
  v128.store(scratch, sub32(a3 + o + 32, h0, h1, sHi, sub32(a3 + o, l0, l1, sLo, v128.load(scratch, 48))), 48);
}

/** The four rows' f32 values of super-block b of a packed Q4_K row, lane = row. */
// @ts-ignore: decorator
@inline
function superBlockQ4Kx4(w: usize, b: i32, n: i32, a: usize, stride: usize, scratch: usize): v128 {
  const nb4 = (n >> 8) & ~3;
  const qs = q4kpQuants(w, nb4, b);
  const ab = <usize>b << 8;
  const a1 = a + stride, a2 = a + 2 * stride, a3 = a + 3 * stride;
  const sm = v128.load(q4kpScales(w, nb4, b));
  // scales as i16 pairs: s0 lane j (i32) = scale j twice, s1 lane j = scale 4 + j twice
  const s = i16x8.extend_low_i8x16_u(sm);
  const s0 = i16x8.shuffle(s, s, 0, 0, 1, 1, 2, 2, 3, 3), s1 = i16x8.shuffle(s, s, 4, 4, 5, 5, 6, 6, 7, 7);
  v128.store(scratch, i32x4.splat(0));
  v128.store(scratch, i32x4.splat(0), 16);
  v128.store(scratch, i32x4.splat(0), 32);
  v128.store(scratch, i32x4.splat(0), 48);
  pieceQ4Kx4(qs, a, stride, ab, i32x4.shuffle(s0, s0, 0, 0, 0, 0), i32x4.shuffle(s0, s0, 1, 1, 1, 1), scratch);
  pieceQ4Kx4(qs + 32, a, stride, ab + 64, i32x4.shuffle(s0, s0, 2, 2, 2, 2), i32x4.shuffle(s0, s0, 3, 3, 3, 3), scratch);
  pieceQ4Kx4(qs + 64, a, stride, ab + 128, i32x4.shuffle(s1, s1, 0, 0, 0, 0), i32x4.shuffle(s1, s1, 1, 1, 1, 1), scratch);
  pieceQ4Kx4(qs + 96, a, stride, ab + 192, i32x4.shuffle(s1, s1, 2, 2, 2, 2), i32x4.shuffle(s1, s1, 3, 3, 3, 3), scratch);
  const bs = i8Sums32(a, n) - a + (<usize>b << 4);
  v128.store(scratch, minsQ4K(sm, a + bs), 128);
  v128.store(scratch, minsQ4K(sm, a1 + bs), 144);
  v128.store(scratch, minsQ4K(sm, a2 + bs), 160);
  v128.store(scratch, minsQ4K(sm, a3 + bs), 176);
  const ad = rowScales(a, stride, i8Scales(a, n) - a + (<usize>b << 2));
  return termQ4K(f32x4.splat(load<f32>(q4kpD(w, nb4, b))), f32x4.splat(load<f32>(q4kpDmin(w, nb4, b))), ad, rowSums(scratch), rowSums(scratch + 128));
}

/**
 * One Q4_K (`q6` false) or Q6_K row of n values at w times four ACT_Q8_K_I8 rows (at a,
 * `stride` bytes apart); result k goes to out + k * outStride bytes. `scratch`: 192 bytes.
 */
// @ts-ignore: decorator
@inline
function dotKx4(q6: bool, w: usize, n: i32, a: usize, stride: usize, out: usize, outStride: usize, scratch: usize): void {
  const nb = n >> 8, nb4 = nb & ~3;
  clearGroups(scratch);
  let acc = f32x4.splat(0);
  for (let b = 0; b < nb4; b++) {
    const t = q6 ? superBlockQ6Kx4(w, b, n, a, stride, scratch) : superBlockQ4Kx4(w, b, n, a, stride, scratch);
    acc = addTerm(t, b, true, acc, scratch);
  }
  acc = groupSums(scratch);
  for (let b = nb4; b < nb; b++) {
    const t = q6 ? superBlockQ6Kx4(w, b, n, a, stride, scratch) : superBlockQ4Kx4(w, b, n, a, stride, scratch);
    acc = addTerm(t, b, false, acc, scratch);
  }
  storeRows(acc, out, outStride);
}

/** dotKx4 for a Q4_K row. */
export function dotQ4_K_I8x4(w: usize, n: i32, a: usize, stride: usize, out: usize, outStride: usize, scratch: usize): void {
  dotKx4(false, w, n, a, stride, out, outStride, scratch);
}

/**
 * The sums of four activation rows (at a + o, `stride` apart) with two Q6_K groups, added to
 * the running sums in scratch.
 */
// @ts-ignore: decorator
@inline
function groupsQ6Kx4(l0: v128, h0: v128, l1: v128, h1: v128, a: usize, stride: usize, o: usize, sA: v128, sB: v128, scratch: usize): void {
  const m4 = i8x16.splat(0x0f), m2 = i8x16.splat(0x30);
  const q0 = v128.or(v128.and(l0, m4), v128.and(h0, m2));
  const q1 = v128.or(v128.and(l1, m4), v128.and(h1, m2));
  v128.store(scratch, groups16(a + o, q0, q1, sA, sB, v128.load(scratch)));
  v128.store(scratch, groups16(a + stride + o, q0, q1, sA, sB, v128.load(scratch, 16)), 16);
  v128.store(scratch, groups16(a + 2 * stride + o, q0, q1, sA, sB, v128.load(scratch, 32)), 32);
  v128.store(scratch, groups16(a + 3 * stride + o, q0, q1, sA, sB, v128.load(scratch, 48)), 48);
}

/** isum plus two 16-value groups (weights q0, q1, scales sA, sB) times the activations at ap. */
// @ts-ignore: decorator
@inline
function groups16(ap: usize, q0: v128, q1: v128, sA: v128, sB: v128, isum: v128): v128 {
  return i32x4.add(isum, i32x4.add(i32x4.dot_i16x8_s(dot8(ap, q0), sA), i32x4.dot_i16x8_s(dot8(ap + 16, q1), sB)));
}

/** halfQ6K for four activation rows. */
// @ts-ignore: decorator
@inline
function halfQ6Kx4(ql: usize, qh: usize, a: usize, stride: usize, o: usize, sc: v128, scratch: usize): void {
  const l0 = v128.load(ql), l1 = v128.load(ql, 16), l2 = v128.load(ql, 32), l3 = v128.load(ql, 48);
  const h0 = v128.load(qh), h1 = v128.load(qh, 16);
  const s0 = i16x8.shuffle(sc, sc, 0, 0, 1, 1, 2, 2, 3, 3), s1 = i16x8.shuffle(sc, sc, 4, 4, 5, 5, 6, 6, 7, 7);
  groupsQ6Kx4(l0, i16x8.shl(h0, 4), l1, i16x8.shl(h1, 4), a, stride, o, i32x4.shuffle(s0, s0, 0, 0, 0, 0), i32x4.shuffle(s0, s0, 1, 1, 1, 1), scratch);
  groupsQ6Kx4(l2, i16x8.shl(h0, 2), l3, i16x8.shl(h1, 2), a, stride, o + 32, i32x4.shuffle(s0, s0, 2, 2, 2, 2), i32x4.shuffle(s0, s0, 3, 3, 3, 3), scratch);
  groupsQ6Kx4(i16x8.shr_u(l0, 4), h0, i16x8.shr_u(l1, 4), h1, a, stride, o + 64, i32x4.shuffle(s1, s1, 0, 0, 0, 0), i32x4.shuffle(s1, s1, 1, 1, 1, 1), scratch);
  groupsQ6Kx4(i16x8.shr_u(l2, 4), i16x8.shr_u(h0, 2), i16x8.shr_u(l3, 4), i16x8.shr_u(h1, 2), a, stride, o + 96, i32x4.shuffle(s1, s1, 2, 2, 2, 2), i32x4.shuffle(s1, s1, 3, 3, 3, 3), scratch);
}

/** The four rows' f32 values of Q6_K super-block b, lane = row. */
// @ts-ignore: decorator
@inline
function superBlockQ6Kx4(w: usize, b: i32, n: i32, a: usize, stride: usize, scratch: usize): v128 {
  const blk = w + <usize>b * 210;
  const ab = <usize>b << 8;
  const sc = v128.load(blk, 192);
  const lo = i16x8.extend_low_i8x16_s(sc), hi = i16x8.extend_high_i8x16_s(sc);
  const gs = i8Sums16(a, n) - a + (<usize>b << 5);
  v128.store(scratch, offsetQ6K(a + gs, lo, hi));
  v128.store(scratch, offsetQ6K(a + stride + gs, lo, hi), 16);
  v128.store(scratch, offsetQ6K(a + 2 * stride + gs, lo, hi), 32);
  v128.store(scratch, offsetQ6K(a + 3 * stride + gs, lo, hi), 48);
  halfQ6Kx4(blk, blk + 128, a, stride, ab, lo, scratch);
  halfQ6Kx4(blk + 64, blk + 160, a, stride, ab + 128, hi, scratch);
  const ad = rowScales(a, stride, i8Scales(a, n) - a + (<usize>b << 2));
  return termQ6K(f32x4.splat(loadF16(blk + 208)), ad, rowSums(scratch));
}

/** dotKx4 for a Q6_K row. */
export function dotQ6_K_I8x4(w: usize, n: i32, a: usize, stride: usize, out: usize, outStride: usize, scratch: usize): void {
  dotKx4(true, w, n, a, stride, out, outStride, scratch);
}

/**
 * The four rows' (lane = row) f32 terms of one Q4_0 block: quants at qs, scale d (in every
 * lane), activations at offset o of each row (rows at a, `stride` apart), the block's
 * activation sums at offset bs and scales at offset ds of each row. Each lane is the float
 * step of dotQ4_0_I8 for that row: its exact sum of (q + 8) * a less 8 times the block's
 * activation sum, times d * d_a.
 */
// @ts-ignore: decorator
@inline
function termQ4_0x4(qs: usize, d: v128, a: usize, stride: usize, o: usize, bs: usize, ds: usize): v128 {
  const m = i8x16.splat(0x0f);
  const x = v128.load(qs);
  const lo = v128.and(x, m), hi = v128.and(i16x8.shr_u(x, 4), m);
  const a1 = a + stride, a2 = a + 2 * stride, a3 = a + 3 * stride;
  const p0 = i32x4.extadd_pairwise_i16x8_s(i16x8.add(dot8(a + o, lo), dot8(a + o + 16, hi)));
  const p1 = i32x4.extadd_pairwise_i16x8_s(i16x8.add(dot8(a1 + o, lo), dot8(a1 + o + 16, hi)));
  const p2 = i32x4.extadd_pairwise_i16x8_s(i16x8.add(dot8(a2 + o, lo), dot8(a2 + o + 16, hi)));
  const p3 = i32x4.extadd_pairwise_i16x8_s(i16x8.add(dot8(a3 + o, lo), dot8(a3 + o + 16, hi)));
  const bsum = i32x4(<i32>load<i16>(a + bs), <i32>load<i16>(a1 + bs), <i32>load<i16>(a2 + bs), <i32>load<i16>(a3 + bs));
  const sums = i32x4.sub(foldPair(foldPair(p0, p1), foldPair(p2, p3)), i32x4.shl(bsum, 3));
  return f32x4.mul(f32x4.convert_i32x4_s(sums), f32x4.mul(d, rowScales(a, stride, ds)));
}

/**
 * One packed Q4_0 row of n values at w times four ACT_Q8_0_I8 rows (at a, `stride` bytes
 * apart), with each row's result the bits dotQ4_0_I8 gives it; result k goes to
 * out + k * outStride bytes. `scratch`: 128 bytes.
 */
export function dotQ4_0_I8x4(w: usize, n: i32, a: usize, stride: usize, out: usize, outStride: usize, scratch: usize): void {
  const nb = n >> 5, nb4 = nb & ~3;
  const ds = i8Scales(a, n) - a, bs = i8Sums32(a, n) - a;
  clearGroups(scratch);
  for (let b = 0; b < nb4; b += 4) {
    // the group's four d, converted as dotQ4_0_I8 converts them
    const g = q40pGroup(w, b);
    const d4 = loadF16x4(g);
    const o = <usize>b << 5, bo = bs + (<usize>b << 1), dso = ds + (<usize>b << 2);
    addToGroup(termQ4_0x4(q40pGroupQuants(g, 0), i32x4.shuffle(d4, d4, 0, 0, 0, 0), a, stride, o, bo, dso), 0, scratch);
    addToGroup(termQ4_0x4(q40pGroupQuants(g, 1), i32x4.shuffle(d4, d4, 1, 1, 1, 1), a, stride, o + 32, bo + 2, dso + 4), 1, scratch);
    addToGroup(termQ4_0x4(q40pGroupQuants(g, 2), i32x4.shuffle(d4, d4, 2, 2, 2, 2), a, stride, o + 64, bo + 4, dso + 8), 2, scratch);
    addToGroup(termQ4_0x4(q40pGroupQuants(g, 3), i32x4.shuffle(d4, d4, 3, 3, 3, 3), a, stride, o + 96, bo + 6, dso + 12), 3, scratch);
  }
  let acc = groupSums(scratch);
  for (let b = nb4; b < nb; b++) {
    const d = f32x4.splat(loadF16(q40pScale(w, nb4, b)));
    acc = f32x4.add(acc, termQ4_0x4(q40pQuants(w, nb4, b), d, a, stride, <usize>b << 5, bs + (<usize>b << 1), ds + (<usize>b << 2)));
  }
  storeRows(acc, out, outStride);
}
