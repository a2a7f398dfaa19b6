/**
 * The row loops, argument checks and f32 lane sums the 256-value super-block codecs share,
 * so each format's module holds only its super-block arithmetic (`defineBlockCodec` does
 * the same for the 32-value formats).
 */
import { GGMLType, requireGGMLType } from '@ggufkit/tensor-layout';
import type { BlockCodec } from '../codec.js';
import { QK_K, checkDequantizeArgs, checkQuantizeArgs, checkVecDotArgs } from './rows.js';

const fr = Math.fround;
const Q8K = requireGGMLType(GGMLType.Q8_K);

/** What one super-block weight format provides; `defineSuperBlockCodec` adds the loops and checks. */
export interface SuperBlockFormat<S> {
  /** ggml type id of the format. */
  readonly typeId: number;
  /** Scratch for one `quantize` call, so that no super-block allocates. */
  newScratch(): S;
  /**
   * Quantizes the 256 values at `x[xo..]` into the super-block at `y[bo..]`, as ggml's
   * `quantize_row_*_ref` (`qw` null) or `quantize_row_*_impl` with the importance weights
   * `qw[qo..qo+256)` do.
   */
  quantizeBlock(x: Float32Array, xo: number, qw: Float32Array | null, qo: number, y: Uint8Array, bo: number, s: S): void;
  /** Dequantizes the super-block at `src[bo..]` into `dst[yo..yo+256)`. */
  dequantizeBlock(src: Uint8Array, bo: number, dst: Float32Array, yo: number): void;
  /**
   * ggml's generic `ggml_vec_dot_*_q8_K` over `nb` super-blocks at `x[xo..]` and as many
   * Q8_K blocks at `y[yo..]` (`yv` views `y`).
   */
  dotBlocks(nb: number, x: Uint8Array, xo: number, y: Uint8Array, yv: DataView, yo: number): number;
}

/** Builds the `BlockCodec` of a super-block format (dot products with Q8_K activations). */
export function defineSuperBlockCodec<S>(format: SuperBlockFormat<S>): BlockCodec {
  const type = requireGGMLType(format.typeId);
  const blockBytes = type.typeSize;
  return {
    type,
    acceptsImatrix: true,
    vecDotType: GGMLType.Q8_K,
    quantize(src, dst, nrows, ncols, imatrix) {
      const rowBytes = checkQuantizeArgs(type, src, dst, nrows, ncols, imatrix);
      const s = format.newScratch();
      const nb = ncols / QK_K;
      for (let r = 0; r < nrows; r++) {
        for (let i = 0; i < nb; i++) format.quantizeBlock(src, r * ncols + i * QK_K, imatrix ?? null, i * QK_K, dst, r * rowBytes + i * blockBytes, s);
      }
    },
    dequantize(src, dst, nrows, ncols) {
      checkDequantizeArgs(type, src, dst, nrows, ncols);
      const nb = (nrows * ncols) / QK_K;
      for (let i = 0; i < nb; i++) format.dequantizeBlock(src, i * blockBytes, dst, i * QK_K);
    },
    vecDot(n, x, xOffset, y, yOffset) {
      const nb = checkVecDotArgs(type, Q8K, n, x, xOffset, y, yOffset);
      return format.dotBlocks(nb, x, xOffset, y, new DataView(y.buffer, y.byteOffset, y.byteLength), yOffset);
    },
  };
}

/**
 * The eight int32 lanes (`aux32`) and eight f32 lane sums (`sums`) of ggml's generic
 * K-quant dot products, plus room for one super-block's unpacked quants (`a`).
 */
export class DotLanes {
  readonly a = new Int8Array(QK_K);
  readonly aux32 = new Int32Array(8);
  readonly sums = new Float32Array(8);
}

/** `sums[l] += d * aux32[l]` in f32: one super-block's integer lanes, scaled. */
export function addScaledLanes(lanes: DotLanes, d: number): void {
  const { sums, aux32 } = lanes;
  for (let l = 0; l < 8; l++) sums[l] = fr(sums[l] + fr(d * aux32[l]));
}

/** `init` plus the eight lane sums in order, in f32. */
export function sumLanes(lanes: DotLanes, init: number): number {
  let sumf = init;
  for (let l = 0; l < 8; l++) sumf = fr(sumf + lanes.sums[l]);
  return sumf;
}
