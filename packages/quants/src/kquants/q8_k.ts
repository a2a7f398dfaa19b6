/**
 * Q8_K: the activation format the K-quant dot products take. Per 256 values: f32 scale
 * `d`, 256 int8 quants, 16 int16 sums of 16 quants each (`bsums`, which let the dot
 * products fold the weight minimums in without touching every value).
 * Layout: d at 0, qs at 4..259, bsums at 260..291 (little-endian).
 */
import { GGMLType, requireGGMLType } from '@ggufkit/tensor-layout';
import type { BlockCodec } from '../codec.js';
import { nearestInt } from '../scale-search.js';
import { QK_K, checkDequantizeArgs, checkQuantizeArgs } from './rows.js';

const fr = Math.fround;
const TYPE = requireGGMLType(GGMLType.Q8_K);
const BLOCK_BYTES = TYPE.typeSize;

/** Byte offsets inside one Q8_K block. */
export const Q8K_QS = 4;
export const Q8K_BSUMS = 260;

/**
 * Quantizes `n` values (a multiple of 256) from `x[xOff..]` into Q8_K blocks at
 * `dst[dstOff..]`, as ggml's `quantize_row_q8_K_ref`: scale -127/max of the
 * largest-magnitude value, round to nearest. All-zero blocks get d = 0 and zero quants.
 */
export function quantizeRowQ8K(x: Float32Array, xOff: number, dst: Uint8Array, dstOff: number, n: number): void {
  if (n % QK_K !== 0) throw new RangeError(`Q8_K: row length ${n} is not a multiple of ${QK_K}`);
  const view = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
  const nb = n / QK_K;
  for (let i = 0; i < nb; i++) {
    const xo = xOff + i * QK_K;
    const bo = dstOff + i * BLOCK_BYTES;
    let max = 0;
    let amax = 0;
    for (let j = 0; j < QK_K; j++) {
      const ax = Math.abs(x[xo + j]);
      if (ax > amax) {
        amax = ax;
        max = x[xo + j];
      }
    }
    if (amax === 0) {
      // ggml leaves bsums untouched here; zero is what they sum to.
      dst.fill(0, bo, bo + BLOCK_BYTES);
      continue;
    }
    const iscale = fr(-127 / max);
    for (let j = 0; j < QK_K; j++) {
      const v = nearestInt(fr(iscale * x[xo + j]));
      dst[bo + Q8K_QS + j] = v < 127 ? v : 127;
    }
    for (let j = 0; j < QK_K / 16; j++) {
      let sum = 0;
      for (let ii = 0; ii < 16; ii++) sum += (dst[bo + Q8K_QS + j * 16 + ii] << 24) >> 24;
      view.setInt16(bo + Q8K_BSUMS + 2 * j, sum, true);
    }
    view.setFloat32(bo, fr(1 / iscale), true);
  }
}

function dequantize(src: Uint8Array, dst: Float32Array, nrows: number, ncols: number): void {
  checkDequantizeArgs(TYPE, src, dst, nrows, ncols);
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const nb = (nrows * ncols) / QK_K;
  for (let i = 0; i < nb; i++) {
    const bo = i * BLOCK_BYTES;
    const d = view.getFloat32(bo, true);
    for (let j = 0; j < QK_K; j++) dst[i * QK_K + j] = fr(d * ((src[bo + Q8K_QS + j] << 24) >> 24));
  }
}

/**
 * Q8_K codec. ggml uses Q8_K only as an activation format: `quantize` is
 * `quantize_row_q8_K_ref` (no importance weights) and there is no Q8_K weight dot product.
 */
export const q8KCodec: BlockCodec = {
  type: TYPE,
  acceptsImatrix: false,
  vecDotType: GGMLType.Q8_K,
  quantize(src, dst, nrows, ncols) {
    checkQuantizeArgs(TYPE, src, dst, nrows, ncols, null);
    quantizeRowQ8K(src, 0, dst, 0, nrows * ncols);
  },
  dequantize,
  vecDot() {
    throw new TypeError('Q8_K is an activation format: ggml defines no dot product with Q8_K weights');
  },
};
