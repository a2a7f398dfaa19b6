/** llama.cpp's `llama_ftype`: the value of `general.file_type`, naming the quantization mix. */
export const LlamaFileType = {
  ALL_F32: 0,
  MOSTLY_F16: 1,
  MOSTLY_Q4_0: 2,
  MOSTLY_Q4_1: 3,
  MOSTLY_Q8_0: 7,
  MOSTLY_Q5_0: 8,
  MOSTLY_Q5_1: 9,
  MOSTLY_Q2_K: 10,
  MOSTLY_Q3_K_S: 11,
  MOSTLY_Q3_K_M: 12,
  MOSTLY_Q3_K_L: 13,
  MOSTLY_Q4_K_S: 14,
  MOSTLY_Q4_K_M: 15,
  MOSTLY_Q5_K_S: 16,
  MOSTLY_Q5_K_M: 17,
  MOSTLY_Q6_K: 18,
  MOSTLY_IQ2_XXS: 19,
  MOSTLY_IQ2_XS: 20,
  MOSTLY_Q2_K_S: 21,
  MOSTLY_IQ3_XS: 22,
  MOSTLY_IQ3_XXS: 23,
  MOSTLY_IQ1_S: 24,
  MOSTLY_IQ4_NL: 25,
  MOSTLY_IQ3_S: 26,
  MOSTLY_IQ3_M: 27,
  MOSTLY_IQ2_S: 28,
  MOSTLY_IQ2_M: 29,
  MOSTLY_IQ4_XS: 30,
  MOSTLY_IQ1_M: 31,
  MOSTLY_BF16: 32,
  MOSTLY_TQ1_0: 36,
  MOSTLY_TQ2_0: 37,
  MOSTLY_MXFP4_MOE: 38,
  MOSTLY_NVFP4: 39,
  MOSTLY_Q1_0: 40,
  GUESSED: 1024,
} as const;

/** A `llama_ftype` value. */
export type LlamaFileTypeId = (typeof LlamaFileType)[keyof typeof LlamaFileType];

const shortNames = new Map<string, number>();
const byValue = new Map<number, string>();
for (const [k, v] of Object.entries(LlamaFileType)) {
  const short = k.replace(/^(MOSTLY_|ALL_)/, '');
  shortNames.set(short.toLowerCase(), v);
  byValue.set(v, short);
}

/** Parses an ftype as llama-quantize spells it (`Q4_K_M`, `f16`, `BF16`), case-insensitive. */
export function parseLlamaFileType(name: string): number {
  const v = shortNames.get(name.trim().toLowerCase());
  if (v === undefined) throw new RangeError(`unknown file type "${name}"`);
  return v;
}

/** Short name of an ftype value (`Q4_K_M`), or `FTYPE_<n>` when unknown. */
export function llamaFileTypeName(value: number): string {
  return byValue.get(value) ?? `FTYPE_${value}`;
}
