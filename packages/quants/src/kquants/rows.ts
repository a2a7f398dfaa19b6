/** Argument checks shared by the K-quant codecs, so every codec reports misuse the same way. */
import type { GGMLTypeInfo } from '@ggufkit/tensor-layout';

/** Values per K-quant super-block (ggml's `QK_K`). */
export const QK_K = 256;

function checkShape(type: GGMLTypeInfo, nrows: number, ncols: number): void {
  if (!Number.isSafeInteger(nrows) || nrows < 0) throw new RangeError(`${type.name}: row count ${nrows} is not a non-negative integer`);
  if (!Number.isSafeInteger(ncols) || ncols < 0 || ncols % type.blockSize !== 0) {
    throw new RangeError(`${type.name}: row length ${ncols} is not a multiple of the block size ${type.blockSize}`);
  }
}

/** Validates `quantize` arguments; returns the byte length of one quantized row. */
export function checkQuantizeArgs(
  type: GGMLTypeInfo,
  src: Float32Array,
  dst: Uint8Array,
  nrows: number,
  ncols: number,
  imatrix: Float32Array | null | undefined,
): number {
  checkShape(type, nrows, ncols);
  const rowBytes = (ncols / type.blockSize) * type.typeSize;
  if (src.length < nrows * ncols) throw new RangeError(`${type.name}: source holds ${src.length} values, ${nrows}x${ncols} needed`);
  if (dst.length < nrows * rowBytes) throw new RangeError(`${type.name}: destination holds ${dst.length} bytes, ${nrows * rowBytes} needed`);
  if (imatrix && imatrix.length < ncols) {
    throw new RangeError(`${type.name}: importance matrix has ${imatrix.length} weights, one per column (${ncols}) needed`);
  }
  return rowBytes;
}

/** Validates `dequantize` arguments; returns the byte length of one quantized row. */
export function checkDequantizeArgs(type: GGMLTypeInfo, src: Uint8Array, dst: Float32Array, nrows: number, ncols: number): number {
  checkShape(type, nrows, ncols);
  const rowBytes = (ncols / type.blockSize) * type.typeSize;
  if (src.length < nrows * rowBytes) throw new RangeError(`${type.name}: source holds ${src.length} bytes, ${nrows * rowBytes} needed`);
  if (dst.length < nrows * ncols) throw new RangeError(`${type.name}: destination holds ${dst.length} values, ${nrows}x${ncols} needed`);
  return rowBytes;
}

/** Validates `vecDot` arguments: `n` values, both rows in bounds. */
export function checkVecDotArgs(
  type: GGMLTypeInfo,
  partner: GGMLTypeInfo,
  n: number,
  x: Uint8Array,
  xOffset: number,
  y: Uint8Array,
  yOffset: number,
): number {
  checkShape(type, 1, n);
  const nb = n / QK_K;
  if (xOffset < 0 || xOffset + nb * type.typeSize > x.length) throw new RangeError(`${type.name}: row of ${n} values at offset ${xOffset} runs past the buffer`);
  if (yOffset < 0 || yOffset + nb * partner.typeSize > y.length) throw new RangeError(`${partner.name}: row of ${n} values at offset ${yOffset} runs past the buffer`);
  return nb;
}
