/**
 * What Q4_K and Q5_K share. Both formats start with the same 16 bytes (f16 d at 0, f16
 * dmin at 2, 12 bytes of 6-bit scales/mins at 4) and differ only in the quant width (nmax
 * 15 or 31), the search parameters, how the levels are packed, and Q5_K's fifth bits
 * (`qh`). The quantizers fill the header and leave the levels in `scratch.L` for the
 * caller; dequantizing and the dot product read the fifth bits when there are any.
 */
import { GGMLType, requireGGMLType } from '@ggufkit/tensor-layout';
import { makeQkx3Quants, nearestInt } from '../scale-search.js';
import { readF16, writeF16 } from './bytes.js';
import { Q8K_BSUMS, Q8K_QS } from './q8_k.js';
import { QK_K } from './rows.js';
import { makeQkx2Quants, makeQpQuants } from './scale-search-k.js';
import { getScaleMinK4, packScaleMinK4 } from './scales.js';
import { addScaledLanes, sumLanes, type DotLanes } from './super-block-codec.js';

const fr = Math.fround;
const D = 0;
const DMIN = 2;
const SCALES = 4;
const Q8K_BYTES = requireGGMLType(GGMLType.Q8_K).typeSize;

/** Per-call scratch, so no block allocates. */
export class Q45KScratch {
  readonly L = new Uint8Array(QK_K);
  readonly Laux = new Uint8Array(32);
  readonly weights = new Float32Array(32);
  readonly mins = new Float32Array(8);
  readonly scales = new Float32Array(8);
  readonly sw = new Float32Array(8);
  readonly Ls = new Uint8Array(8);
  readonly Lm = new Uint8Array(8);
}

/** Final pass: levels 0..nmax from the stored (f16, 6-bit) scales and mins. */
function requantize(nmax: number, x: Float32Array, xo: number, y: Uint8Array, bo: number, L: Uint8Array): void {
  const d0 = readF16(y, bo + D);
  const m0 = readF16(y, bo + DMIN);
  for (let j = 0; j < 8; j++) {
    const sm = getScaleMinK4(j, y, bo + SCALES);
    const d = fr(d0 * (sm & 0xff));
    if (d === 0) continue;
    const dm = fr(m0 * (sm >> 8));
    for (let ii = 0; ii < 32; ii++) {
      const l = nearestInt(fr(fr(x[xo + 32 * j + ii] + dm) / d));
      L[32 * j + ii] = l < 0 ? 0 : l > nmax ? nmax : l;
    }
  }
}

/**
 * One block as ggml's `quantize_row_q4_K_ref` / `quantize_row_q5_K_ref`: per sub-block
 * `make_qkx2_quants` with weights av_x + |x|, then 6-bit scales relative to the largest.
 */
export function quantizeBlockQ45KRef(
  nmax: number,
  rmin: number,
  rdelta: number,
  nstep: number,
  x: Float32Array,
  xo: number,
  y: Uint8Array,
  bo: number,
  s: Q45KScratch,
): void {
  const { L, Laux, weights, mins, scales, Ls, Lm } = s;
  let maxScale = 0;
  let maxMin = 0;
  for (let j = 0; j < 8; j++) {
    const o = xo + 32 * j;
    let sumX2 = 0;
    for (let l = 0; l < 32; l++) sumX2 = fr(sumX2 + fr(x[o + l] * x[o + l]));
    const avX = fr(Math.sqrt(fr(sumX2 / 32)));
    for (let l = 0; l < 32; l++) weights[l] = fr(avX + Math.abs(x[o + l]));
    scales[j] = makeQkx2Quants(32, nmax, x, o, weights, L, 32 * j, mins, j, Laux, rmin, rdelta, nstep, false);
    if (scales[j] > maxScale) maxScale = scales[j];
    if (mins[j] > maxMin) maxMin = mins[j];
  }
  const invScale = maxScale > 0 ? fr(63 / maxScale) : 0;
  const invMin = maxMin > 0 ? fr(63 / maxMin) : 0;
  for (let j = 0; j < 8; j++) {
    // ggml rounds into a uint8_t, then clamps.
    const ls = nearestInt(fr(invScale * scales[j])) & 0xff;
    const lm = nearestInt(fr(invMin * mins[j])) & 0xff;
    Ls[j] = ls < 63 ? ls : 63;
    Lm[j] = lm < 63 ? lm : 63;
  }
  packScaleMinK4(Ls, Lm, y, bo + SCALES);
  writeF16(y, bo + D, fr(maxScale / 63));
  writeF16(y, bo + DMIN, fr(maxMin / 63));
  requantize(nmax, x, xo, y, bo, L);
}

/**
 * One block as ggml's `quantize_row_q4_K_impl` / `quantize_row_q5_K_impl` with importance
 * weights `qw[qo..qo+256)`: per sub-block `make_qkx3_quants`, then `make_qp_quants` for the
 * scales and mins. `clampLevels` is Q5_K's extra MIN(63, ·) on the scale levels.
 */
export function quantizeBlockQ45KWeighted(
  nmax: number,
  clampLevels: boolean,
  x: Float32Array,
  xo: number,
  qw: Float32Array,
  qo: number,
  y: Uint8Array,
  bo: number,
  s: Q45KScratch,
): void {
  const { L, Laux, weights, mins, scales, sw, Ls, Lm } = s;
  let sumX2 = 0;
  for (let l = 0; l < QK_K; l++) sumX2 = fr(sumX2 + fr(x[xo + l] * x[xo + l]));
  const sigma2 = fr(fr(2 * sumX2) / QK_K);
  for (let j = 0; j < 8; j++) {
    const o = xo + 32 * j;
    for (let l = 0; l < 32; l++) weights[l] = fr(qw[qo + 32 * j + l] * fr(Math.sqrt(fr(sigma2 + fr(x[o + l] * x[o + l])))));
    let sumw = 0;
    for (let l = 0; l < 32; l++) sumw = fr(sumw + weights[l]);
    sw[j] = sumw;
    scales[j] = makeQkx3Quants(32, nmax, x, o, weights, L, 32 * j, mins, j, Laux, -0.9, 0.05, 36, false);
  }
  const dBlock = makeQpQuants(8, 63, scales, Ls, sw);
  const mBlock = makeQpQuants(8, 63, mins, Lm, sw);
  if (clampLevels) {
    for (let j = 0; j < 8; j++) {
      if (Ls[j] > 63) Ls[j] = 63;
      if (Lm[j] > 63) Lm[j] = 63;
    }
  }
  packScaleMinK4(Ls, Lm, y, bo + SCALES);
  writeF16(y, bo + D, dBlock);
  writeF16(y, bo + DMIN, mBlock);
  requantize(nmax, x, xo, y, bo, L);
}

/** Where a Q4_K or Q5_K super-block keeps its quants: `qs` (low four bits), `qh` (fifth bits; -1: none) and its size. */
export interface Q45KLayout {
  readonly qs: number;
  readonly qh: number;
  readonly blockBytes: number;
}

/** `dequantize_row_q4_K` / `dequantize_row_q5_K` for one super-block. */
export function dequantizeBlockQ45K(f: Q45KLayout, src: Uint8Array, bo: number, dst: Float32Array, yo: number): void {
  const d = readF16(src, bo + D);
  const min = readF16(src, bo + DMIN);
  const qh = bo + f.qh;
  let q = bo + f.qs;
  let u1 = 1;
  let u2 = 2;
  for (let is = 0; is < 8; is += 2) {
    const sm1 = getScaleMinK4(is, src, bo + SCALES);
    const d1 = fr(d * (sm1 & 0xff));
    const m1 = fr(min * (sm1 >> 8));
    const sm2 = getScaleMinK4(is + 1, src, bo + SCALES);
    const d2 = fr(d * (sm2 & 0xff));
    const m2 = fr(min * (sm2 >> 8));
    for (let l = 0; l < 32; l++) dst[yo++] = fr(fr(d1 * ((src[q + l] & 0xf) + (f.qh >= 0 && src[qh + l] & u1 ? 16 : 0))) - m1);
    for (let l = 0; l < 32; l++) dst[yo++] = fr(fr(d2 * ((src[q + l] >> 4) + (f.qh >= 0 && src[qh + l] & u2 ? 16 : 0))) - m2);
    q += 32;
    u1 <<= 2;
    u2 <<= 2;
  }
}

/**
 * `ggml_vec_dot_q4_K_q8_K` / `ggml_vec_dot_q5_K_q8_K` (generic CPU path): eight int32
 * lanes per super-block, eight f32 lane sums, the mins folded in through the Q8_K block sums.
 */
export function dotBlocksQ45K(f: Q45KLayout, lanes: DotLanes, nb: number, x: Uint8Array, xo: number, y: Uint8Array, yv: DataView, yo: number): number {
  const { aux32 } = lanes;
  lanes.sums.fill(0);
  let sumf = 0;
  for (let i = 0; i < nb; i++) {
    const xb = xo + i * f.blockBytes;
    const yb = yo + i * Q8K_BYTES;
    aux32.fill(0);
    let sumi = 0;
    for (let j = 0; j < 16; j++) sumi += yv.getInt16(yb + Q8K_BSUMS + 2 * j, true) * (getScaleMinK4(j >> 1, x, xb + SCALES) >> 8);
    let q8 = yb + Q8K_QS;
    for (let j = 0; j < 8; j++) {
      const scale = getScaleMinK4(j, x, xb + SCALES) & 0xff;
      // Sub-block j: nibbles of qs bytes 32*(j>>1).., low nibble for even j; fifth bit j of qh.
      const q4 = xb + f.qs + 32 * (j >> 1);
      const shift = (j & 1) * 4;
      const hbit = 1 << j;
      for (let k = 0; k < 32; k += 8) {
        for (let l = 0; l < 8; l++) {
          const a = ((x[q4 + k + l] >> shift) & 0xf) + (f.qh >= 0 && x[xb + f.qh + k + l] & hbit ? 16 : 0);
          aux32[l] += scale * (((y[q8 + l] << 24) >> 24) * a);
        }
        q8 += 8;
      }
    }
    const yd = yv.getFloat32(yb, true);
    addScaledLanes(lanes, fr(readF16(x, xb + D) * yd));
    const dmin = fr(readF16(x, xb + DMIN) * yd);
    sumf = fr(sumf - fr(dmin * sumi));
  }
  return sumLanes(lanes, sumf);
}
