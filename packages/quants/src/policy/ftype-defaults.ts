import { GGMLType, LlamaFileType, parseLlamaFileType } from '@ggufkit/tensor-layout';

/** The ftypes ggufkit can produce, with the base ggml type each one starts from (llama.cpp's `default_type`). */
const DEFAULT_TYPE: ReadonlyMap<number, number> = new Map([
  [LlamaFileType.ALL_F32, GGMLType.F32],
  [LlamaFileType.MOSTLY_F16, GGMLType.F16],
  [LlamaFileType.MOSTLY_BF16, GGMLType.BF16],
  [LlamaFileType.MOSTLY_Q4_0, GGMLType.Q4_0],
  [LlamaFileType.MOSTLY_Q4_1, GGMLType.Q4_1],
  [LlamaFileType.MOSTLY_Q5_0, GGMLType.Q5_0],
  [LlamaFileType.MOSTLY_Q5_1, GGMLType.Q5_1],
  [LlamaFileType.MOSTLY_Q8_0, GGMLType.Q8_0],
  [LlamaFileType.MOSTLY_Q2_K, GGMLType.Q2_K],
  [LlamaFileType.MOSTLY_Q2_K_S, GGMLType.Q2_K],
  [LlamaFileType.MOSTLY_Q3_K_S, GGMLType.Q3_K],
  [LlamaFileType.MOSTLY_Q3_K_M, GGMLType.Q3_K],
  [LlamaFileType.MOSTLY_Q3_K_L, GGMLType.Q3_K],
  [LlamaFileType.MOSTLY_Q4_K_S, GGMLType.Q4_K],
  [LlamaFileType.MOSTLY_Q4_K_M, GGMLType.Q4_K],
  [LlamaFileType.MOSTLY_Q5_K_S, GGMLType.Q5_K],
  [LlamaFileType.MOSTLY_Q5_K_M, GGMLType.Q5_K],
  [LlamaFileType.MOSTLY_Q6_K, GGMLType.Q6_K],
]);

/** The ftype names `ggufkit quantize` accepts, as llama-quantize spells them. */
export const SUPPORTED_FTYPES: readonly string[] = [
  'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1', 'Q8_0', 'Q2_K', 'Q2_K_S', 'Q3_K_S', 'Q3_K_M', 'Q3_K_L',
  'Q4_K_S', 'Q4_K_M', 'Q5_K_S', 'Q5_K_M', 'Q6_K', 'F16', 'BF16', 'F32',
];

/** Resolves an ftype given by name (`Q4_K_M`) or value; throws a `RangeError` listing the supported ones. */
export function resolveFileType(ftype: string | number): number {
  let value: number;
  try {
    value = typeof ftype === 'number' ? ftype : parseLlamaFileType(ftype);
  } catch {
    value = -1;
  }
  if (!DEFAULT_TYPE.has(value)) {
    throw new RangeError(`unsupported quantization type "${ftype}"; expected one of ${SUPPORTED_FTYPES.join(', ')}`);
  }
  return value;
}

/** The ggml type most tensors of an ftype get (before llama.cpp's per-tensor rules). */
export function defaultTypeOf(ftype: number): number {
  const t = DEFAULT_TYPE.get(ftype);
  if (t === undefined) throw new RangeError(`unsupported file type ${ftype}`);
  return t;
}
