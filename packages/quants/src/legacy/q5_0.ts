/**
 * Q5_0: 32 values as an f16 scale `d` and 5-bit levels q (value = (q − 16)·d).
 * Block layout (22 bytes): d at 0; qh at 2..5, a little-endian u32 whose bit j is the
 * fifth bit of value j; qs at 6..21, byte j holds the low four bits of value j (low
 * nibble) and of value j + 16 (high nibble).
 */
import { GGMLType, f16ToF32 } from '@ggufkit/tensor-layout';
import { readF16, writeF16 } from '../kquants/bytes.js';
import { makeQxQuants } from '../scale-search.js';
import { QK, defineBlockCodec } from './block-codec.js';
import { nanBitsOfScaledF16, truncToInt8 } from './c-numeric.js';
import { packFiveBitLevels, readU32, unpackFiveBitLevel } from './five-bit.js';
import { blockWeights, rowSigma2 } from './weights.js';

const fr = Math.fround;
const BLOCK_BYTES = 22;
const QH = 2;
const QS = 6;
const Q8_0_BYTES = 34;

const levels = new Uint8Array(QK);

/** `quantize_row_q5_0_ref` for one block: scale max/−16 of the largest-magnitude value, levels by truncation of x/d + 16.5. */
function quantizeBlockRef(x: Float32Array, xo: number, y: Uint8Array, bo: number): void {
  let amax = 0;
  let max = 0;
  for (let j = 0; j < QK; j++) {
    const v = x[xo + j];
    if (amax < Math.abs(v)) {
      amax = Math.abs(v);
      max = v;
    }
  }
  const d = fr(max / -16);
  const id = d !== 0 ? fr(1 / d) : 0;
  writeF16(y, bo, d);
  for (let j = 0; j < QK; j++) {
    // MIN(31, (int8_t)...) then uint8_t, as ggml stores it.
    levels[j] = Math.min(31, truncToInt8(fr(fr(x[xo + j] * id) + 16.5))) & 0xff;
  }
  packFiveBitLevels(levels, y, bo + QH, bo + QS);
}

const weight = new Float32Array(QK);
const L = new Int8Array(QK);

/** `quantize_row_q5_0_impl` with importance weights: `make_qx_quants` (nmax 16) per block. */
function quantizeRowWeighted(x: Float32Array, xo: number, ncols: number, y: Uint8Array, yo: number, imatrix: Float32Array): void {
  const sigma2 = rowSigma2(x, xo, ncols);
  for (let ib = 0; ib < ncols / QK; ib++) {
    const xb = xo + QK * ib;
    const bo = yo + BLOCK_BYTES * ib;
    blockWeights(weight, imatrix, QK * ib, x, xb, sigma2);
    const d = makeQxQuants(QK, 16, x, xb, L, 0, 1, weight, 0);
    writeF16(y, bo, d);
    for (let j = 0; j < QK; j++) levels[j] = L[j];
    packFiveBitLevels(levels, y, bo + QH, bo + QS);
  }
}

/** Q5_0 codec (`quantize_q5_0`, `dequantize_row_q5_0`, `ggml_vec_dot_q5_0_q8_0`). */
export const q5_0Codec = defineBlockCodec({
  typeId: GGMLType.Q5_0,
  vecDotType: GGMLType.Q8_0,
  acceptsImatrix: true,
  quantizeRow(x, xo, ncols, y, yo, imatrix) {
    if (imatrix) {
      quantizeRowWeighted(x, xo, ncols, y, yo, imatrix);
      return;
    }
    for (let ib = 0; ib < ncols / QK; ib++) quantizeBlockRef(x, xo + QK * ib, y, yo + BLOCK_BYTES * ib);
  },
  dequantizeBlocks(src, so, dst, bits, dOff, nblocks) {
    for (let i = 0; i < nblocks; i++) {
      const bo = so + i * BLOCK_BYTES;
      const yo = dOff + i * QK;
      const half = src[bo] | (src[bo + 1] << 8);
      const d = f16ToF32(half);
      const qh = readU32(src, bo + QH);
      for (let j = 0; j < QK; j++) {
        const v = fr((unpackFiveBitLevel(src, bo + QS, qh, j) - 16) * d);
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
      const qh = readU32(x, xb + QH);
      let sumi = 0;
      for (let j = 0; j < QK; j++) sumi += (unpackFiveBitLevel(x, xb + QS, qh, j) - 16) * ((y[yb + 2 + j] << 24) >> 24);
      sumf = fr(sumf + fr(fr(readF16(x, xb) * readF16(y, yb)) * sumi));
    }
    return sumf;
  },
});
