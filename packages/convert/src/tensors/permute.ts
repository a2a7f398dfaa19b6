import type { WorkTensor } from './work-tensor.js';

/**
 * A layout change that only reorders rows, within consecutive groups of `groupRows` rows:
 * output row `g * groupRows + r` is source row `g * groupRows + sourceRow(r)`. Unlike a
 * general transform it commutes with element-wise type conversion and keeps every row
 * whole, so it can be applied to each converted block of whole groups.
 */
export interface RowPermutation {
  readonly groupRows: number;
  /** Source row, within its group, of the group's output row `r`. */
  readonly sourceRow: (r: number) => number;
}

/**
 * llama.cpp's `LlamaModel.permute` for Q/K projections as a row order: within each head,
 * rows are re-interleaved from Hugging Face's "two halves" rotary layout to GGML's
 * "pairs" layout (`reshape(n_head, 2, d/2, ...).swapaxes(1, 2)`). `nHeadKv` replaces
 * `nHead` when it differs (grouped-query K).
 */
export function qkRowPermutation(rows: number, nHead: number, nHeadKv?: number): RowPermutation {
  const heads = nHeadKv !== undefined && nHeadKv !== nHead ? nHeadKv : nHead;
  if (rows % (heads * 2) !== 0) throw new RangeError(`cannot permute ${rows} rows into ${heads} heads of rotary pairs`);
  const half = rows / heads / 2;
  // output row 2i + j of a head reads the head's row j * half + i
  return { groupRows: 2 * half, sourceRow: (r) => (r & 1) * half + (r >> 1) };
}

/** Copies the rows of `src` (each `rowBytes` long, whole groups) into `dst` in permuted order. */
export function permuteRowBytes(src: Uint8Array, dst: Uint8Array, rowBytes: number, p: RowPermutation): void {
  const rows = src.length / rowBytes;
  if (!Number.isInteger(rows) || rows % p.groupRows !== 0 || dst.length !== src.length) {
    throw new RangeError(`cannot permute ${src.length} bytes as whole groups of ${p.groupRows} rows of ${rowBytes} bytes`);
  }
  for (let g = 0; g < rows; g += p.groupRows) {
    for (let r = 0; r < p.groupRows; r++) {
      const from = (g + p.sourceRow(r)) * rowBytes;
      dst.set(src.subarray(from, from + rowBytes), (g + r) * rowBytes);
    }
  }
}

/** Applies a row permutation to a tensor whose rows are its first dimension. */
export function permuteTensorRows(t: WorkTensor, p: RowPermutation): WorkTensor {
  const rows = t.shape[0]!;
  if (rows % p.groupRows !== 0) throw new RangeError(`cannot permute ${rows} rows in groups of ${p.groupRows}`);
  const rowLen = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = new (t.data.constructor as { new(n: number): Float32Array | Uint16Array })(t.data.length);
  for (let g = 0; g < rows; g += p.groupRows) {
    for (let r = 0; r < p.groupRows; r++) {
      const src = g + p.sourceRow(r);
      out.set(t.data.subarray(src * rowLen, (src + 1) * rowLen), (g + r) * rowLen);
    }
  }
  return { dtype: t.dtype, shape: t.shape, data: out } as WorkTensor;
}

/**
 * llama.cpp's `LlamaModel.permute` applied to a whole tensor (see {@link qkRowPermutation});
 * used for the 1-D biases, which are one GGUF row.
 */
export function permuteQK(t: WorkTensor, nHead: number, nHeadKv?: number): WorkTensor {
  return permuteTensorRows(t, qkRowPermutation(t.shape[0]!, nHead, nHeadKv));
}
