/**
 * One-call quantization for scripts and tools: whole row sets in, freshly allocated
 * buffers out, through the same codecs `getCodec` returns.
 */
import { rowBytes } from '@ggufkit/tensor-layout';
import { getCodec } from './registry.js';

function checkRowCount(name: string, nrows: number): void {
  if (!Number.isSafeInteger(nrows) || nrows < 0) throw new RangeError(`${name}: row count ${nrows} is not a non-negative integer`);
}

/**
 * Quantizes `nrows` rows of `ncols` float32 values (row-major, `ncols` = GGUF `ne[0]`) to
 * the ggml block type `type` (id or name such as `"q4_0"`, `"Q4_K"`), bit-exact with
 * ggml's `ggml_quantize_chunk`; `imatrix` holds one importance weight per column.
 * Throws `RangeError` for an unknown type, a row length that is not whole blocks, or a
 * source that is too short.
 */
export function quantizeRows(type: number | string, src: Float32Array, nrows: number, ncols: number, imatrix?: Float32Array | null): Uint8Array {
  const codec = getCodec(type);
  checkRowCount(codec.type.name, nrows);
  const out = new Uint8Array(nrows * rowBytes(codec.type.id, ncols));
  codec.quantize(src, out, nrows, ncols, imatrix ?? null);
  return out;
}

/**
 * Dequantizes `nrows` rows of `ncols` values of the ggml block type `type` from `bytes`,
 * bit-exact with ggml's `dequantize_row_*`. Throws `RangeError` for an unknown type, a row
 * length that is not whole blocks, or too few bytes.
 */
export function dequantizeRows(type: number | string, bytes: Uint8Array, nrows: number, ncols: number): Float32Array {
  const codec = getCodec(type);
  checkRowCount(codec.type.name, nrows);
  rowBytes(codec.type.id, ncols);
  const out = new Float32Array(nrows * ncols);
  codec.dequantize(bytes, out, nrows, ncols);
  return out;
}
