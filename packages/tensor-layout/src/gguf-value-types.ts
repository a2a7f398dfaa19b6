/** GGUF metadata value types (`enum gguf_type`). */
export const GGUFValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

/** A GGUF metadata value type id. */
export type GGUFValueTypeId = (typeof GGUFValueType)[keyof typeof GGUFValueType];

const names: Record<number, string> = Object.fromEntries(Object.entries(GGUFValueType).map(([k, v]) => [v, k]));

/** Byte size of a fixed-size scalar value type; `undefined` for STRING and ARRAY. */
export function ggufScalarSize(type: number): number | undefined {
  switch (type) {
    case GGUFValueType.UINT8: case GGUFValueType.INT8: case GGUFValueType.BOOL: return 1;
    case GGUFValueType.UINT16: case GGUFValueType.INT16: return 2;
    case GGUFValueType.UINT32: case GGUFValueType.INT32: case GGUFValueType.FLOAT32: return 4;
    case GGUFValueType.UINT64: case GGUFValueType.INT64: case GGUFValueType.FLOAT64: return 8;
    default: return undefined;
  }
}

/** Name of a value type id (`UINT32`, `STRING`, ...), or `undefined` when unknown. */
export function ggufValueTypeName(type: number): string | undefined {
  return names[type];
}
