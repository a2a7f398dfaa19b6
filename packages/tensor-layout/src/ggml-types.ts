/**
 * The ggml tensor type table: every type id ggml defines, with its block geometry.
 * This is the single source of truth for type ids, names and byte sizes in ggufkit.
 */

/** ggml type ids as stored in GGUF tensor infos (`enum ggml_type`). */
export const GGMLType = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q4_1: 3,
  Q5_0: 6,
  Q5_1: 7,
  Q8_0: 8,
  Q8_1: 9,
  Q2_K: 10,
  Q3_K: 11,
  Q4_K: 12,
  Q5_K: 13,
  Q6_K: 14,
  Q8_K: 15,
  IQ2_XXS: 16,
  IQ2_XS: 17,
  IQ3_XXS: 18,
  IQ1_S: 19,
  IQ4_NL: 20,
  IQ3_S: 21,
  IQ2_S: 22,
  IQ4_XS: 23,
  I8: 24,
  I16: 25,
  I32: 26,
  I64: 27,
  F64: 28,
  IQ1_M: 29,
  BF16: 30,
  TQ1_0: 34,
  TQ2_0: 35,
  MXFP4: 39,
  NVFP4: 40,
  Q1_0: 41,
  Q2_0: 42,
} as const;

/** A ggml type id known to ggufkit. */
export type GGMLTypeId = (typeof GGMLType)[keyof typeof GGMLType];
/** The canonical (upper-case enum) name of a ggml type, e.g. `"Q4_K"`. */
export type GGMLTypeName = keyof typeof GGMLType;

/** Geometry and naming of one ggml type. */
export interface GGMLTypeInfo {
  /** Numeric id stored in GGUF. */
  readonly id: number;
  /** Canonical name, as in `GGML_TYPE_<name>` (e.g. `Q4_K`, `F16`, `BF16`). */
  readonly name: string;
  /** The name ggml prints (`ggml_type_name`), e.g. `q4_K`, `f16`. */
  readonly ggmlName: string;
  /** Number of values in one block (1 for plain scalar types). */
  readonly blockSize: number;
  /** Bytes taken by one block. */
  readonly typeSize: number;
  /** True for block-quantized types. */
  readonly quantized: boolean;
  /**
   * True for ids that ggml once defined but no longer accepts in GGUF files
   * (the interleaved Q4_0_4_4 family). The geometry is the historical one so old
   * files can still be measured.
   */
  readonly removed: boolean;
}

function t(id: number, name: string, blockSize: number, typeSize: number, quantized: boolean, removed = false): GGMLTypeInfo {
  const ggmlName = name.toLowerCase().replace(/_k$/, '_K');
  return Object.freeze({ id, name, ggmlName, blockSize, typeSize, quantized, removed });
}

const QK_K = 256;

/** All types ggml defines, by id. Ids 4 and 5 (Q4_2, Q4_3) were removed before GGUF existed. */
export const GGML_TYPES: readonly GGMLTypeInfo[] = Object.freeze([
  t(0, 'F32', 1, 4, false),
  t(1, 'F16', 1, 2, false),
  t(2, 'Q4_0', 32, 18, true),
  t(3, 'Q4_1', 32, 20, true),
  t(6, 'Q5_0', 32, 22, true),
  t(7, 'Q5_1', 32, 24, true),
  t(8, 'Q8_0', 32, 34, true),
  t(9, 'Q8_1', 32, 36, true),
  t(10, 'Q2_K', QK_K, 84, true),
  t(11, 'Q3_K', QK_K, 110, true),
  t(12, 'Q4_K', QK_K, 144, true),
  t(13, 'Q5_K', QK_K, 176, true),
  t(14, 'Q6_K', QK_K, 210, true),
  t(15, 'Q8_K', QK_K, 292, true),
  t(16, 'IQ2_XXS', QK_K, 66, true),
  t(17, 'IQ2_XS', QK_K, 74, true),
  t(18, 'IQ3_XXS', QK_K, 98, true),
  t(19, 'IQ1_S', QK_K, 50, true),
  t(20, 'IQ4_NL', 32, 18, true),
  t(21, 'IQ3_S', QK_K, 110, true),
  t(22, 'IQ2_S', QK_K, 82, true),
  t(23, 'IQ4_XS', QK_K, 136, true),
  t(24, 'I8', 1, 1, false),
  t(25, 'I16', 1, 2, false),
  t(26, 'I32', 1, 4, false),
  t(27, 'I64', 1, 8, false),
  t(28, 'F64', 1, 8, false),
  t(29, 'IQ1_M', QK_K, 56, true),
  t(30, 'BF16', 1, 2, false),
  t(31, 'Q4_0_4_4', 32, 18, true, true),
  t(32, 'Q4_0_4_8', 32, 18, true, true),
  t(33, 'Q4_0_8_8', 32, 18, true, true),
  t(34, 'TQ1_0', QK_K, 54, true),
  t(35, 'TQ2_0', QK_K, 66, true),
  t(36, 'IQ4_NL_4_4', 32, 18, true, true),
  t(37, 'IQ4_NL_4_8', 32, 18, true, true),
  t(38, 'IQ4_NL_8_8', 32, 18, true, true),
  t(39, 'MXFP4', 32, 17, true),
  t(40, 'NVFP4', 64, 36, true),
  t(41, 'Q1_0', 128, 18, true),
  t(42, 'Q2_0', 64, 18, true),
]);

const byId = new Map<number, GGMLTypeInfo>(GGML_TYPES.map((x) => [x.id, x]));
const byName = new Map<string, GGMLTypeInfo>(GGML_TYPES.map((x) => [x.name.toLowerCase(), x]));

/** Looks a type up by id; `undefined` when ggml defines no such id. */
export function ggmlTypeInfo(id: number): GGMLTypeInfo | undefined {
  return byId.get(id);
}

/** Looks a type up by id and throws a `RangeError` naming the id when unknown. */
export function requireGGMLType(id: number): GGMLTypeInfo {
  const info = byId.get(id);
  if (!info) throw new RangeError(`unknown ggml type id ${id}`);
  return info;
}

/** Parses a type name case-insensitively (`q4_k`, `Q4_K`, `bf16`). Throws a `RangeError` listing valid names. */
export function parseGGMLType(name: string): GGMLTypeInfo {
  const info = byName.get(name.trim().toLowerCase());
  if (!info) {
    throw new RangeError(`unknown ggml type "${name}"; expected one of ${GGML_TYPES.filter((x) => !x.removed).map((x) => x.name).join(', ')}`);
  }
  return info;
}

/** The canonical name of a type id, or `TYPE_<id>` for ids ggml does not define. */
export function ggmlTypeName(id: number): string {
  return byId.get(id)?.name ?? `TYPE_${id}`;
}
