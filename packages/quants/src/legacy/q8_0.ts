/**
 * Q8_0: 32 values as an f16 scale `d` and int8 levels (value = q·d). Both a weight format
 * and the activation format Q4_0, Q5_0, Q8_0 and IQ4_NL weights are multiplied with.
 * Block layout (34 bytes): d at 0, qs (int8) at 2..33.
 */
import { GGMLType, f16ToF32 } from '@ggufkit/tensor-layout';
import { readF16, writeF16 } from '../kquants/bytes.js';
import { QK, defineBlockCodec } from './block-codec.js';
import { nanBitsOfScaledF16, roundHalfAway, truncToInt8 } from './c-numeric.js';

const fr = Math.fround;
const BLOCK_BYTES = 34;
const QS = 2;

/**
 * Quantizes `n` values (a multiple of 32) from `x[xOff..]` into Q8_0 blocks at
 * `dst[dstOff..]`, as ggml's `quantize_row_q8_0_ref`: scale max|x|/127, levels `roundf(x/d)`.
 * ggml takes no importance weights for Q8_0.
 */
export function quantizeRowQ8_0(x: Float32Array, xOff: number, dst: Uint8Array, dstOff: number, n: number): void {
  if (n % QK !== 0) throw new RangeError(`Q8_0: row length ${n} is not a multiple of ${QK}`);
  for (let i = 0; i < n / QK; i++) {
    const xo = xOff + i * QK;
    const bo = dstOff + i * BLOCK_BYTES;
    let amax = 0;
    for (let j = 0; j < QK; j++) {
      const a = Math.abs(x[xo + j]);
      // ggml's MAX(a, b) is a > b ? a : b.
      amax = amax > a ? amax : a;
    }
    const d = fr(amax / 127);
    const id = d !== 0 ? fr(1 / d) : 0;
    writeF16(dst, bo, d);
    for (let j = 0; j < QK; j++) dst[bo + QS + j] = truncToInt8(roundHalfAway(fr(x[xo + j] * id))) & 0xff;
  }
}

/** Q8_0 codec (`quantize_q8_0`, `dequantize_row_q8_0`, `ggml_vec_dot_q8_0_q8_0`). */
export const q8_0Codec = defineBlockCodec({
  typeId: GGMLType.Q8_0,
  vecDotType: GGMLType.Q8_0,
  acceptsImatrix: false,
  quantizeRow(x, xo, ncols, y, yo) {
    quantizeRowQ8_0(x, xo, y, yo, ncols);
  },
  dequantizeBlocks(src, so, dst, bits, dOff, nblocks) {
    for (let i = 0; i < nblocks; i++) {
      const bo = so + i * BLOCK_BYTES;
      const yo = dOff + i * QK;
      const half = src[bo] | (src[bo + 1] << 8);
      const d = f16ToF32(half);
      for (let j = 0; j < QK; j++) {
        const v = fr(((src[bo + QS + j] << 24) >> 24) * d);
        dst[yo + j] = v;
        if (v !== v) bits[yo + j] = nanBitsOfScaledF16(half);
      }
    }
  },
  dotBlocks(nb, x, xo, y, yo) {
    let sumf = 0;
    for (let ib = 0; ib < nb; ib++) {
      const xb = xo + ib * BLOCK_BYTES;
      const yb = yo + ib * BLOCK_BYTES;
      let sumi = 0;
      for (let j = 0; j < QK; j++) sumi += ((x[xb + QS + j] << 24) >> 24) * ((y[yb + QS + j] << 24) >> 24);
      sumf = fr(sumf + fr(sumi * fr(readF16(x, xb) * readF16(y, yb))));
    }
    return sumf;
  },
});
