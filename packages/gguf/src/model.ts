/**
 * The in-memory shape of a GGUF header, shared by the reader and the writer.
 * Values keep their exact GGUF types so that read-then-write is byte-identical.
 */
import type { GGUFValueTypeId } from '@ggufkit/tensor-layout';

/** Numeric typed array used for numeric GGUF arrays (element type per `itemType`). */
export type GGUFNumericArray =
  | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array
  | Float32Array | Float64Array | BigUint64Array | BigInt64Array;

/**
 * A GGUF string. Valid UTF-8 decodes to a JS string; bytes that are not valid UTF-8
 * stay raw so that they can be written back unchanged.
 */
export type GGUFString = string | Uint8Array;

/**
 * A lazily decoded array of strings: the raw bytes stay in one buffer and each item is
 * decoded on access. Large vocabularies parse without creating 100k+ JS strings.
 */
export interface GGUFStringList extends Iterable<string> {
  readonly length: number;
  /** Item `i` decoded as UTF-8 (invalid sequences replaced by U+FFFD). */
  get(i: number): string;
  /** Raw bytes of item `i` (a view, not a copy). */
  bytes(i: number): Uint8Array;
  /** All items decoded, as a plain array. */
  toArray(): string[];
}

/** A GGUF array value. `itemType` is the element's GGUF value type. */
export type GGUFArray =
  | { readonly itemType: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 10 | 11 | 12; readonly values: GGUFNumericArray }
  | { readonly itemType: 7; readonly values: readonly boolean[] }
  | { readonly itemType: 8; readonly values: GGUFStringList | readonly GGUFString[] }
  | { readonly itemType: 9; readonly values: readonly GGUFArray[] };

/** A metadata value: numbers for 8-32-bit ints and floats, bigint for 64-bit ints, etc. */
export type GGUFValue = number | bigint | boolean | GGUFString | GGUFArray;

/** One metadata key/value pair with its exact GGUF value type. */
export interface GGUFMetadataEntry {
  readonly key: string;
  readonly type: GGUFValueTypeId;
  readonly value: GGUFValue;
}

/** One tensor info record from the header. */
export interface GGUFTensorInfo {
  readonly name: string;
  /** Dimensions in GGUF order: `ne[0]` is the row length (fastest-varying). */
  readonly ne: readonly number[];
  /** ggml type id. */
  readonly type: number;
  /** Offset of the data relative to the start of the tensor data section. */
  readonly offset: number;
  /** Bytes of data (from the type table and `ne`). */
  readonly byteLength: number;
}

/** A parsed GGUF header. */
export interface GGUFHeader {
  /** GGUF version (1, 2 or 3). */
  readonly version: number;
  /** True when the file is big-endian (detected, not guessed). */
  readonly bigEndian: boolean;
  /** Metadata entries in file order. */
  readonly metadata: readonly GGUFMetadataEntry[];
  /** Tensor infos in file order. */
  readonly tensors: readonly GGUFTensorInfo[];
  /** Alignment of tensor data (`general.alignment`, default 32). */
  readonly alignment: number;
  /** Absolute byte offset of the tensor data section in the file. */
  readonly dataOffset: number;
  /** Bytes of the header before padding (where the tensor-info section ends). */
  readonly headerLength: number;
}
