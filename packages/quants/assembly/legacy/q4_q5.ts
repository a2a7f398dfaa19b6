// Q4_0, Q4_1, Q5_0, Q5_1: 32-value blocks with an f16 scale (and f16 offset for _1) and
// 4- or 5-bit levels, as ggml's `quantize_q4_0` .. `quantize_q5_1` and `dequantize_row_*`.

import { f16ToF32, storeF16 } from '../common/f16';
import { DEFAULT_NAN_BITS, f16NanBits, nanBitsOfScaledF16, truncToInt8 } from '../common/numeric';
import { makeQkx3Quants, makeQxQuants } from '../common/search';
import { MINUS_OFFSET, PLUS_OFFSET, SCALE_ONLY, expand16, fifthBits16 } from '../common/expand';
import { MIN8, SCALE8, WT, XT, gather8, searchAsym8, searchSym8 } from '../common/lanes';
import { blockWeights, packFiveBit, packFourBit, rowSigma2 } from './weights';

const LEVELS: usize = memory.data(32);
const LEVELS8: usize = memory.data(8 * 32);
const WEIGHT: usize = memory.data(32 * 4, 16);
const THE_MIN: usize = memory.data(4, 4);
const FLT_MAX: f32 = 3.4028234663852886e38;

/** Scale max/−nmax of the largest-magnitude value and levels `MIN(top, (int8_t)(x/d + nmax + 0.5))`, as `quantize_row_q4_0_ref` / `_q5_0_ref`. */
function blockSymRef(x: usize, bo: usize, nmax: i32): f32 {
  let amax: f32 = 0;
  let max: f32 = 0;
  for (let j = 0; j < 32; j++) {
    const v = load<f32>(x + (<usize>j << 2));
    if (amax < abs<f32>(v)) {
      amax = abs<f32>(v);
      max = v;
    }
  }
  const d: f32 = max / <f32>(-nmax);
  const id: f32 = d != 0 ? <f32>1 / d : 0;
  const top = 2 * nmax - 1;
  const bias: f32 = <f32>nmax + 0.5;
  for (let j = 0; j < 32; j++) {
    const l = truncToInt8(load<f32>(x + (<usize>j << 2)) * id + bias);
    store<u8>(LEVELS + j, <u8>(l < top ? l : top));
  }
  return d;
}

/** min..max range in `steps` steps, levels `(int8_t)((x − min)/d + 0.5)` (clamped to 15 for Q4_1 only), as `quantize_row_q4_1_ref` / `_q5_1_ref`. */
function blockAsymRef(x: usize, bo: usize, steps: i32, clamp: bool): f32 {
  let min: f32 = FLT_MAX;
  let max: f32 = -FLT_MAX;
  for (let j = 0; j < 32; j++) {
    const v = load<f32>(x + (<usize>j << 2));
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const d: f32 = (max - min) / <f32>steps;
  const id: f32 = d != 0 ? <f32>1 / d : 0;
  storeF16(bo + 2, min);
  for (let j = 0; j < 32; j++) {
    let l = truncToInt8((load<f32>(x + (<usize>j << 2)) - min) * id + <f32>0.5);
    if (clamp && l > 15) l = 15;
    store<u8>(LEVELS + j, <u8>l);
  }
  return d;
}

/** Transposes blocks ib..ib+7 of a row and their importance weights qw·sqrt(sigma² + x²) into XT/WT. */
function gatherWeighted8(xb: usize, qwb: usize, sigma2: f32): void {
  gather8(xb, 128, 32, XT);
  gather8(qwb, 128, 32, WT);
  const s2 = f32x4.splat(sigma2);
  for (let j = 0; j < 64; j++) {
    const o = <usize>j << 4;
    const v = v128.load(XT + o);
    v128.store(WT + o, f32x4.mul(v128.load(WT + o), f32x4.sqrt(f32x4.add(s2, f32x4.mul(v, v)))));
  }
}

/** Quantizes `nrows` rows of `ncols` values of Q4_0 (nmax 8) or Q5_0 (nmax 16). */
export function quantizeSym(x: usize, y: usize, nrows: i32, ncols: i32, qw: usize, five: bool): void {
  const nb = ncols >> 5;
  const blockBytes: usize = five ? 22 : 18;
  const nmax = five ? 16 : 8;
  for (let r = 0; r < nrows; r++) {
    const xr = x + (<usize>r * <usize>ncols << 2);
    const yr = y + <usize>r * <usize>nb * blockBytes;
    const sigma2 = qw ? rowSigma2(xr, ncols) : 0;
    let ib = 0;
    // With importance weights, eight blocks at a time are searched together, one per lane.
    for (; qw && ib + 8 <= nb; ib += 8) {
      gatherWeighted8(xr + (<usize>ib << 7), qw + (<usize>ib << 7), sigma2);
      searchSym8(32, nmax, true, LEVELS8, 32);
      for (let k = 0; k < 8; k++) {
        const bo = yr + <usize>(ib + k) * blockBytes;
        storeF16(bo, load<f32>(SCALE8 + (<usize>k << 2)));
        if (five) packFiveBit(LEVELS8 + (<usize>k << 5), bo + 2, bo + 6);
        else packFourBit(LEVELS8 + (<usize>k << 5), bo + 2);
      }
    }
    for (; ib < nb; ib++) {
      const xb = xr + (<usize>ib << 7);
      const bo = yr + <usize>ib * blockBytes;
      let d: f32;
      if (qw) {
        blockWeights(WEIGHT, qw + (<usize>ib << 7), xb, sigma2);
        d = makeQxQuants(32, nmax, xb, LEVELS, 1, WEIGHT);
      } else {
        d = blockSymRef(xb, bo, nmax);
      }
      storeF16(bo, d);
      if (five) packFiveBit(LEVELS, bo + 2, bo + 6);
      else packFourBit(LEVELS, bo + 2);
    }
  }
}

/** Quantizes `nrows` rows of `ncols` values of Q4_1 (nmax 15) or Q5_1 (nmax 31). */
export function quantizeAsym(x: usize, y: usize, nrows: i32, ncols: i32, qw: usize, five: bool): void {
  const nb = ncols >> 5;
  const blockBytes: usize = five ? 24 : 20;
  const nmax = five ? 31 : 15;
  for (let r = 0; r < nrows; r++) {
    const xr = x + (<usize>r * <usize>ncols << 2);
    const yr = y + <usize>r * <usize>nb * blockBytes;
    const sigma2 = qw ? rowSigma2(xr, ncols) : 0;
    let ib = 0;
    // With importance weights, eight blocks at a time are searched together, one per lane.
    for (; qw && ib + 8 <= nb; ib += 8) {
      gatherWeighted8(xr + (<usize>ib << 7), qw + (<usize>ib << 7), sigma2);
      searchAsym8(32, nmax, -0.9, 0.05, 36, false, false, LEVELS8, 32);
      for (let k = 0; k < 8; k++) {
        const bo = yr + <usize>(ib + k) * blockBytes;
        storeF16(bo, load<f32>(SCALE8 + (<usize>k << 2)));
        storeF16(bo + 2, -load<f32>(MIN8 + (<usize>k << 2)));
        if (five) packFiveBit(LEVELS8 + (<usize>k << 5), bo + 4, bo + 8);
        else packFourBit(LEVELS8 + (<usize>k << 5), bo + 4);
      }
    }
    for (; ib < nb; ib++) {
      const xb = xr + (<usize>ib << 7);
      const bo = yr + <usize>ib * blockBytes;
      let d: f32;
      if (qw) {
        blockWeights(WEIGHT, qw + (<usize>ib << 7), xb, sigma2);
        d = makeQkx3Quants(32, nmax, xb, WEIGHT, LEVELS, THE_MIN, -0.9, 0.05, 36, false);
        storeF16(bo + 2, -load<f32>(THE_MIN));
      } else {
        d = blockAsymRef(xb, bo, nmax, !five);
      }
      storeF16(bo, d);
      if (five) packFiveBit(LEVELS, bo + 4, bo + 8);
      else packFourBit(LEVELS, bo + 4);
    }
  }
}

// @ts-ignore: decorator
@inline
function level(bo: usize, qs: usize, qh: u32, j: i32, five: bool): i32 {
  const low = j < 16 ? <i32>load<u8>(bo + qs + j) & 0x0f : <i32>load<u8>(bo + qs + j - 16) >> 4;
  return five ? low | <i32>(((qh >> j) & 1) << 4) : low;
}

/** Dequantizes `nblocks` Q4_0 / Q5_0 blocks: (q − nmax)·d, with x86's NaN bit patterns. */
export function dequantizeSym(src: usize, dst: usize, nblocks: i32, five: bool): void {
  const blockBytes: usize = five ? 22 : 18;
  const qs: usize = five ? 6 : 2;
  const bias = five ? 16 : 8;
  for (let i = 0; i < nblocks; i++) {
    const bo = src + <usize>i * blockBytes;
    const yo = dst + (<usize>i << 7);
    const h = <u32>load<u16>(bo);
    const d = f16ToF32(h);
    const qh = five ? load<u32>(bo + 2) : 0;
    if ((h & 0x7c00) != 0x7c00) {
      // Finite scale: no NaN can appear, so all 32 values go through v128.
      const packed = v128.load(bo + qs);
      let lo = v128.and(packed, i8x16.splat(0x0f));
      let hi = i8x16.shr_u(packed, 4);
      if (five) {
        lo = v128.or(lo, fifthBits16(qh, 0));
        hi = v128.or(hi, fifthBits16(qh, 16));
      }
      const ds = f32x4.splat(d);
      expand16(i8x16.sub(lo, i8x16.splat(<i8>bias)), ds, ds, SCALE_ONLY, yo);
      expand16(i8x16.sub(hi, i8x16.splat(<i8>bias)), ds, ds, SCALE_ONLY, yo + 64);
      continue;
    }
    for (let j = 0; j < 32; j++) {
      const v = <f32>(level(bo, qs, qh, j, five) - bias) * d;
      if (v != v) store<u32>(yo + (<usize>j << 2), nanBitsOfScaledF16(h));
      else store<f32>(yo + (<usize>j << 2), v);
    }
  }
}

/** Dequantizes `nblocks` Q4_1 / Q5_1 blocks: q·d + m, with x86's NaN bit patterns. */
export function dequantizeAsym(src: usize, dst: usize, nblocks: i32, five: bool): void {
  const blockBytes: usize = five ? 24 : 20;
  const qs: usize = five ? 8 : 4;
  for (let i = 0; i < nblocks; i++) {
    const bo = src + <usize>i * blockBytes;
    const yo = dst + (<usize>i << 7);
    const dh = <u32>load<u16>(bo);
    const mh = <u32>load<u16>(bo + 2);
    const d = f16ToF32(dh);
    const m = f16ToF32(mh);
    const qh = five ? load<u32>(bo + 4) : 0;
    if ((dh & 0x7c00) != 0x7c00 && (mh & 0x7c00) != 0x7c00) {
      // Finite scale and offset: no NaN can appear, so all 32 values go through v128.
      const packed = v128.load(bo + qs);
      let lo = v128.and(packed, i8x16.splat(0x0f));
      let hi = i8x16.shr_u(packed, 4);
      if (five) {
        lo = v128.or(lo, fifthBits16(qh, 0));
        hi = v128.or(hi, fifthBits16(qh, 16));
      }
      const ds = f32x4.splat(d);
      const ms = f32x4.splat(m);
      expand16(lo, ds, ms, PLUS_OFFSET, yo);
      expand16(hi, ds, ms, PLUS_OFFSET, yo + 64);
      continue;
    }
    for (let j = 0; j < 32; j++) {
      const t = <f32>level(bo, qs, qh, j, five) * d;
      const v = t + m;
      if (v != v) store<u32>(yo + (<usize>j << 2), t != t ? nanBitsOfScaledF16(dh) : m != m ? f16NanBits(mh) : DEFAULT_NAN_BITS);
      else store<f32>(yo + (<usize>j << 2), v);
    }
  }
}
