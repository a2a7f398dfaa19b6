import type { WorkTensor } from './work-tensor.js';

/**
 * llama.cpp's `LlamaModel.permute` for Q/K projections: within each head, rows are
 * re-interleaved from Hugging Face's "two halves" rotary layout to GGML's "pairs"
 * layout (`reshape(n_head, 2, d/2, ...).swapaxes(1, 2)`). `nHeadKv` replaces `nHead`
 * when it differs (grouped-query K).
 */
export function permuteQK(t: WorkTensor, nHead: number, nHeadKv?: number): WorkTensor {
  const heads = nHeadKv !== undefined && nHeadKv !== nHead ? nHeadKv : nHead;
  const rows = t.shape[0]!;
  if (rows % (heads * 2) !== 0) throw new RangeError(`cannot permute ${rows} rows into ${heads} heads of rotary pairs`);
  const half = rows / heads / 2;
  const rowLen = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = new (t.data.constructor as { new(n: number): Float32Array | Uint16Array })(t.data.length);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < 2; j++) {
        const dst = h * 2 * half + i * 2 + j;
        const src = h * 2 * half + j * half + i;
        out.set(t.data.subarray(src * rowLen, (src + 1) * rowLen), dst * rowLen);
      }
    }
  }
  return { dtype: t.dtype, shape: t.shape, data: out } as WorkTensor;
}
