/**
 * The scale search shared by Q4_K and Q5_K. Both formats start with the same 16 bytes
 * (f16 d at 0, f16 dmin at 2, 12 bytes of 6-bit scales/mins at 4) and differ only in the
 * quant width (nmax 15 or 31), the search parameters, and how the levels are packed;
 * these functions fill the header and leave the levels in `scratch.L` for the caller.
 */
import { makeQkx3Quants, nearestInt } from '../scale-search.js';
import { readF16, writeF16 } from './bytes.js';
import { QK_K } from './rows.js';
import { makeQkx2Quants, makeQpQuants } from './scale-search-k.js';
import { getScaleMinK4, packScaleMinK4 } from './scales.js';

const fr = Math.fround;
const D = 0;
const DMIN = 2;
const SCALES = 4;

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
