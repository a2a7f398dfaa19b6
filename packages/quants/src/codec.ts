/**
 * One interface for every block format, in the spirit of ggml's type traits: each
 * format lives in its own module and registers a `BlockCodec`.
 */
import type { GGMLTypeInfo } from '@ggufkit/tensor-layout';

/** Quantize/dequantize/dot-product for one ggml block format. */
export interface BlockCodec {
  /** The ggml type this codec encodes (id, name, block size, bytes per block). */
  readonly type: GGMLTypeInfo;
  /**
   * Quantizes `nrows` rows of `ncols` values from `src` into `dst`, as ggml's
   * `ggml_quantize_chunk` does: the reference quantizer without importance weights,
   * the weighted one with `imatrix` (`ncols` weights, one per column).
   * `dst` must hold `nrows * rowBytes` bytes. Throws `RangeError` when `ncols` is not a
   * multiple of the block size. Inputs whose block scales overflow f16 give ggml's bytes
   * (inf/NaN scales), exactly as ggml writes them; callers that must refuse such input
   * check the values before quantizing.
   */
  quantize(src: Float32Array, dst: Uint8Array, nrows: number, ncols: number, imatrix?: Float32Array | null): void;
  /** Dequantizes `nrows * ncols` values from `src` into `dst`, bit-exact with ggml's `dequantize_row_*`. */
  dequantize(src: Uint8Array, dst: Float32Array, nrows: number, ncols: number): void;
  /** Whether `quantize` uses an importance matrix when given one (false for Q8_0). */
  readonly acceptsImatrix: boolean;
  /** ggml type id of the activation format this weight format is multiplied with (q8_0, q8_1, q8_K). */
  readonly vecDotType: number;
  /**
   * Dot product of `n` values: one row of this format (`x` at `xOffset`) with one row of
   * the `vecDotType` format (`y` at `yOffset`), as ggml's CPU backend computes it.
   */
  vecDot(n: number, x: Uint8Array, xOffset: number, y: Uint8Array, yOffset: number): number;
}
