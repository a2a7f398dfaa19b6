/**
 * Typed access to metadata entries, shared by single files (`GGUFFile`) and split models
 * (`GGUFModel`). Every accessor checks the stored GGUF type and fails with a
 * `GGUFMetadataError` naming the key, the expected and the actual type.
 */
import { GGUFValueType, ggufValueTypeName } from '@ggufkit/tensor-layout';
import { GGUFMetadataError } from './errors.js';
import type { GGUFArray, GGUFMetadataEntry, GGUFNumericArray, GGUFStringList } from './model.js';
import { decodeUtf8, stringListOf } from './string-list.js';

function typeName(t: number): string {
  return ggufValueTypeName(t) ?? `type ${t}`;
}

/** Metadata lookup by key with type-checked getters. */
export class MetadataAccess {
  /** Metadata entries in file order. */
  readonly metadata: readonly GGUFMetadataEntry[];
  readonly #byKey: ReadonlyMap<string, GGUFMetadataEntry>;
  readonly #fileName: string | undefined;

  constructor(metadata: readonly GGUFMetadataEntry[], fileName?: string) {
    this.metadata = metadata;
    this.#byKey = new Map(metadata.map((e) => [e.key, e]));
    this.#fileName = fileName;
  }

  /** The entry for `key`, or `undefined`. */
  get(key: string): GGUFMetadataEntry | undefined {
    return this.#byKey.get(key);
  }

  /** True when `key` is present. */
  has(key: string): boolean {
    return this.#byKey.has(key);
  }

  /** A STRING value (raw non-UTF-8 bytes are decoded with U+FFFD replacements). */
  getString(key: string): string {
    const v = this.#typed(key, [GGUFValueType.STRING], 'STRING').value;
    return typeof v === 'string' ? v : decodeUtf8(v as Uint8Array, 0, (v as Uint8Array).length);
  }

  /** A UINT32 value (exactly that type, as llama.cpp's loader requires). */
  getU32(key: string): number {
    return this.#typed(key, [GGUFValueType.UINT32], 'UINT32').value as number;
  }

  /** Any numeric scalar as a number; 64-bit integers must be exactly representable. */
  getNumber(key: string): number {
    const e = this.#typed(key, NUMERIC_SCALARS, 'a numeric type');
    if (typeof e.value === 'bigint') {
      const n = Number(e.value);
      if (!Number.isSafeInteger(n)) throw this.#error(`metadata key "${key}" value ${e.value} is not exactly representable as a number; use getBigInt`);
      return n;
    }
    return e.value as number;
  }

  /** Any integer scalar as a bigint. */
  getBigInt(key: string): bigint {
    const e = this.#typed(key, INTEGER_SCALARS, 'an integer type');
    return typeof e.value === 'bigint' ? e.value : BigInt(e.value as number);
  }

  /** A BOOL value. */
  getBool(key: string): boolean {
    return this.#typed(key, [GGUFValueType.BOOL], 'BOOL').value as boolean;
  }

  /** An ARRAY value. */
  getArray(key: string): GGUFArray {
    return this.#typed(key, [GGUFValueType.ARRAY], 'ARRAY').value as GGUFArray;
  }

  /** An array of strings, lazily decoded. */
  getStringArray(key: string): GGUFStringList {
    const a = this.getArray(key);
    if (a.itemType !== GGUFValueType.STRING) throw this.#error(`metadata key "${key}" is an array of ${typeName(a.itemType)}, expected an array of STRING`);
    return stringListOf(a.values);
  }

  /** An array of a numeric item type, as its typed array (`Float32Array` for FLOAT32, ...). */
  getNumericArray(key: string): GGUFNumericArray {
    const a = this.getArray(key);
    if (a.itemType === GGUFValueType.STRING || a.itemType === GGUFValueType.BOOL || a.itemType === GGUFValueType.ARRAY) {
      throw this.#error(`metadata key "${key}" is an array of ${typeName(a.itemType)}, expected a numeric array`);
    }
    return a.values as GGUFNumericArray;
  }

  /** `general.architecture`, e.g. `"llama"`. */
  get architecture(): string {
    return this.getString('general.architecture');
  }

  #typed(key: string, types: readonly number[], expected: string): GGUFMetadataEntry {
    const e = this.#byKey.get(key);
    if (!e) throw this.#error(`metadata key "${key}" is missing`);
    if (!types.includes(e.type)) throw this.#error(`metadata key "${key}" is ${typeName(e.type)}, expected ${expected}`);
    return e;
  }

  #error(message: string): GGUFMetadataError {
    return new GGUFMetadataError(message, this.#fileName !== undefined ? { file: this.#fileName } : {});
  }
}

const INTEGER_SCALARS: readonly number[] = [
  GGUFValueType.UINT8, GGUFValueType.INT8, GGUFValueType.UINT16, GGUFValueType.INT16,
  GGUFValueType.UINT32, GGUFValueType.INT32, GGUFValueType.UINT64, GGUFValueType.INT64,
];
const NUMERIC_SCALARS: readonly number[] = [...INTEGER_SCALARS, GGUFValueType.FLOAT32, GGUFValueType.FLOAT64];
