// Eight independent groups (sub-blocks or blocks) searched at once, one per f32 lane of
// two v128 halves (A: groups 0..3, B: groups 4..7, interleaved so the two halves' add
// chains overlap). Each lane performs exactly the scalar search's f32 operations in the
// scalar order, and every branch becomes a per-lane select, so the results are the
// scalar ones bit for bit; only independent groups share an instruction. Values are
// laid out transposed: element i of group k at `t + 32·i + 4·k`.

import { GROUP_MAX_EPS } from './numeric';

/** Transposed scratch: values and weights of 8 groups of up to 32 (also used 4-wide by IQ4_NL). */
export const XT: usize = memory.data(32 * 32, 16);
export const WT: usize = memory.data(32 * 32, 16);
/** Kept and candidate levels (as f32). */
const LT: usize = memory.data(32 * 32, 16);
const LAUXT: usize = memory.data(32 * 32, 16);

/** Results of the last search: scale and (asymmetric search) negated min per group. */
export const SCALE8: usize = memory.data(32, 16);
export const MIN8: usize = memory.data(32, 16);

// @ts-ignore: decorator
@inline
function nearestInt4(v: v128): v128 {
  // ggml's nearest_int on each lane: add 1.5·2^23, read the low mantissa bits.
  return i32x4.sub(v128.and(f32x4.add(v, f32x4.splat(12582912.0)), i32x4.splat(0x007fffff)), i32x4.splat(0x00400000));
}

/**
 * Transposes four groups of `n` (a multiple of 4) f32 values, group k starting at
 * `x + k·stride`, so that element i of the four lands in the v128 at `dst + i·dstStride`.
 */
export function gather4(x: usize, stride: usize, n: i32, dst: usize, dstStride: usize): void {
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const a0 = v128.load(x + o);
    const a1 = v128.load(x + stride + o);
    const a2 = v128.load(x + 2 * stride + o);
    const a3 = v128.load(x + 3 * stride + o);
    const t0 = i32x4.shuffle(a0, a1, 0, 4, 1, 5);
    const t1 = i32x4.shuffle(a2, a3, 0, 4, 1, 5);
    const t2 = i32x4.shuffle(a0, a1, 2, 6, 3, 7);
    const t3 = i32x4.shuffle(a2, a3, 2, 6, 3, 7);
    const d = dst + <usize>i * dstStride;
    v128.store(d, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
    v128.store(d + dstStride, i32x4.shuffle(t0, t1, 2, 3, 6, 7));
    v128.store(d + 2 * dstStride, i32x4.shuffle(t2, t3, 0, 1, 4, 5));
    v128.store(d + 3 * dstStride, i32x4.shuffle(t2, t3, 2, 3, 6, 7));
  }
}

/** Transposes eight groups of `n` values, group k at `x + k·stride`, into the 8-lane layout at `dst`. */
export function gather8(x: usize, stride: usize, n: i32, dst: usize): void {
  gather4(x, stride, n, dst, 32);
  gather4(x + 4 * stride, stride, n, dst + 16, 32);
}

/** Writes the kept levels of the last search as bytes: group k's n levels at `L + k·stride`. */
function scatterLevels(n: i32, L: usize, stride: usize): void {
  for (let i = 0; i < n; i++) {
    const a = i32x4.trunc_sat_f32x4_s(v128.load(LT + (<usize>i << 5)));
    const b = i32x4.trunc_sat_f32x4_s(v128.load(LT + (<usize>i << 5) + 16));
    store<u8>(L + i, <u8>i32x4.extract_lane(a, 0));
    store<u8>(L + stride + i, <u8>i32x4.extract_lane(a, 1));
    store<u8>(L + 2 * stride + i, <u8>i32x4.extract_lane(a, 2));
    store<u8>(L + 3 * stride + i, <u8>i32x4.extract_lane(a, 3));
    store<u8>(L + 4 * stride + i, <u8>i32x4.extract_lane(b, 0));
    store<u8>(L + 5 * stride + i, <u8>i32x4.extract_lane(b, 1));
    store<u8>(L + 6 * stride + i, <u8>i32x4.extract_lane(b, 2));
    store<u8>(L + 7 * stride + i, <u8>i32x4.extract_lane(b, 3));
  }
}

/** Levels 0..nmax of `x` on the grid `iscale·(x − min)`, as f32. */
// @ts-ignore: decorator
@inline
function asymLevel(x: v128, iscale: v128, min: v128, nmax: v128): v128 {
  return f32x4.convert_i32x4_s(i32x4.max_s(i32x4.min_s(nearestInt4(f32x4.mul(iscale, f32x4.sub(x, min))), nmax), i32x4.splat(0)));
}

/** One term of the error sum: w·|diff| (`useMad`) or w·diff², diff = scale·l + min − x. */
// @ts-ignore: decorator
@inline
function asymError(scale: v128, l: v128, min: v128, x: v128, w: v128, useMad: bool): v128 {
  const diff = f32x4.sub(f32x4.add(f32x4.mul(scale, l), min), x);
  return f32x4.mul(w, useMad ? f32x4.abs(diff) : f32x4.mul(diff, diff));
}

/**
 * `make_qkx2_quants` / `make_qkx3_quants` (identical when weights are given) on eight
 * groups of `n` values at `XT` with weights at `WT`, `nstep` ≥ 1. `eqTest` picks qkx2's
 * `max == min` degenerate test over qkx3's `max <= min`. Levels go to `L + k·stride`,
 * scales to `SCALE8`, negated mins to `MIN8`.
 */
export function searchAsym8(
  n: i32, nmax: i32, rmin: f32, rdelta: f32, nstep: i32, useMad: bool, eqTest: bool, L: usize, stride: usize,
): void {
  const zero = f32x4.splat(0);
  let minA = v128.load(XT);
  let minB = v128.load(XT + 16);
  let maxA = minA;
  let maxB = minB;
  const w0A = v128.load(WT);
  const w0B = v128.load(WT + 16);
  let sumWA = w0A;
  let sumWB = w0B;
  let sumXA = f32x4.mul(w0A, minA);
  let sumXB = f32x4.mul(w0B, minB);
  for (let i = 1; i < n; i++) {
    const o = <usize>i << 5;
    const xa = v128.load(XT + o);
    const xb = v128.load(XT + o + 16);
    minA = v128.bitselect(xa, minA, f32x4.lt(xa, minA));
    minB = v128.bitselect(xb, minB, f32x4.lt(xb, minB));
    maxA = v128.bitselect(xa, maxA, f32x4.gt(xa, maxA));
    maxB = v128.bitselect(xb, maxB, f32x4.gt(xb, maxB));
    const wa = v128.load(WT + o);
    const wb = v128.load(WT + o + 16);
    sumWA = f32x4.add(sumWA, wa);
    sumWB = f32x4.add(sumWB, wb);
    sumXA = f32x4.add(sumXA, f32x4.mul(wa, xa));
    sumXB = f32x4.add(sumXB, f32x4.mul(wb, xb));
  }
  minA = v128.bitselect(zero, minA, f32x4.gt(minA, zero));
  minB = v128.bitselect(zero, minB, f32x4.gt(minB, zero));
  const min0A = minA;
  const min0B = minB;
  const degA = eqTest ? f32x4.eq(maxA, minA) : f32x4.le(maxA, minA);
  const degB = eqTest ? f32x4.eq(maxB, minB) : f32x4.le(maxB, minB);
  const inmax = i32x4.splat(nmax);
  const one = f32x4.splat(1);
  let iscaleA = f32x4.div(f32x4.splat(<f32>nmax), f32x4.sub(maxA, minA));
  let iscaleB = f32x4.div(f32x4.splat(<f32>nmax), f32x4.sub(maxB, minB));
  let scaleA = f32x4.div(one, iscaleA);
  let scaleB = f32x4.div(one, iscaleB);
  let bestA = zero;
  let bestB = zero;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 5;
    const xa = v128.load(XT + o);
    const xb = v128.load(XT + o + 16);
    const la = asymLevel(xa, iscaleA, minA, inmax);
    const lb = asymLevel(xb, iscaleB, minB, inmax);
    v128.store(LT + o, la);
    v128.store(LT + o + 16, lb);
    bestA = f32x4.add(bestA, asymError(scaleA, la, minA, xa, v128.load(WT + o), useMad));
    bestB = f32x4.add(bestB, asymError(scaleB, lb, minB, xb, v128.load(WT + o + 16), useMad));
  }
  for (let is = 0; is <= nstep; is++) {
    // min follows each lane's best candidate so far, as in the scalar search.
    const top = f32x4.splat(rmin + rdelta * <f32>is + <f32>nmax);
    iscaleA = f32x4.div(top, f32x4.sub(maxA, minA));
    iscaleB = f32x4.div(top, f32x4.sub(maxB, minB));
    let sumLA = zero;
    let sumLB = zero;
    let sumL2A = zero;
    let sumL2B = zero;
    let sumXLA = zero;
    let sumXLB = zero;
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 5;
      const xa = v128.load(XT + o);
      const xb = v128.load(XT + o + 16);
      const la = asymLevel(xa, iscaleA, minA, inmax);
      const lb = asymLevel(xb, iscaleB, minB, inmax);
      v128.store(LAUXT + o, la);
      v128.store(LAUXT + o + 16, lb);
      const wla = f32x4.mul(v128.load(WT + o), la);
      const wlb = f32x4.mul(v128.load(WT + o + 16), lb);
      sumLA = f32x4.add(sumLA, wla);
      sumLB = f32x4.add(sumLB, wlb);
      sumL2A = f32x4.add(sumL2A, f32x4.mul(wla, la));
      sumL2B = f32x4.add(sumL2B, f32x4.mul(wlb, lb));
      sumXLA = f32x4.add(sumXLA, f32x4.mul(wla, xa));
      sumXLB = f32x4.add(sumXLB, f32x4.mul(wlb, xb));
    }
    const DA = f32x4.sub(f32x4.mul(sumWA, sumL2A), f32x4.mul(sumLA, sumLA));
    const DB = f32x4.sub(f32x4.mul(sumWB, sumL2B), f32x4.mul(sumLB, sumLB));
    const okA = f32x4.gt(DA, zero);
    const okB = f32x4.gt(DB, zero);
    if (!v128.any_true(v128.or(okA, okB))) continue;
    let thisScaleA = f32x4.div(f32x4.sub(f32x4.mul(sumWA, sumXLA), f32x4.mul(sumXA, sumLA)), DA);
    let thisScaleB = f32x4.div(f32x4.sub(f32x4.mul(sumWB, sumXLB), f32x4.mul(sumXB, sumLB)), DB);
    let thisMinA = f32x4.div(f32x4.sub(f32x4.mul(sumL2A, sumXA), f32x4.mul(sumLA, sumXLA)), DA);
    let thisMinB = f32x4.div(f32x4.sub(f32x4.mul(sumL2B, sumXB), f32x4.mul(sumLB, sumXLB)), DB);
    const posA = f32x4.gt(thisMinA, zero);
    const posB = f32x4.gt(thisMinB, zero);
    thisMinA = v128.bitselect(zero, thisMinA, posA);
    thisMinB = v128.bitselect(zero, thisMinB, posB);
    thisScaleA = v128.bitselect(f32x4.div(sumXLA, sumL2A), thisScaleA, posA);
    thisScaleB = v128.bitselect(f32x4.div(sumXLB, sumL2B), thisScaleB, posB);
    let errA = zero;
    let errB = zero;
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 5;
      errA = f32x4.add(errA, asymError(thisScaleA, v128.load(LAUXT + o), thisMinA, v128.load(XT + o), v128.load(WT + o), useMad));
      errB = f32x4.add(errB, asymError(thisScaleB, v128.load(LAUXT + o + 16), thisMinB, v128.load(XT + o + 16), v128.load(WT + o + 16), useMad));
    }
    const betterA = v128.and(okA, f32x4.lt(errA, bestA));
    const betterB = v128.and(okB, f32x4.lt(errB, bestB));
    if (!v128.any_true(v128.or(betterA, betterB))) continue;
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 5;
      v128.store(LT + o, v128.bitselect(v128.load(LAUXT + o), v128.load(LT + o), betterA));
      v128.store(LT + o + 16, v128.bitselect(v128.load(LAUXT + o + 16), v128.load(LT + o + 16), betterB));
    }
    bestA = v128.bitselect(errA, bestA, betterA);
    bestB = v128.bitselect(errB, bestB, betterB);
    scaleA = v128.bitselect(thisScaleA, scaleA, betterA);
    scaleB = v128.bitselect(thisScaleB, scaleB, betterB);
    minA = v128.bitselect(thisMinA, minA, betterA);
    minB = v128.bitselect(thisMinB, minB, betterB);
  }
  // Degenerate lanes: all levels 0, scale 0, min as first clamped.
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 5;
    v128.store(LT + o, v128.bitselect(zero, v128.load(LT + o), degA));
    v128.store(LT + o + 16, v128.bitselect(zero, v128.load(LT + o + 16), degB));
  }
  v128.store(SCALE8, v128.bitselect(zero, scaleA, degA));
  v128.store(SCALE8 + 16, v128.bitselect(zero, scaleB, degB));
  v128.store(MIN8, f32x4.neg(v128.bitselect(min0A, minA, degA)));
  v128.store(MIN8 + 16, f32x4.neg(v128.bitselect(min0B, minB, degB)));
  scatterLevels(n, L, stride);
}

/** Levels −nmax..nmax−1 of `iscale·x`, as f32. */
// @ts-ignore: decorator
@inline
function symLevel(x: v128, iscale: v128, lo: v128, hi: v128): v128 {
  return f32x4.convert_i32x4_s(i32x4.max_s(i32x4.min_s(nearestInt4(f32x4.mul(iscale, x)), hi), lo));
}

/**
 * `make_qx_quants` with rmseType 1 on eight groups of `n` values at `XT`: weights at `WT`
 * when `weighted`, else x². Biased levels go to `L + k·stride`, scales to `SCALE8`.
 */
export function searchSym8(n: i32, nmax: i32, weighted: bool, L: usize, stride: usize): void {
  const zero = f32x4.splat(0);
  let maxA = zero;
  let maxB = zero;
  let amaxA = zero;
  let amaxB = zero;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 5;
    const va = v128.load(XT + o);
    const vb = v128.load(XT + o + 16);
    const axa = f32x4.abs(va);
    const axb = f32x4.abs(vb);
    const ga = f32x4.gt(axa, amaxA);
    const gb = f32x4.gt(axb, amaxB);
    amaxA = v128.bitselect(axa, amaxA, ga);
    amaxB = v128.bitselect(axb, amaxB, gb);
    maxA = v128.bitselect(va, maxA, ga);
    maxB = v128.bitselect(vb, maxB, gb);
  }
  const eps = f32x4.splat(GROUP_MAX_EPS);
  const degA = f32x4.lt(amaxA, eps);
  const degB = f32x4.lt(amaxB, eps);
  const lo = i32x4.splat(-nmax);
  const hi = i32x4.splat(nmax - 1);
  const fnmax = f32x4.splat(<f32>nmax);
  let iscaleA = f32x4.div(f32x4.splat(<f32>-nmax), maxA);
  let iscaleB = f32x4.div(f32x4.splat(<f32>-nmax), maxB);
  let sumlxA = zero;
  let sumlxB = zero;
  let suml2A = zero;
  let suml2B = zero;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 5;
    const xa = v128.load(XT + o);
    const xb = v128.load(XT + o + 16);
    const la = symLevel(xa, iscaleA, lo, hi);
    const lb = symLevel(xb, iscaleB, lo, hi);
    v128.store(LT + o, f32x4.add(la, fnmax));
    v128.store(LT + o + 16, f32x4.add(lb, fnmax));
    const wa = weighted ? v128.load(WT + o) : f32x4.mul(xa, xa);
    const wb = weighted ? v128.load(WT + o + 16) : f32x4.mul(xb, xb);
    sumlxA = f32x4.add(sumlxA, f32x4.mul(f32x4.mul(wa, xa), la));
    sumlxB = f32x4.add(sumlxB, f32x4.mul(f32x4.mul(wb, xb), lb));
    suml2A = f32x4.add(suml2A, f32x4.mul(f32x4.mul(wa, la), la));
    suml2B = f32x4.add(suml2B, f32x4.mul(f32x4.mul(wb, lb), lb));
  }
  let scaleA = v128.bitselect(zero, f32x4.div(sumlxA, suml2A), f32x4.eq(suml2A, zero));
  let scaleB = v128.bitselect(zero, f32x4.div(sumlxB, suml2B), f32x4.eq(suml2B, zero));
  let bestA = f32x4.mul(scaleA, sumlxA);
  let bestB = f32x4.mul(scaleB, sumlxB);
  const tenth: f32 = 0.1;
  for (let is = -9; is <= 9; is++) {
    if (is == 0) continue;
    const top = f32x4.neg(f32x4.splat(<f32>nmax + tenth * <f32>is));
    iscaleA = f32x4.div(top, maxA);
    iscaleB = f32x4.div(top, maxB);
    sumlxA = zero;
    sumlxB = zero;
    suml2A = zero;
    suml2B = zero;
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 5;
      const xa = v128.load(XT + o);
      const xb = v128.load(XT + o + 16);
      const la = symLevel(xa, iscaleA, lo, hi);
      const lb = symLevel(xb, iscaleB, lo, hi);
      v128.store(LAUXT + o, la);
      v128.store(LAUXT + o + 16, lb);
      const wa = weighted ? v128.load(WT + o) : f32x4.mul(xa, xa);
      const wb = weighted ? v128.load(WT + o + 16) : f32x4.mul(xb, xb);
      sumlxA = f32x4.add(sumlxA, f32x4.mul(f32x4.mul(wa, xa), la));
      sumlxB = f32x4.add(sumlxB, f32x4.mul(f32x4.mul(wb, xb), lb));
      suml2A = f32x4.add(suml2A, f32x4.mul(f32x4.mul(wa, la), la));
      suml2B = f32x4.add(suml2B, f32x4.mul(f32x4.mul(wb, lb), lb));
    }
    const betterA = v128.and(f32x4.gt(suml2A, zero), f32x4.gt(f32x4.mul(sumlxA, sumlxA), f32x4.mul(bestA, suml2A)));
    const betterB = v128.and(f32x4.gt(suml2B, zero), f32x4.gt(f32x4.mul(sumlxB, sumlxB), f32x4.mul(bestB, suml2B)));
    if (!v128.any_true(v128.or(betterA, betterB))) continue;
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 5;
      v128.store(LT + o, v128.bitselect(f32x4.add(v128.load(LAUXT + o), fnmax), v128.load(LT + o), betterA));
      v128.store(LT + o + 16, v128.bitselect(f32x4.add(v128.load(LAUXT + o + 16), fnmax), v128.load(LT + o + 16), betterB));
    }
    scaleA = v128.bitselect(f32x4.div(sumlxA, suml2A), scaleA, betterA);
    scaleB = v128.bitselect(f32x4.div(sumlxB, suml2B), scaleB, betterB);
    bestA = v128.bitselect(f32x4.mul(scaleA, sumlxA), bestA, betterA);
    bestB = v128.bitselect(f32x4.mul(scaleB, sumlxB), bestB, betterB);
  }
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 5;
    v128.store(LT + o, v128.bitselect(zero, v128.load(LT + o), degA));
    v128.store(LT + o + 16, v128.bitselect(zero, v128.load(LT + o + 16), degB));
  }
  v128.store(SCALE8, v128.bitselect(zero, scaleA, degA));
  v128.store(SCALE8 + 16, v128.bitselect(zero, scaleB, degB));
  scatterLevels(n, L, stride);
}
