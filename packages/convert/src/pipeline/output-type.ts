/**
 * Which ggml type each tensor gets for a conversion output type, as llama.cpp's
 * converter decides it: 1-D tensors, norms and biases stay F32; the rest take the output
 * type, and Q8_0 falls back to F16 for rows that are not whole 32-value blocks.
 */
import { GGMLType, LlamaFileType } from '@ggufkit/tensor-layout';

/** The output types the converter encodes itself. */
export type DirectOutType = 'f32' | 'f16' | 'bf16' | 'q8_0';

export const DIRECT_OUTTYPES: Readonly<Record<DirectOutType, { fileType: number; ggmlType: number }>> = {
  f32: { fileType: LlamaFileType.ALL_F32, ggmlType: GGMLType.F32 },
  f16: { fileType: LlamaFileType.MOSTLY_F16, ggmlType: GGMLType.F16 },
  bf16: { fileType: LlamaFileType.MOSTLY_BF16, ggmlType: GGMLType.BF16 },
  q8_0: { fileType: LlamaFileType.MOSTLY_Q8_0, ggmlType: GGMLType.Q8_0 },
};

/** True when `s` names one of the converter's own output types (case-insensitive). */
export function isDirectOutType(s: string): s is DirectOutType {
  return Object.prototype.hasOwnProperty.call(DIRECT_OUTTYPES, s.toLowerCase());
}

/**
 * The ggml type of a tensor named `name` with `ne` (GGUF order, after squeezing) when
 * converting to `outtype`.
 */
export function tensorOutputType(name: string, ne: readonly number[], outtype: DirectOutType): number {
  if (ne.length <= 1 || name.endsWith('_norm.weight')) return GGMLType.F32;
  if (!name.endsWith('.weight')) return GGMLType.F32;
  const t = DIRECT_OUTTYPES[outtype].ggmlType;
  if (t === GGMLType.Q8_0 && ne[0]! % 32 !== 0) return GGMLType.F16;
  return t;
}
