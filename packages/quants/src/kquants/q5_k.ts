/**
 * Q5_K: 5.5 bits per weight. Q5_K's super-block (eight 32-value sub-blocks with 6-bit
 * scales and mins) with 5-bit quants: the low four bits in `qs`, the fifth in `qh`.
 * Layout: d at 0, dmin at 2, scales[12] at 4, qh[32] at 16, qs[128] at 48.
 */
import { GGMLType, requireGGMLType } from '@ggufkit/tensor-layout';
import type { BlockCodec } from '../codec.js';
import { readF16 } from './bytes.js';
import { Q8K_BSUMS, Q8K_QS } from './q8_k.js';
import { QK_K, checkDequantizeArgs, checkQuantizeArgs, checkVecDotArgs } from './rows.js';
import { getScaleMinK4 } from './scales.js';
import { Q45KScratch, quantizeBlockQ45KRef, quantizeBlockQ45KWeighted } from './q45_k-common.js';

const fr = Math.fround;
const TYPE = requireGGMLType(GGMLType.Q5_K);
const Q8K = requireGGMLType(GGMLType.Q8_K);
const BLOCK_BYTES = TYPE.typeSize;
const D = 0;
const DMIN = 2;
const SCALES = 4;
const QH = 16;
const QS = 48;

function pack(y: Uint8Array, bo: number, L: Uint8Array): void {
  y.fill(0, bo + QH, bo + QH + 32);
  let ql = bo + QS;
  let m1 = 1;
  let m2 = 2;
  for (let n = 0; n < QK_K; n += 64) {
    for (let j = 0; j < 32; j++) {
      let l1 = L[n + j];
      if (l1 > 15) {
        l1 -= 16;
        y[bo + QH + j] |= m1;
      }
      let l2 = L[n + j + 32];
      if (l2 > 15) {
        l2 -= 16;
        y[bo + QH + j] |= m2;
      }
      y[ql + j] = l1 | (l2 << 4);
    }
    m1 <<= 2;
    m2 <<= 2;
    ql += 32;
  }
}

function quantize(src: Float32Array, dst: Uint8Array, nrows: number, ncols: number, imatrix?: Float32Array | null): void {
  const rowBytes = checkQuantizeArgs(TYPE, src, dst, nrows, ncols, imatrix);
  const s = new Q45KScratch();
  const nb = ncols / QK_K;
  for (let r = 0; r < nrows; r++) {
    for (let i = 0; i < nb; i++) {
      const xo = r * ncols + i * QK_K;
      const bo = r * rowBytes + i * BLOCK_BYTES;
      if (imatrix) quantizeBlockQ45KWeighted(31, true, src, xo, imatrix, i * QK_K, dst, bo, s);
      else quantizeBlockQ45KRef(31, -0.5, 0.1, 15, src, xo, dst, bo, s);
      pack(dst, bo, s.L);
    }
  }
}

function dequantize(src: Uint8Array, dst: Float32Array, nrows: number, ncols: number): void {
  checkDequantizeArgs(TYPE, src, dst, nrows, ncols);
  const nb = (nrows * ncols) / QK_K;
  let yo = 0;
  for (let i = 0; i < nb; i++) {
    const bo = i * BLOCK_BYTES;
    const d = readF16(src, bo + D);
    const min = readF16(src, bo + DMIN);
    let q = bo + QS;
    let u1 = 1;
    let u2 = 2;
    for (let is = 0; is < 8; is += 2) {
      const sm1 = getScaleMinK4(is, src, bo + SCALES);
      const d1 = fr(d * (sm1 & 0xff));
      const m1 = fr(min * (sm1 >> 8));
      const sm2 = getScaleMinK4(is + 1, src, bo + SCALES);
      const d2 = fr(d * (sm2 & 0xff));
      const m2 = fr(min * (sm2 >> 8));
      for (let l = 0; l < 32; l++) dst[yo++] = fr(fr(d1 * ((src[q + l] & 0xf) + (src[bo + QH + l] & u1 ? 16 : 0))) - m1);
      for (let l = 0; l < 32; l++) dst[yo++] = fr(fr(d2 * ((src[q + l] >> 4) + (src[bo + QH + l] & u2 ? 16 : 0))) - m2);
      q += 32;
      u1 <<= 2;
      u2 <<= 2;
    }
  }
}

const dotSums = new Float32Array(8);
const dotAux32 = new Int32Array(8);

/** `ggml_vec_dot_q5_K_q8_K` (generic CPU path): eight int32 lanes per block, eight f32 lane sums, mins folded via bsums. */
function vecDot(n: number, x: Uint8Array, xOffset: number, y: Uint8Array, yOffset: number): number {
  const nb = checkVecDotArgs(TYPE, Q8K, n, x, xOffset, y, yOffset);
  const yv = new DataView(y.buffer, y.byteOffset, y.byteLength);
  const sums = dotSums;
  const aux32 = dotAux32;
  sums.fill(0);
  let sumf = 0;
  for (let i = 0; i < nb; i++) {
    const xb = xOffset + i * BLOCK_BYTES;
    const yb = yOffset + i * Q8K.typeSize;
    aux32.fill(0);
    let sumi = 0;
    for (let j = 0; j < 16; j++) sumi += yv.getInt16(yb + Q8K_BSUMS + 2 * j, true) * (getScaleMinK4(j >> 1, x, xb + SCALES) >> 8);
    let q8 = yb + Q8K_QS;
    for (let j = 0; j < 8; j++) {
      const scale = getScaleMinK4(j, x, xb + SCALES) & 0xff;
      // Sub-block j: nibbles of qs bytes 32*(j>>1).., low nibble for even j; fifth bit j of qh.
      const q4 = xb + QS + 32 * (j >> 1);
      const shift = (j & 1) * 4;
      const hbit = 1 << j;
      for (let k = 0; k < 32; k += 8) {
        for (let l = 0; l < 8; l++) {
          const a = ((x[q4 + k + l] >> shift) & 0xf) + (x[xb + QH + k + l] & hbit ? 16 : 0);
          aux32[l] += scale * (((y[q8 + l] << 24) >> 24) * a);
        }
        q8 += 8;
      }
    }
    const yd = yv.getFloat32(yb, true);
    const d = fr(readF16(x, xb + D) * yd);
    for (let l = 0; l < 8; l++) sums[l] = fr(sums[l] + fr(d * aux32[l]));
    const dmin = fr(readF16(x, xb + DMIN) * yd);
    sumf = fr(sumf - fr(dmin * sumi));
  }
  for (let l = 0; l < 8; l++) sumf = fr(sumf + sums[l]);
  return sumf;
}

/** Q5_K codec (`quantize_q5_K`, `dequantize_row_q5_K`, `ggml_vec_dot_q5_K_q8_K`). */
export const q5KCodec: BlockCodec = {
  type: TYPE,
  acceptsImatrix: true,
  vecDotType: GGMLType.Q8_K,
  quantize,
  dequantize,
  vecDot,
};
