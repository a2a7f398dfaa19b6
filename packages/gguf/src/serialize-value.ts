/**
 * Encoding of metadata values (all 13 GGUF value types, nested arrays included) with the
 * range and type checks that keep a file loadable: a value that does not fit its declared
 * type is a `GGUFWriteError` naming the key, never a silently wrapped number.
 */
import { GGUFValueType, ggufValueTypeName } from '@ggufkit/tensor-layout';
import type { ByteWriter } from './byte-writer.js';
import { GGUFWriteError } from './errors.js';
import type { GGUFArray, GGUFString, GGUFStringList, GGUFValue } from './model.js';
import { NUMERIC_ARRAY_CLASS } from './numeric-arrays.js';

/** Narrow (v1) files store string lengths and array counts as u32 instead of u64. */
export interface ValueEncoding {
  readonly narrow: boolean;
}

const INT_RANGES: Record<number, readonly [number, number]> = {
  [GGUFValueType.UINT8]: [0, 0xff],
  [GGUFValueType.INT8]: [-0x80, 0x7f],
  [GGUFValueType.UINT16]: [0, 0xffff],
  [GGUFValueType.INT16]: [-0x8000, 0x7fff],
  [GGUFValueType.UINT32]: [0, 0xffffffff],
  [GGUFValueType.INT32]: [-0x80000000, 0x7fffffff],
};

const BIG_RANGES: Record<number, readonly [bigint, bigint]> = {
  [GGUFValueType.UINT64]: [0n, (1n << 64n) - 1n],
  [GGUFValueType.INT64]: [-(1n << 63n), (1n << 63n) - 1n],
};

function typeName(type: number): string {
  return ggufValueTypeName(type) ?? `type ${type}`;
}

function fail(key: string, message: string): never {
  throw new GGUFWriteError(`metadata key "${key}": ${message}`);
}

function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (v instanceof Uint8Array) return `${v.length} raw bytes`;
  if (v !== null && typeof v === 'object') return v.constructor?.name ?? 'object';
  return String(v);
}

function checkInt(key: string, type: number, v: unknown): number {
  const range = INT_RANGES[type]!;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < range[0] || v > range[1]) {
    fail(key, `${show(v)} is not a valid ${typeName(type)} (integer in [${range[0]}, ${range[1]}])`);
  }
  return v;
}

function checkBig(key: string, type: number, v: unknown): bigint {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
  else fail(key, `${show(v)} is not a valid ${typeName(type)} (bigint, or a safe integer number)`);
  const range = BIG_RANGES[type]!;
  if (b < range[0] || b > range[1]) fail(key, `${b}n is out of range for ${typeName(type)}`);
  return b;
}

function checkFloat(key: string, type: number, v: unknown): number {
  if (typeof v !== 'number') fail(key, `${show(v)} is not a valid ${typeName(type)} (number)`);
  return v;
}

/** Writes one scalar (non-array) value of `type`. */
function writeScalar(w: ByteWriter, key: string, type: number, v: unknown, enc: ValueEncoding): void {
  switch (type) {
    case GGUFValueType.UINT8: w.u8(checkInt(key, type, v)); return;
    case GGUFValueType.INT8: w.i8(checkInt(key, type, v)); return;
    case GGUFValueType.UINT16: w.u16(checkInt(key, type, v)); return;
    case GGUFValueType.INT16: w.i16(checkInt(key, type, v)); return;
    case GGUFValueType.UINT32: w.u32(checkInt(key, type, v)); return;
    case GGUFValueType.INT32: w.i32(checkInt(key, type, v)); return;
    case GGUFValueType.FLOAT32: w.f32(checkFloat(key, type, v)); return;
    case GGUFValueType.FLOAT64: w.f64(checkFloat(key, type, v)); return;
    case GGUFValueType.UINT64: w.u64(checkBig(key, type, v)); return;
    case GGUFValueType.INT64: w.i64(checkBig(key, type, v)); return;
    case GGUFValueType.BOOL:
      if (typeof v !== 'boolean') fail(key, `${show(v)} is not a valid BOOL (boolean)`);
      w.u8(v ? 1 : 0);
      return;
    case GGUFValueType.STRING:
      if (typeof v !== 'string' && !(v instanceof Uint8Array)) fail(key, `${show(v)} is not a valid STRING (string or Uint8Array)`);
      w.string(v, enc.narrow);
      return;
    default:
      fail(key, `unknown value type ${type}`);
  }
}

function isStringList(values: unknown): values is GGUFStringList {
  return typeof (values as GGUFStringList).bytes === 'function' && typeof (values as GGUFStringList).length === 'number';
}

function isArrayValue(v: unknown): v is GGUFArray {
  return v !== null && typeof v === 'object' && !ArrayBuffer.isView(v) && 'itemType' in v && 'values' in v;
}

/** Writes an array body: item type, count, then the items (nested arrays recursively). */
function writeArray(w: ByteWriter, key: string, v: unknown, enc: ValueEncoding, depth: number): void {
  if (!isArrayValue(v)) fail(key, `${show(v)} is not a valid ARRAY ({ itemType, values })`);
  if (depth > 64) fail(key, 'arrays nested more than 64 levels deep');
  const itemType = v.itemType as number;
  const values = v.values as unknown;
  w.i32(itemType);
  if (itemType === GGUFValueType.ARRAY) {
    if (!Array.isArray(values)) fail(key, 'nested ARRAY items must be an array of { itemType, values }');
    w.count(values.length, enc.narrow);
    for (const item of values) writeArray(w, key, item, enc, depth + 1);
    return;
  }
  if (itemType === GGUFValueType.STRING) {
    if (isStringList(values)) {
      w.count(values.length, enc.narrow);
      for (let i = 0; i < values.length; i++) w.string(values.bytes(i), enc.narrow);
      return;
    }
    if (!Array.isArray(values)) fail(key, 'STRING array values must be a GGUFStringList or an array of strings/Uint8Arrays');
    w.count(values.length, enc.narrow);
    for (const s of values as readonly GGUFString[]) writeScalar(w, key, itemType, s, enc);
    return;
  }
  if (itemType === GGUFValueType.BOOL) {
    if (!Array.isArray(values)) fail(key, 'BOOL array values must be an array of booleans');
    w.count(values.length, enc.narrow);
    for (const b of values) writeScalar(w, key, itemType, b, enc);
    return;
  }
  const typed = NUMERIC_ARRAY_CLASS[itemType];
  if (!typed) fail(key, `unknown array item type ${itemType}`);
  if (values instanceof (typed as unknown as Function)) {
    const arr = values as ArrayBufferView & { length: number };
    w.count(arr.length, enc.narrow);
    // Typed arrays hold host-order (little-endian) elements: copy, reversing each for big-endian output.
    w.elements(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength), typed.BYTES_PER_ELEMENT);
    return;
  }
  if (!Array.isArray(values) && !ArrayBuffer.isView(values)) {
    fail(key, `${typeName(itemType)} array values must be a ${(typed as unknown as Function).name} or an array of numbers`);
  }
  const list = values as ArrayLike<unknown>;
  w.count(list.length, enc.narrow);
  for (let i = 0; i < list.length; i++) writeScalar(w, key, itemType, list[i], enc);
}

/** Writes a metadata value of `type` (the value part only, after the key and type id). */
export function writeValue(w: ByteWriter, key: string, type: number, value: GGUFValue, enc: ValueEncoding): void {
  if (type === GGUFValueType.ARRAY) writeArray(w, key, value, enc, 0);
  else writeScalar(w, key, type, value, enc);
}
