// IQ4_NL: 32 values as an f16 scale and 4-bit indices into ggml's non-linear table
// `kvalues_iq4nl`, as `quantize_iq4_nl` (via `quantize_row_iq4_nl_impl`, ntry 7) and
// `dequantize_row_iq4_nl`.

import { f16ToF32, storeF16 } from '../common/f16';
import { GROUP_MAX_EPS, nanBitsOfScaledF16 } from '../common/numeric';
import { WT, XT, gather4 } from '../common/lanes';
import { SCALE_ONLY, expand16 } from '../common/expand';

/** ggml's `kvalues_iq4nl`, ascending. */
const VALUES: usize = memory.data<i8>([-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]);
const WEIGHT: usize = memory.data(32 * 4, 16);
const LEVELS: usize = memory.data(4 * 32);
const SCALES4: usize = memory.data(16, 16);

// @ts-ignore: decorator
@inline
function value(i: i32): f32 {
  return <f32>load<i8>(VALUES + i);
}

/** `best_index_int8` over the table: nearest level's index (the upper one on a tie; 15 for NaN). */
export function bestIndex(x: f32): i32 {
  if (x <= value(0)) return 0;
  if (x >= value(15)) return 15;
  let ml = 0;
  let mu = 15;
  while (mu - ml > 1) {
    const mav = (ml + mu) >> 1;
    if (x < value(mav)) mu = mav;
    else ml = mav;
  }
  return x - value(mu - 1) < value(mu) - x ? mu - 1 : mu;
}

function quantizeBlock(x: usize, bo: usize, qw: usize): void {
  let sigma2: f32 = 0;
  for (let j = 0; j < 32; j++) {
    const v = load<f32>(x + (<usize>j << 2));
    sigma2 += v * v;
  }
  sigma2 = sigma2 * (<f32>2 / 32);
  for (let j = 0; j < 32; j++) {
    const v = load<f32>(x + (<usize>j << 2));
    store<f32>(WEIGHT + (<usize>j << 2), qw ? load<f32>(qw + (<usize>j << 2)) * sqrt<f32>(sigma2 + v * v) : v * v);
  }
  let amax: f32 = 0;
  let max: f32 = 0;
  for (let j = 0; j < 32; j++) {
    const v = load<f32>(x + (<usize>j << 2));
    const ax = abs<f32>(v);
    if (ax > amax) {
      amax = ax;
      max = v;
    }
  }
  let scale: f32 = 0;
  if (!(amax < GROUP_MAX_EPS)) {
    let d: f32 = -max / value(0);
    let id: f32 = <f32>1 / d;
    let sumqx: f32 = 0;
    let sumq2: f32 = 0;
    for (let j = 0; j < 32; j++) {
      const xj = load<f32>(x + (<usize>j << 2));
      const q = value(bestIndex(id * xj));
      const wq = load<f32>(WEIGHT + (<usize>j << 2)) * q;
      sumqx += wq * xj;
      sumq2 += wq * q;
    }
    d = sumq2 > 0 ? sumqx / sumq2 : 0;
    let best: f32 = d * sumqx;
    for (let itry = -7; itry <= 7; itry++) {
      id = (<f32>itry + value(0)) / max;
      sumqx = 0;
      sumq2 = 0;
      for (let j = 0; j < 32; j++) {
        const xj = load<f32>(x + (<usize>j << 2));
        const q = value(bestIndex(id * xj));
        const wq = load<f32>(WEIGHT + (<usize>j << 2)) * q;
        sumqx += wq * xj;
        sumq2 += wq * q;
      }
      if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
        d = sumqx / sumq2;
        best = d * sumqx;
      }
    }
    scale = d;
  }
  storeF16(bo, scale);
  // C's `scale ? 1/scale : 0` treats NaN as true, which `!= 0` reproduces.
  const id: f32 = scale != 0 ? <f32>1 / scale : 0;
  for (let j = 0; j < 32; j++) store<u8>(LEVELS + j, <u8>bestIndex(id * load<f32>(x + (<usize>j << 2))));
  for (let j = 0; j < 16; j++) store<u8>(bo + 2 + j, load<u8>(LEVELS + j) | (load<u8>(LEVELS + j + 16) << 4));
}

/** Table index per lane: the low byte of each i32 lane, the other bytes out of swizzle range (read as 0). */
// @ts-ignore: decorator
@inline
function lookup4(idx: v128): v128 {
  const bytes = i8x16.swizzle(v128.load(VALUES), v128.or(idx, i32x4.splat(0x80808000)));
  return f32x4.convert_i32x4_s(i32x4.shr_s(i32x4.shl(bytes, 24), 24));
}

/**
 * `bestIndex` on four lanes at once, the same index for every input (NaN and ties
 * included): `idx` when `wantIndex`, else the level `table[idx]` as f32.
 */
// @ts-ignore: decorator
@inline
function best4(x: v128, wantIndex: bool): v128 {
  // mu = 1 + #{k in 1..15 : table[k] <= x}: the first level above x, for table[0] < x < table[15].
  // Written out so each level is a constant operand.
  let mu = i32x4.splat(1);
  mu = i32x4.sub(mu, f32x4.le(f32x4.splat(-104), x));
  mu = i32x4.sub(mu, f32x4.le(f32x4.splat(-83), x));
  mu = i32x4.sub(mu, f32x4.le(f32x4.splat(-65), x));
  mu = i32x4.sub(mu, f32x4.le(f32x4.splat(-49), x));
  mu = i32x4.sub(mu, f32x4.le(f32x4.splat(-35), x));
  mu = i32x4.sub(mu, f32x4.le(f32x4.splat(-22), x));
  mu = i32x4.sub(mu, f32x4.le(f32x4.splat(-10), x));
  mu = i32x4.sub(mu, f32x4.le(f32x4.splat(1), x));
  mu = i32x4.sub(mu, f32x4.le(f32x4.splat(13), x));
  mu = i32x4.sub(mu, f32x4.le(f32x4.splat(25), x));
  mu = i32x4.sub(mu, f32x4.le(f32x4.splat(38), x));
  mu = i32x4.sub(mu, f32x4.le(f32x4.splat(53), x));
  mu = i32x4.sub(mu, f32x4.le(f32x4.splat(69), x));
  mu = i32x4.sub(mu, f32x4.le(f32x4.splat(89), x));
  mu = i32x4.sub(mu, f32x4.le(f32x4.splat(113), x));
  const lower = i32x4.sub(mu, i32x4.splat(1));
  const vLower = lookup4(lower);
  const vUpper = lookup4(mu);
  const below = f32x4.lt(f32x4.sub(x, vLower), f32x4.sub(vUpper, x));
  const top = v128.or(f32x4.ne(x, x), f32x4.ge(x, f32x4.splat(113)));
  const bottom = f32x4.le(x, f32x4.splat(-127));
  if (wantIndex) {
    const idx = v128.bitselect(i32x4.splat(15), v128.bitselect(lower, mu, below), top);
    return v128.bitselect(i32x4.splat(0), idx, bottom);
  }
  const v = v128.bitselect(f32x4.splat(113), v128.bitselect(vLower, vUpper, below), top);
  return v128.bitselect(f32x4.splat(-127), v, bottom);
}

/** `quantizeBlock` on four blocks at once (transposed in XT, weights in WT): one block per lane. */
function quantize4(bo: usize): void {
  const zero = f32x4.splat(0);
  let amax = zero;
  let max = zero;
  for (let j = 0; j < 32; j++) {
    const v = v128.load(XT + (<usize>j << 4));
    const ax = f32x4.abs(v);
    const bigger = f32x4.gt(ax, amax);
    amax = v128.bitselect(ax, amax, bigger);
    max = v128.bitselect(v, max, bigger);
  }
  const degenerate = f32x4.lt(amax, f32x4.splat(GROUP_MAX_EPS));
  let d = f32x4.div(f32x4.neg(max), f32x4.splat(value(0)));
  let id = f32x4.div(f32x4.splat(1), d);
  let sumqx = zero;
  let sumq2 = zero;
  for (let j = 0; j < 32; j++) {
    const o = <usize>j << 4;
    const xj = v128.load(XT + o);
    const q = best4(f32x4.mul(id, xj), false);
    const wq = f32x4.mul(v128.load(WT + o), q);
    sumqx = f32x4.add(sumqx, f32x4.mul(wq, xj));
    sumq2 = f32x4.add(sumq2, f32x4.mul(wq, q));
  }
  d = v128.bitselect(f32x4.div(sumqx, sumq2), zero, f32x4.gt(sumq2, zero));
  let best = f32x4.mul(d, sumqx);
  for (let itry = -7; itry <= 7; itry++) {
    id = f32x4.div(f32x4.splat(<f32>itry + value(0)), max);
    sumqx = zero;
    sumq2 = zero;
    for (let j = 0; j < 32; j++) {
      const o = <usize>j << 4;
      const xj = v128.load(XT + o);
      const q = best4(f32x4.mul(id, xj), false);
      const wq = f32x4.mul(v128.load(WT + o), q);
      sumqx = f32x4.add(sumqx, f32x4.mul(wq, xj));
      sumq2 = f32x4.add(sumq2, f32x4.mul(wq, q));
    }
    const better = v128.and(f32x4.gt(sumq2, zero), f32x4.gt(f32x4.mul(sumqx, sumqx), f32x4.mul(best, sumq2)));
    d = v128.bitselect(f32x4.div(sumqx, sumq2), d, better);
    best = v128.bitselect(f32x4.mul(d, sumqx), best, better);
  }
  const scale = v128.bitselect(zero, d, degenerate);
  // C's `scale ? 1/scale : 0` treats NaN as true, which `!= 0` reproduces.
  const inv = v128.bitselect(f32x4.div(f32x4.splat(1), scale), zero, f32x4.ne(scale, zero));
  for (let j = 0; j < 32; j++) {
    const idx = best4(f32x4.mul(inv, v128.load(XT + (<usize>j << 4))), true);
    store<u8>(LEVELS + j, <u8>i32x4.extract_lane(idx, 0));
    store<u8>(LEVELS + 32 + j, <u8>i32x4.extract_lane(idx, 1));
    store<u8>(LEVELS + 64 + j, <u8>i32x4.extract_lane(idx, 2));
    store<u8>(LEVELS + 96 + j, <u8>i32x4.extract_lane(idx, 3));
  }
  v128.store(SCALES4, scale);
  for (let k = 0; k < 4; k++) {
    const b = bo + <usize>k * 18;
    const lv = LEVELS + (<usize>k << 5);
    storeF16(b, load<f32>(SCALES4 + (<usize>k << 2)));
    for (let j = 0; j < 16; j++) store<u8>(b + 2 + j, load<u8>(lv + j) | (load<u8>(lv + j + 16) << 4));
  }
}

/** Fills XT/WT for blocks at `x` (four consecutive): values, and the weights of `quantizeBlock`. */
function gatherBlocks4(x: usize, qw: usize): void {
  gather4(x, 128, 32, XT, 16);
  let sigma2 = f32x4.splat(0);
  for (let j = 0; j < 32; j++) {
    const v = v128.load(XT + (<usize>j << 4));
    sigma2 = f32x4.add(sigma2, f32x4.mul(v, v));
  }
  sigma2 = f32x4.mul(sigma2, f32x4.splat(<f32>2 / 32));
  if (qw) gather4(qw, 128, 32, WT, 16);
  for (let j = 0; j < 32; j++) {
    const o = <usize>j << 4;
    const v = v128.load(XT + o);
    v128.store(WT + o, qw ? f32x4.mul(v128.load(WT + o), f32x4.sqrt(f32x4.add(sigma2, f32x4.mul(v, v)))) : f32x4.mul(v, v));
  }
}

/** Quantizes `nrows` rows of `ncols` values to IQ4_NL (18-byte blocks); `qw` the imatrix or 0. */
export function quantizeIq4nl(x: usize, y: usize, nrows: i32, ncols: i32, qw: usize): void {
  const nb = ncols >> 5;
  for (let r = 0; r < nrows; r++) {
    const xr = x + (<usize>r * <usize>ncols << 2);
    const yr = y + <usize>r * <usize>nb * 18;
    let ib = 0;
    // Four blocks at a time are searched together, one per lane.
    for (; ib + 4 <= nb; ib += 4) {
      gatherBlocks4(xr + (<usize>ib << 7), qw ? qw + (<usize>ib << 7) : 0);
      quantize4(yr + <usize>ib * 18);
    }
    for (; ib < nb; ib++) {
      quantizeBlock(xr + (<usize>ib << 7), yr + <usize>ib * 18, qw ? qw + (<usize>ib << 7) : 0);
    }
  }
}

/** Dequantizes `nblocks` IQ4_NL blocks: d·table[q], with x86's NaN bit patterns. */
export function dequantizeIq4nl(src: usize, dst: usize, nblocks: i32): void {
  for (let i = 0; i < nblocks; i++) {
    const bo = src + <usize>i * 18;
    const yo = dst + (<usize>i << 7);
    const h = <u32>load<u16>(bo);
    const d = f16ToF32(h);
    if ((h & 0x7c00) != 0x7c00) {
      const qs = v128.load(bo + 2);
      const table = v128.load(VALUES);
      const ds = f32x4.splat(d);
      expand16(i8x16.swizzle(table, v128.and(qs, i8x16.splat(0x0f))), ds, ds, SCALE_ONLY, yo);
      expand16(i8x16.swizzle(table, i8x16.shr_u(qs, 4)), ds, ds, SCALE_ONLY, yo + 64);
      continue;
    }
    for (let j = 0; j < 32; j++) {
      const q = j < 16 ? <i32>load<u8>(bo + 2 + j) & 0x0f : <i32>load<u8>(bo + 2 + j - 16) >> 4;
      const v = d * value(q);
      if (v != v) store<u32>(yo + (<usize>j << 2), nanBitsOfScaledF16(h));
      else store<f32>(yo + (<usize>j << 2), v);
    }
  }
}
