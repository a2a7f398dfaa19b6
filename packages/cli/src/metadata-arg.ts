import type { GGUFMetadataEntry, GGUFValue } from '@ggufkit/gguf';
import { GGUFValueType, type GGUFValueTypeId } from '@ggufkit/tensor-layout';
import { UsageError } from './cli-error.js';

const TYPE_NAMES: Record<string, GGUFValueTypeId> = {
  u8: GGUFValueType.UINT8, i8: GGUFValueType.INT8, u16: GGUFValueType.UINT16, i16: GGUFValueType.INT16,
  u32: GGUFValueType.UINT32, i32: GGUFValueType.INT32, u64: GGUFValueType.UINT64, i64: GGUFValueType.INT64,
  f32: GGUFValueType.FLOAT32, f64: GGUFValueType.FLOAT64, bool: GGUFValueType.BOOL, str: GGUFValueType.STRING,
};

const INT_RANGES: Partial<Record<number, [bigint, bigint]>> = {
  [GGUFValueType.UINT8]: [0n, 255n], [GGUFValueType.INT8]: [-128n, 127n],
  [GGUFValueType.UINT16]: [0n, 65535n], [GGUFValueType.INT16]: [-32768n, 32767n],
  [GGUFValueType.UINT32]: [0n, 4294967295n], [GGUFValueType.INT32]: [-2147483648n, 2147483647n],
  [GGUFValueType.UINT64]: [0n, 18446744073709551615n], [GGUFValueType.INT64]: [-9223372036854775808n, 9223372036854775807n],
};

/** Parses the text of a value as the given scalar GGUF type. */
export function parseScalar(key: string, type: number, text: string): GGUFValue {
  const range = INT_RANGES[type];
  if (range) {
    if (!/^-?\d+$/.test(text)) throw new UsageError(`${key}: "${text}" is not an integer`);
    const v = BigInt(text);
    if (v < range[0] || v > range[1]) throw new UsageError(`${key}: ${text} is out of range for its type`);
    return type === GGUFValueType.UINT64 || type === GGUFValueType.INT64 ? v : Number(v);
  }
  switch (type) {
    case GGUFValueType.FLOAT32: case GGUFValueType.FLOAT64: {
      const v = Number(text);
      if (text.trim() === '' || Number.isNaN(v) && text.trim().toLowerCase() !== 'nan') throw new UsageError(`${key}: "${text}" is not a number`);
      return type === GGUFValueType.FLOAT32 ? Math.fround(v) : v;
    }
    case GGUFValueType.BOOL:
      if (text !== 'true' && text !== 'false') throw new UsageError(`${key}: "${text}" is not true or false`);
      return text === 'true';
    case GGUFValueType.STRING:
      return text;
    default:
      throw new UsageError(`${key}: only scalar values can be set from the command line`);
  }
}

function inferType(text: string): GGUFValueTypeId {
  if (text === 'true' || text === 'false') return GGUFValueType.BOOL;
  if (/^-?\d+$/.test(text)) {
    const v = BigInt(text);
    if (v >= 0n && v <= 4294967295n) return GGUFValueType.UINT32;
    if (v >= -2147483648n && v < 0n) return GGUFValueType.INT32;
    return GGUFValueType.INT64;
  }
  if (/^-?(\d+\.\d*|\.\d+|\d+)(e[-+]?\d+)?$/i.test(text)) return GGUFValueType.FLOAT32;
  return GGUFValueType.STRING;
}

/**
 * Parses `key=value` or `key:type=value` (types u8 i8 u16 i16 u32 i32 u64 i64 f32 f64
 * bool str). Without a type, an existing key keeps its type; a new key gets one
 * inferred from the text (bool, u32/i32/i64, f32, else string).
 */
export function parseSetArg(arg: string, existingType: (key: string) => number | undefined): GGUFMetadataEntry {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set expects key=value or key:type=value, got "${arg}"`);
  const lhs = arg.slice(0, eq);
  const text = arg.slice(eq + 1);
  const colon = lhs.lastIndexOf(':');
  let key = lhs;
  let type: number | undefined;
  if (colon > 0 && TYPE_NAMES[lhs.slice(colon + 1)] !== undefined) {
    key = lhs.slice(0, colon);
    type = TYPE_NAMES[lhs.slice(colon + 1)];
  }
  type ??= existingType(key) ?? inferType(text);
  if (type === GGUFValueType.ARRAY) throw new UsageError(`${key} is an array; arrays cannot be set from the command line`);
  return { key, type: type as GGUFValueTypeId, value: parseScalar(key, type, text) };
}
