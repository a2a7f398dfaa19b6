/**
 * The row loops and argument checks every 32-value block codec shares, so each format's
 * module holds only its block arithmetic.
 */
import { requireGGMLType } from '@ggufkit/tensor-layout';
import type { GGMLTypeInfo } from '@ggufkit/tensor-layout';
import type { BlockCodec } from '../codec.js';
import { checkDequantizeArgs, checkQuantizeArgs } from '../kquants/rows.js';

/** Values per block in every legacy format (ggml's QK4_0 = QK4_1 = QK5_0 = QK5_1 = QK8_0 = QK8_1 = QK4_NL). */
export const QK = 32;

/** What one 32-value block format provides; `defineBlockCodec` adds the loops and checks. */
export interface BlockFormat {
  /** ggml type id of the format. */
  readonly typeId: number;
  /** ggml type id of the activation format the dot product takes. */
  readonly vecDotType: number;
  /** Whether an importance matrix changes the result (false when ggml ignores it). */
  readonly acceptsImatrix: boolean;
  /**
   * Quantizes one row of `ncols` values at `x[xo..]` into `y[yo..]`, as `ggml_quantize_chunk`
   * does for this type: `imatrix` is the full column vector, or null.
   */
  quantizeRow(x: Float32Array, xo: number, ncols: number, y: Uint8Array, yo: number, imatrix: Float32Array | null): void;
  /**
   * Dequantizes `nblocks` blocks from `src[so..]` into `dst[dOff..]`. `bits` views the same
   * memory as `dst`, for writing the exact NaN patterns ggml produces.
   */
  dequantizeBlocks(src: Uint8Array, so: number, dst: Float32Array, bits: Uint32Array, dOff: number, nblocks: number): void;
  /** Dot product of `nblocks` blocks with `vecDotType` blocks; absent when ggml defines none. */
  dotBlocks?(nblocks: number, x: Uint8Array, xo: number, y: Uint8Array, yo: number): number;
}

function checkVecDotArgs(type: GGMLTypeInfo, partner: GGMLTypeInfo, n: number, x: Uint8Array, xOffset: number, y: Uint8Array, yOffset: number): number {
  if (!Number.isSafeInteger(n) || n < 0 || n % QK !== 0) {
    throw new RangeError(`${type.name}: dot product length ${n} is not a multiple of the block size ${QK}`);
  }
  const nb = n / QK;
  if (!Number.isSafeInteger(xOffset) || xOffset < 0 || xOffset + nb * type.typeSize > x.length) {
    throw new RangeError(`${type.name}: row of ${n} values at offset ${xOffset} runs past the buffer`);
  }
  if (!Number.isSafeInteger(yOffset) || yOffset < 0 || yOffset + nb * partner.typeSize > y.length) {
    throw new RangeError(`${partner.name}: row of ${n} values at offset ${yOffset} runs past the buffer`);
  }
  return nb;
}

/** Builds the `BlockCodec` of a 32-value block format. */
export function defineBlockCodec(format: BlockFormat): BlockCodec {
  const type = requireGGMLType(format.typeId);
  const partner = requireGGMLType(format.vecDotType);
  const dotBlocks = format.dotBlocks;
  return {
    type,
    acceptsImatrix: format.acceptsImatrix,
    vecDotType: format.vecDotType,
    quantize(src, dst, nrows, ncols, imatrix) {
      const weights = format.acceptsImatrix ? (imatrix ?? null) : null;
      const rowBytes = checkQuantizeArgs(type, src, dst, nrows, ncols, weights);
      for (let r = 0; r < nrows; r++) format.quantizeRow(src, r * ncols, ncols, dst, r * rowBytes, weights);
    },
    dequantize(src, dst, nrows, ncols) {
      checkDequantizeArgs(type, src, dst, nrows, ncols);
      const bits = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
      format.dequantizeBlocks(src, 0, dst, bits, 0, (nrows * ncols) / QK);
    },
    vecDot(n, x, xOffset, y, yOffset) {
      if (!dotBlocks) {
        throw new TypeError(`${type.name} is an activation format: ggml defines no dot product with ${type.name} weights`);
      }
      const nb = checkVecDotArgs(type, partner, n, x, xOffset, y, yOffset);
      return dotBlocks(nb, x, xOffset, y, yOffset);
    },
  };
}
