/**
 * Q8_1: the activation format Q4_1 and Q5_1 weights are multiplied with. 32 values as an
 * f16 scale `d`, an f16 `s` = d·(sum of the levels), and int8 levels (value = q·d); `s`
 * lets the dot product fold the weights' offset in with one multiplication.
 * Block layout (36 bytes): d at 0, s at 2, qs (int8) at 4..35.
 */
import { GGMLType, f16ToF32 } from '@ggufkit/tensor-layout';
import { writeF16 } from '../kquants/bytes.js';
import { QK, defineBlockCodec } from './block-codec.js';
import { nanBitsOfScaledF16, roundHalfAway, truncToInt8 } from './c-numeric.js';

const fr = Math.fround;
const BLOCK_BYTES = 36;
const QS = 4;

/**
 * Quantizes `n` values (a multiple of 32) from `x[xOff..]` into Q8_1 blocks at
 * `dst[dstOff..]`, as ggml's `quantize_row_q8_1_ref`: scale max|x|/127, levels `roundf(x/d)`,
 * and `s` = f16(sum·d).
 */
export function quantizeRowQ8_1(x: Float32Array, xOff: number, dst: Uint8Array, dstOff: number, n: number): void {
  if (n % QK !== 0) throw new RangeError(`Q8_1: row length ${n} is not a multiple of ${QK}`);
  for (let i = 0; i < n / QK; i++) {
    const xo = xOff + i * QK;
    const bo = dstOff + i * BLOCK_BYTES;
    let amax = 0;
    for (let j = 0; j < QK; j++) {
      const a = Math.abs(x[xo + j]);
      amax = amax > a ? amax : a;
    }
    const d = fr(amax / 127);
    const id = d !== 0 ? fr(1 / d) : 0;
    writeF16(dst, bo, d);
    let sum = 0;
    for (let j = 0; j < QK; j++) {
      const q = truncToInt8(roundHalfAway(fr(x[xo + j] * id)));
      dst[bo + QS + j] = q & 0xff;
      sum += q;
    }
    writeF16(dst, bo + 2, fr(sum * d));
  }
}

/**
 * Q8_1 codec. ggml uses Q8_1 only as an activation format: `quantize` is
 * `quantize_row_q8_1_ref` (no importance weights) and there is no Q8_1 weight dot product.
 * ggml defines no Q8_1 dequantization either; `dequantize` returns q·d, the values the
 * levels stand for.
 */
export const q8_1Codec = defineBlockCodec({
  typeId: GGMLType.Q8_1,
  vecDotType: GGMLType.Q8_1,
  acceptsImatrix: false,
  quantizeRow(x, xo, ncols, y, yo) {
    quantizeRowQ8_1(x, xo, y, yo, ncols);
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
});
