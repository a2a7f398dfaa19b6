/**
 * Q4_0: 32 values as an f16 scale `d` and 4-bit levels q (value = (q − 8)·d).
 * Block layout (18 bytes): d at 0; qs at 2..17, byte j holds value j in its low nibble and
 * value j + 16 in its high nibble.
 */
import { GGMLType, f16ToF32 } from '@ggufkit/tensor-layout';
import { readF16, writeF16 } from '../kquants/bytes.js';
import { makeQxQuants } from '../scale-search.js';
import { QK, defineBlockCodec } from './block-codec.js';
import { nanBitsOfScaledF16, truncToInt8 } from './c-numeric.js';
import { blockWeights, rowSigma2 } from './weights.js';

const fr = Math.fround;
const BLOCK_BYTES = 18;
const QS = 2;
const Q8_0_BYTES = 34;

/** `quantize_row_q4_0_ref` for one block: scale max/−8 of the largest-magnitude value, levels by truncation of x/d + 8.5. */
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
  const d = fr(max / -8);
  const id = d !== 0 ? fr(1 / d) : 0;
  writeF16(y, bo, d);
  for (let j = 0; j < QK / 2; j++) {
    const x0 = fr(x[xo + j] * id);
    const x1 = fr(x[xo + QK / 2 + j] * id);
    // MIN(15, (int8_t)...) then uint8_t: a negative int8 keeps its two's-complement byte.
    const q0 = Math.min(15, truncToInt8(fr(x0 + 8.5))) & 0xff;
    const q1 = Math.min(15, truncToInt8(fr(x1 + 8.5))) & 0xff;
    y[bo + QS + j] = q0 | (q1 << 4);
  }
}

const weight = new Float32Array(QK);
const L = new Int8Array(QK);

/** `quantize_row_q4_0_impl` with importance weights: `make_qx_quants` (nmax 8) per block. */
function quantizeRowWeighted(x: Float32Array, xo: number, ncols: number, y: Uint8Array, yo: number, imatrix: Float32Array): void {
  const sigma2 = rowSigma2(x, xo, ncols);
  for (let ib = 0; ib < ncols / QK; ib++) {
    const xb = xo + QK * ib;
    const bo = yo + BLOCK_BYTES * ib;
    blockWeights(weight, imatrix, QK * ib, x, xb, sigma2);
    const d = makeQxQuants(QK, 8, x, xb, L, 0, 1, weight, 0);
    writeF16(y, bo, d);
    for (let j = 0; j < QK / 2; j++) y[bo + QS + j] = L[j] | (L[j + QK / 2] << 4);
  }
}

/** Q4_0 codec (`quantize_q4_0`, `dequantize_row_q4_0`, `ggml_vec_dot_q4_0_q8_0`). */
export const q4_0Codec = defineBlockCodec({
  typeId: GGMLType.Q4_0,
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
      for (let j = 0; j < QK / 2; j++) {
        const q = src[bo + QS + j];
        const v0 = fr(((q & 0x0f) - 8) * d);
        const v1 = fr(((q >> 4) - 8) * d);
        dst[yo + j] = v0;
        dst[yo + j + QK / 2] = v1;
        if (v0 !== v0) bits[yo + j] = nanBitsOfScaledF16(half);
        if (v1 !== v1) bits[yo + j + QK / 2] = nanBitsOfScaledF16(half);
      }
    }
  },
  dotBlocks(nb, x, xo, y, yo) {
    let sumf = 0;
    for (let ib = 0; ib < nb; ib++) {
      const xb = xo + ib * BLOCK_BYTES;
      const yb = yo + ib * Q8_0_BYTES;
      let sumi0 = 0;
      let sumi1 = 0;
      for (let j = 0; j < QK / 2; j++) {
        const q = x[xb + QS + j];
        sumi0 += ((q & 0x0f) - 8) * ((y[yb + 2 + j] << 24) >> 24);
        sumi1 += ((q >> 4) - 8) * ((y[yb + 2 + j + QK / 2] << 24) >> 24);
      }
      sumf = fr(sumf + fr(fr((sumi0 + sumi1) * readF16(x, xb)) * readF16(y, yb)));
    }
    return sumf;
  },
});
