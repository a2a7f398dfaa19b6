/**
 * Q5_1: 32 values as an f16 scale `d`, an f16 offset `m` and 5-bit levels q
 * (value = q·d + m). Block layout (24 bytes): d at 0, m at 2; qh at 4..7 (little-endian
 * u32, bit j = fifth bit of value j); qs at 8..23 (low nibble value j, high nibble j + 16).
 */
import { GGMLType, f16ToF32 } from '@ggufkit/tensor-layout';
import { readF16, writeF16 } from '../kquants/bytes.js';
import { makeQkx3Quants } from '../scale-search.js';
import { QK, defineBlockCodec } from './block-codec.js';
import { DEFAULT_NAN_BITS, f16NanBits, nanBitsOfScaledF16, truncToInt8 } from './c-numeric.js';
import { packFiveBitLevels, readU32, unpackFiveBitLevel } from './five-bit.js';
import { blockWeights, rowSigma2 } from './weights.js';

const fr = Math.fround;
const BLOCK_BYTES = 24;
const QH = 4;
const QS = 8;
const Q8_1_BYTES = 36;
const FLT_MAX = 3.4028234663852886e38;

const levels = new Uint8Array(QK);

/** `quantize_row_q5_1_ref` for one block: the min..max range in 31 steps, levels by truncation of (x − min)/d + 0.5. */
function quantizeBlockRef(x: Float32Array, xo: number, y: Uint8Array, bo: number): void {
  let min = FLT_MAX;
  let max = -FLT_MAX;
  for (let j = 0; j < QK; j++) {
    const v = x[xo + j];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const d = fr(fr(max - min) / 31);
  const id = d !== 0 ? fr(1 / d) : 0;
  writeF16(y, bo, d);
  writeF16(y, bo + 2, min);
  // ggml converts with a plain (uint8_t) cast here, no clamp; the packing keeps five bits.
  for (let j = 0; j < QK; j++) levels[j] = truncToInt8(fr(fr(fr(x[xo + j] - min) * id) + 0.5)) & 0xff;
  packFiveBitLevels(levels, y, bo + QH, bo + QS);
}

const weight = new Float32Array(QK);
const L = new Uint8Array(QK);
const Laux = new Uint8Array(QK);
const theMin = new Float32Array(1);

/** `quantize_row_q5_1_impl` with importance weights: `make_qkx3_quants` (nmax 31) per block. */
function quantizeRowWeighted(x: Float32Array, xo: number, ncols: number, y: Uint8Array, yo: number, imatrix: Float32Array): void {
  const sigma2 = rowSigma2(x, xo, ncols);
  for (let ib = 0; ib < ncols / QK; ib++) {
    const xb = xo + QK * ib;
    const bo = yo + BLOCK_BYTES * ib;
    blockWeights(weight, imatrix, QK * ib, x, xb, sigma2);
    const d = makeQkx3Quants(QK, 31, x, xb, weight, L, 0, theMin, 0, Laux, -0.9, 0.05, 36, false);
    writeF16(y, bo, d);
    writeF16(y, bo + 2, -theMin[0]);
    packFiveBitLevels(L, y, bo + QH, bo + QS);
  }
}

/** Q5_1 codec (`quantize_q5_1`, `dequantize_row_q5_1`, `ggml_vec_dot_q5_1_q8_1`). */
export const q5_1Codec = defineBlockCodec({
  typeId: GGMLType.Q5_1,
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
      const qh = readU32(src, bo + QH);
      for (let j = 0; j < QK; j++) {
        const t = fr(unpackFiveBitLevel(src, bo + QS, qh, j) * d);
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
      const qh = readU32(x, xb + QH);
      let sumi = 0;
      for (let j = 0; j < QK; j++) sumi += unpackFiveBitLevel(x, xb + QS, qh, j) * ((y[yb + 4 + j] << 24) >> 24);
      const scaled = fr(fr(readF16(x, xb) * readF16(y, yb)) * sumi);
      sumf = fr(sumf + fr(scaled + fr(readF16(x, xb + 2) * readF16(y, yb + 2))));
    }
    return sumf;
  },
});
