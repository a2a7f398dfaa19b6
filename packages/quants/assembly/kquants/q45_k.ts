// Q4_K (144 bytes) and Q5_K (176 bytes) super-blocks of 256 values. Both start with f16 d
// at 0, f16 dmin at 2 and 12 bytes of 6-bit scales/mins at 4; Q4_K then holds qs[128] at
// 16, Q5_K qh[32] at 16 and qs[128] at 48. `quantize_q4_K` / `quantize_q5_K` and the
// matching `dequantize_row_*`.

import { loadF16, storeF16 } from '../common/f16';
import { MINUS_OFFSET, SCALE_ONLY, expand16 } from '../common/expand';
import { nearestInt } from '../common/numeric';
import { MIN8, SCALE8, WT, XT, gather8, searchAsym8 } from '../common/lanes';
import { makeQpQuants } from './search-k';
import { getScaleMinK4, packScaleMinK4 } from './scales';

const L: usize = memory.data(256);
const MINS: usize = memory.data(8 * 4, 16);
const SCALES: usize = memory.data(8 * 4, 16);
const SW: usize = memory.data(8 * 4, 16);
const LS: usize = memory.data(8);
const LM: usize = memory.data(8);

/** Final pass: levels 0..nmax from the stored f16 super-scales and 6-bit scales/mins. */
function requantize(nmax: i32, x: usize, bo: usize): void {
  const d0 = loadF16(bo);
  const m0 = loadF16(bo + 2);
  for (let j = 0; j < 8; j++) {
    const sm = getScaleMinK4(j, bo + 4);
    const d: f32 = d0 * <f32>(sm & 0xff);
    if (d == 0) continue;
    const dm: f32 = m0 * <f32>(sm >> 8);
    for (let ii = 0; ii < 32; ii++) {
      const l = nearestInt((load<f32>(x + (<usize>(32 * j + ii) << 2)) + dm) / d);
      store<u8>(L + 32 * j + ii, <u8>(l < 0 ? 0 : l > nmax ? nmax : l));
    }
  }
}

function blockRef(nmax: i32, rmin: f32, rdelta: f32, nstep: i32, x: usize, bo: usize): void {
  // The eight sub-blocks are searched together, one per lane.
  gather8(x, 128, 32, XT);
  let sumX2A = f32x4.splat(0);
  let sumX2B = f32x4.splat(0);
  for (let l = 0; l < 32; l++) {
    const va = v128.load(XT + (<usize>l << 5));
    const vb = v128.load(XT + (<usize>l << 5) + 16);
    sumX2A = f32x4.add(sumX2A, f32x4.mul(va, va));
    sumX2B = f32x4.add(sumX2B, f32x4.mul(vb, vb));
  }
  const avXA = f32x4.sqrt(f32x4.div(sumX2A, f32x4.splat(32)));
  const avXB = f32x4.sqrt(f32x4.div(sumX2B, f32x4.splat(32)));
  for (let l = 0; l < 32; l++) {
    const o = <usize>l << 5;
    v128.store(WT + o, f32x4.add(avXA, f32x4.abs(v128.load(XT + o))));
    v128.store(WT + o + 16, f32x4.add(avXB, f32x4.abs(v128.load(XT + o + 16))));
  }
  searchAsym8(32, nmax, rmin, rdelta, nstep, false, true, L, 32);
  memory.copy(SCALES, SCALE8, 32);
  memory.copy(MINS, MIN8, 32);
  let maxScale: f32 = 0;
  let maxMin: f32 = 0;
  for (let j = 0; j < 8; j++) {
    const s = load<f32>(SCALES + (<usize>j << 2));
    const m = load<f32>(MINS + (<usize>j << 2));
    if (s > maxScale) maxScale = s;
    if (m > maxMin) maxMin = m;
  }
  const invScale: f32 = maxScale > 0 ? <f32>63 / maxScale : 0;
  const invMin: f32 = maxMin > 0 ? <f32>63 / maxMin : 0;
  for (let j = 0; j < 8; j++) {
    // ggml rounds into a uint8_t, then clamps.
    const ls = nearestInt(invScale * load<f32>(SCALES + (<usize>j << 2))) & 0xff;
    const lm = nearestInt(invMin * load<f32>(MINS + (<usize>j << 2))) & 0xff;
    store<u8>(LS + j, <u8>(ls < 63 ? ls : 63));
    store<u8>(LM + j, <u8>(lm < 63 ? lm : 63));
  }
  packScaleMinK4(LS, LM, bo + 4);
  storeF16(bo, maxScale / 63);
  storeF16(bo + 2, maxMin / 63);
  requantize(nmax, x, bo);
}

function blockWeighted(nmax: i32, clampLevels: bool, x: usize, qw: usize, bo: usize): void {
  let sumX2: f32 = 0;
  for (let l = 0; l < 256; l++) {
    const v = load<f32>(x + (<usize>l << 2));
    sumX2 += v * v;
  }
  const sigma2 = f32x4.splat((<f32>2 * sumX2) / 256);
  // The eight sub-blocks are searched together, one per lane.
  gather8(x, 128, 32, XT);
  gather8(qw, 128, 32, WT);
  let sumwA = f32x4.splat(0);
  let sumwB = f32x4.splat(0);
  for (let l = 0; l < 32; l++) {
    const o = <usize>l << 5;
    const va = v128.load(XT + o);
    const vb = v128.load(XT + o + 16);
    const wa = f32x4.mul(v128.load(WT + o), f32x4.sqrt(f32x4.add(sigma2, f32x4.mul(va, va))));
    const wb = f32x4.mul(v128.load(WT + o + 16), f32x4.sqrt(f32x4.add(sigma2, f32x4.mul(vb, vb))));
    v128.store(WT + o, wa);
    v128.store(WT + o + 16, wb);
    sumwA = f32x4.add(sumwA, wa);
    sumwB = f32x4.add(sumwB, wb);
  }
  v128.store(SW, sumwA);
  v128.store(SW + 16, sumwB);
  searchAsym8(32, nmax, -0.9, 0.05, 36, false, false, L, 32);
  memory.copy(SCALES, SCALE8, 32);
  memory.copy(MINS, MIN8, 32);
  const dBlock = makeQpQuants(8, 63, SCALES, LS, SW);
  const mBlock = makeQpQuants(8, 63, MINS, LM, SW);
  if (clampLevels) {
    for (let j = 0; j < 8; j++) {
      if (load<u8>(LS + j) > 63) store<u8>(LS + j, 63);
      if (load<u8>(LM + j) > 63) store<u8>(LM + j, 63);
    }
  }
  packScaleMinK4(LS, LM, bo + 4);
  storeF16(bo, dBlock);
  storeF16(bo + 2, mBlock);
  requantize(nmax, x, bo);
}

function packQ4(bo: usize): void {
  let q = bo + 16;
  for (let j = 0; j < 256; j += 64) {
    for (let l = 0; l < 32; l++) store<u8>(q + l, load<u8>(L + j + l) | (load<u8>(L + j + l + 32) << 4));
    q += 32;
  }
}

function packQ5(bo: usize): void {
  const qh = bo + 16;
  memory.fill(qh, 0, 32);
  let ql = bo + 48;
  let m1: u8 = 1;
  let m2: u8 = 2;
  for (let n = 0; n < 256; n += 64) {
    for (let j = 0; j < 32; j++) {
      let l1 = load<u8>(L + n + j);
      if (l1 > 15) {
        l1 -= 16;
        store<u8>(qh + j, load<u8>(qh + j) | m1);
      }
      let l2 = load<u8>(L + n + j + 32);
      if (l2 > 15) {
        l2 -= 16;
        store<u8>(qh + j, load<u8>(qh + j) | m2);
      }
      store<u8>(ql + j, l1 | (l2 << 4));
    }
    m1 <<= 2;
    m2 <<= 2;
    ql += 32;
  }
}

/** Quantizes `nrows` rows of `ncols` values to Q4_K (`five` false) or Q5_K; `qw` the imatrix or 0. */
export function quantizeQ45K(x: usize, y: usize, nrows: i32, ncols: i32, qw: usize, five: bool): void {
  const nb = ncols >> 8;
  const blockBytes: usize = five ? 176 : 144;
  const nmax = five ? 31 : 15;
  for (let r = 0; r < nrows; r++) {
    for (let i = 0; i < nb; i++) {
      const xo = x + ((<usize>r * <usize>ncols + (<usize>i << 8)) << 2);
      const bo = y + (<usize>r * <usize>nb + <usize>i) * blockBytes;
      if (qw) blockWeighted(nmax, five, xo, qw + (<usize>i << 10), bo);
      else if (five) blockRef(31, -0.5, 0.1, 15, xo, bo);
      else blockRef(15, -1, 0.1, 20, xo, bo);
      if (five) packQ5(bo);
      else packQ4(bo);
    }
  }
}

/** Dequantizes `nblocks` Q4_K or Q5_K super-blocks: d·sc·q − dmin·m. */
export function dequantizeQ45K(src: usize, dst: usize, nblocks: i32, five: bool): void {
  const blockBytes: usize = five ? 176 : 144;
  let yo = dst;
  for (let i = 0; i < nblocks; i++) {
    const bo = src + <usize>i * blockBytes;
    const d = loadF16(bo);
    const min = loadF16(bo + 2);
    let q = bo + (five ? 48 : 16);
    let u1 = 1;
    let u2 = 2;
    for (let is = 0; is < 8; is += 2) {
      const sm1 = getScaleMinK4(is, bo + 4);
      const d1: f32 = d * <f32>(sm1 & 0xff);
      const m1: f32 = min * <f32>(sm1 >> 8);
      const sm2 = getScaleMinK4(is + 1, bo + 4);
      const d2: f32 = d * <f32>(sm2 & 0xff);
      const m2: f32 = min * <f32>(sm2 >> 8);
      const d1s = f32x4.splat(d1);
      const m1s = f32x4.splat(m1);
      const d2s = f32x4.splat(d2);
      const m2s = f32x4.splat(m2);
      for (let half: usize = 0; half < 32; half += 16) {
        const packed = v128.load(q + half);
        let lo = v128.and(packed, i8x16.splat(0x0f));
        let hi = i8x16.shr_u(packed, 4);
        if (five) {
          const qh = v128.load(bo + 16 + half);
          lo = v128.or(lo, v128.and(v128.not(i8x16.eq(v128.and(qh, i8x16.splat(<i8>u1)), i8x16.splat(0))), i8x16.splat(16)));
          hi = v128.or(hi, v128.and(v128.not(i8x16.eq(v128.and(qh, i8x16.splat(<i8>u2)), i8x16.splat(0))), i8x16.splat(16)));
        }
        expand16(lo, d1s, m1s, MINUS_OFFSET, yo + (half << 2));
        expand16(hi, d2s, m2s, MINUS_OFFSET, yo + 128 + (half << 2));
      }
      yo += 256;
      q += 32;
      u1 <<= 2;
      u2 <<= 2;
    }
  }
}
