/**
 * Q4_1: 32 values as an f16 scale `d`, an f16 offset `m` and 4-bit levels q
 * (value = q·d + m). Block layout (20 bytes): d at 0, m at 2; qs at 4..19, byte j holds
 * value j in its low nibble and value j + 16 in its high nibble.
 */
import { GGMLType, f16ToF32 } from '@ggufkit/tensor-layout';
import { readF16, writeF16 } from '../kquants/bytes.js';
import { makeQkx3Quants } from '../scale-search.js';
import { QK, defineBlockCodec } from './block-codec.js';
import { DEFAULT_NAN_BITS, f16NanBits, nanBitsOfScaledF16, truncToInt8 } from './c-numeric.js';
import { blockWeights, rowSigma2 } from './weights.js';

const fr = Math.fround;
const BLOCK_BYTES = 20;
const QS = 4;
const Q8_1_BYTES = 36;
const FLT_MAX = 3.4028234663852886e38;

/** `quantize_row_q4_1_ref` for one block: the min..max range in 15 steps, levels by truncation of (x − min)/d + 0.5. */
function quantizeBlockRef(x: Float32Array, xo: number, y: Uint8Array, bo: number): void {
  let min = FLT_MAX;
  let max = -FLT_MAX;
  for (let j = 0; j < QK; j++) {
    const v = x[xo + j];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const d = fr(fr(max - min) / 15);
  const id = d !== 0 ? fr(1 / d) : 0;
  writeF16(y, bo, d);
  writeF16(y, bo + 2, min);
  for (let j = 0; j < QK / 2; j++) {
    const x0 = fr(fr(x[xo + j] - min) * id);
    const x1 = fr(fr(x[xo + QK / 2 + j] - min) * id);
    const q0 = Math.min(15, truncToInt8(fr(x0 + 0.5))) & 0xff;
    const q1 = Math.min(15, truncToInt8(fr(x1 + 0.5))) & 0xff;
    y[bo + QS + j] = q0 | (q1 << 4);
  }
}

const weight = new Float32Array(QK);
const L = new Uint8Array(QK);
const Laux = new Uint8Array(QK);
const theMin = new Float32Array(1);

/** `quantize_row_q4_1_impl` with importance weights: `make_qkx3_quants` (nmax 15) per block. */
function quantizeRowWeighted(x: Float32Array, xo: number, ncols: number, y: Uint8Array, yo: number, imatrix: Float32Array): void {
  const sigma2 = rowSigma2(x, xo, ncols);
  for (let ib = 0; ib < ncols / QK; ib++) {
    const xb = xo + QK * ib;
    const bo = yo + BLOCK_BYTES * ib;
    blockWeights(weight, imatrix, QK * ib, x, xb, sigma2);
    const d = makeQkx3Quants(QK, 15, x, xb, weight, L, 0, theMin, 0, Laux, -0.9, 0.05, 36, false);
    writeF16(y, bo, d);
    writeF16(y, bo + 2, -theMin[0]);
    for (let j = 0; j < QK / 2; j++) y[bo + QS + j] = L[j] | (L[j + QK / 2] << 4);
  }
}

/** Q4_1 codec (`quantize_q4_1`, `dequantize_row_q4_1`, `ggml_vec_dot_q4_1_q8_1`). */
export const q4_1Codec = defineBlockCodec({
  typeId: GGMLType.Q4_1,
  vecDotType: GGMLType.Q8_1,
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
      const dh = src[bo] | (src[bo + 1] << 8);
      const mh = src[bo + 2] | (src[bo + 3] << 8);
      const d = f16ToF32(dh);
      const m = f16ToF32(mh);
      for (let j = 0; j < QK; j++) {
        const q = j < QK / 2 ? src[bo + QS + j] & 0x0f : src[bo + QS + j - QK / 2] >> 4;
        const t = fr(q * d);
        const v = fr(t + m);
        dst[yo + j] = v;
        if (v !== v) bits[yo + j] = t !== t ? nanBitsOfScaledF16(dh) : m !== m ? f16NanBits(mh) : DEFAULT_NAN_BITS;
      }
    }
  },
  dotBlocks(nb, x, xo, y, yo) {
    let sumf = 0;
    for (let ib = 0; ib < nb; ib++) {
      const xb = xo + ib * BLOCK_BYTES;
      const yb = yo + ib * Q8_1_BYTES;
      let sumi0 = 0;
      let sumi1 = 0;
      for (let j = 0; j < QK / 2; j++) {
        const q = x[xb + QS + j];
        sumi0 += (q & 0x0f) * ((y[yb + 4 + j] << 24) >> 24);
        sumi1 += (q >> 4) * ((y[yb + 4 + j + QK / 2] << 24) >> 24);
      }
      const scaled = fr(fr(readF16(x, xb) * readF16(y, yb)) * (sumi0 + sumi1));
      sumf = fr(sumf + fr(scaled + fr(readF16(x, xb + 2) * readF16(y, yb + 2))));
    }
    return sumf;
  },
});
