/**
 * The typed array class each numeric GGUF array item type is held in (the reader builds
 * them, the writer checks them), elements stored exactly as the item type is.
 */
import { GGUFValueType } from '@ggufkit/tensor-layout';
import type { GGUFNumericArray } from './model.js';

/** A typed array constructor over an existing buffer. */
export type NumericArrayClass = {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): GGUFNumericArray;
  readonly BYTES_PER_ELEMENT: number;
};

/** Item type id -> typed array class, for the numeric item types only. */
export const NUMERIC_ARRAY_CLASS: Readonly<Record<number, NumericArrayClass>> = {
  [GGUFValueType.UINT8]: Uint8Array,
  [GGUFValueType.INT8]: Int8Array,
  [GGUFValueType.UINT16]: Uint16Array,
  [GGUFValueType.INT16]: Int16Array,
  [GGUFValueType.UINT32]: Uint32Array,
  [GGUFValueType.INT32]: Int32Array,
  [GGUFValueType.FLOAT32]: Float32Array,
  [GGUFValueType.UINT64]: BigUint64Array,
  [GGUFValueType.INT64]: BigInt64Array,
  [GGUFValueType.FLOAT64]: Float64Array,
};
