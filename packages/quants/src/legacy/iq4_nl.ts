/**
 * IQ4_NL: 32 values as an f16 scale `d` and 4-bit indices into a fixed non-linear table
 * of 16 int8 levels (value = d·table[q]). llama.cpp falls back to it for Q2_K/Q3_K tensors
 * whose rows are not a multiple of 256. Block layout (18 bytes): d at 0; qs at 2..17,
 * byte j holds the index of value j (low nibble) and of value j + 16 (high nibble).
 */
import { GGMLType, f16ToF32 } from '@ggufkit/tensor-layout';
import { readF16, writeF16 } from '../kquants/bytes.js';
import { GROUP_MAX_EPS } from '../scale-search.js';
import { QK, defineBlockCodec } from './block-codec.js';
import { nanBitsOfScaledF16 } from './c-numeric.js';

const fr = Math.fround;
const BLOCK_BYTES = 18;
const QS = 2;
const Q8_0_BYTES = 34;

/** ggml's `kvalues_iq4nl`: the 16 levels, ascending. */
export const IQ4_NL_VALUES: readonly number[] = Object.freeze([-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]);
const VALUES = Int8Array.from(IQ4_NL_VALUES);

/** ggml's `best_index_int8` over the 16 levels: the index of the level nearest `x` (the upper one on a tie; 15 for NaN). */
export function bestIndexIq4nl(x: number): number {
  if (x <= VALUES[0]) return 0;
  if (x >= VALUES[15]) return 15;
  let ml = 0;
  let mu = 15;
  while (mu - ml > 1) {
    const mav = (ml + mu) >> 1;
    if (x < VALUES[mav]) mu = mav;
    else ml = mav;
  }
  return fr(x - VALUES[mu - 1]) < fr(VALUES[mu] - x) ? mu - 1 : mu;
}

/** Number of scale candidates on each side of the first estimate (`ntry` in `quantize_iq4_nl`). */
const NTRY = 7;
const weight = new Float32Array(QK);
const L = new Uint8Array(QK);

/**
 * One block as `quantize_row_iq4_nl_impl` runs it for `quantize_iq4_nl` (one 32-value
 * super-block, ntry 7): weights imatrix·sqrt(sigma² + x²) with an imatrix, x² without;
 * a weighted least-squares scale refined over 15 grids; then indices for the final scale.
 */
function quantizeBlock(x: Float32Array, xo: number, y: Uint8Array, bo: number, qw: Float32Array | null, qo: number): void {
  let sigma2 = 0;
  for (let j = 0; j < QK; j++) sigma2 = fr(sigma2 + fr(x[xo + j] * x[xo + j]));
  sigma2 = fr(sigma2 * (2 / QK));

  y.fill(0, bo + QS, bo + BLOCK_BYTES);
  for (let j = 0; j < QK; j++) {
    const v = x[xo + j];
    weight[j] = qw ? fr(qw[qo + j] * fr(Math.sqrt(fr(sigma2 + fr(v * v))))) : fr(v * v);
  }
  let amax = 0;
  let max = 0;
  for (let j = 0; j < QK; j++) {
    const ax = Math.abs(x[xo + j]);
    if (ax > amax) {
      amax = ax;
      max = x[xo + j];
    }
  }

  let scale = 0;
  if (!(amax < GROUP_MAX_EPS)) {
    let d = fr(-max / VALUES[0]);
    let id = fr(1 / d);
    let sumqx = 0;
    let sumq2 = 0;
    for (let j = 0; j < QK; j++) {
      const xj = x[xo + j];
      const q = VALUES[bestIndexIq4nl(fr(id * xj))];
      const wq = fr(weight[j] * q);
      sumqx = fr(sumqx + fr(wq * xj));
      sumq2 = fr(sumq2 + fr(wq * q));
    }
    d = sumq2 > 0 ? fr(sumqx / sumq2) : 0;
    let best = fr(d * sumqx);
    for (let itry = -NTRY; itry <= NTRY; itry++) {
      id = fr((itry + VALUES[0]) / max);
      sumqx = 0;
      sumq2 = 0;
      for (let j = 0; j < QK; j++) {
        const xj = x[xo + j];
        const q = VALUES[bestIndexIq4nl(fr(id * xj))];
        const wq = fr(weight[j] * q);
        sumqx = fr(sumqx + fr(wq * xj));
        sumq2 = fr(sumq2 + fr(wq * q));
      }
      if (sumq2 > 0 && fr(sumqx * sumqx) > fr(best * sumq2)) {
        d = fr(sumqx / sumq2);
        best = fr(d * sumqx);
      }
    }
    scale = d;
  }

  writeF16(y, bo, scale);
  // C's `scale ? 1/scale : 0` treats NaN as true, which `!== 0` reproduces.
  const id = scale !== 0 ? fr(1 / scale) : 0;
  for (let j = 0; j < QK; j++) L[j] = bestIndexIq4nl(fr(id * x[xo + j]));
  for (let j = 0; j < QK / 2; j++) y[bo + QS + j] = L[j] | (L[j + QK / 2] << 4);
}

/** IQ4_NL codec (`quantize_iq4_nl`, `dequantize_row_iq4_nl`, `ggml_vec_dot_iq4_nl_q8_0`). */
export const iq4_nlCodec = defineBlockCodec({
  typeId: GGMLType.IQ4_NL,
  vecDotType: GGMLType.Q8_0,
  acceptsImatrix: true,
  quantizeRow(x, xo, ncols, y, yo, imatrix) {
    for (let ib = 0; ib < ncols / QK; ib++) quantizeBlock(x, xo + QK * ib, y, yo + BLOCK_BYTES * ib, imatrix, QK * ib);
  },
  dequantizeBlocks(src, so, dst, bits, dOff, nblocks) {
    for (let i = 0; i < nblocks; i++) {
      const bo = so + i * BLOCK_BYTES;
      const yo = dOff + i * QK;
      const half = src[bo] | (src[bo + 1] << 8);
      const d = f16ToF32(half);
      for (let j = 0; j < QK; j++) {
        const q = j < QK / 2 ? src[bo + QS + j] & 0x0f : src[bo + QS + j - QK / 2] >> 4;
        const v = fr(d * VALUES[q]);
        dst[yo + j] = v;
        if (v !== v) bits[yo + j] = nanBitsOfScaledF16(half);
      }
    }
  },
  dotBlocks(nb, x, xo, y, yo) {
    let sumf = 0;
    for (let ib = 0; ib < nb; ib++) {
      const xb = xo + ib * BLOCK_BYTES;
      const yb = yo + ib * Q8_0_BYTES;
      const d = fr(readF16(y, yb) * readF16(x, xb));
      let sumi = 0;
      for (let j = 0; j < QK / 2; j++) {
        const q = x[xb + QS + j];
        sumi += ((y[yb + 2 + j] << 24) >> 24) * VALUES[q & 0x0f];
        sumi += ((y[yb + 2 + j + QK / 2] << 24) >> 24) * VALUES[q >> 4];
      }
      sumf = fr(sumf + fr(d * sumi));
    }
    return sumf;
  },
});
