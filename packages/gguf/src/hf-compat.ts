/**
 * The result shape of `@huggingface/gguf`'s `gguf()`, built from a `GGUFFile`, for code
 * written against that library. Values follow its conventions: plain arrays instead of
 * typed arrays, bigint for 64-bit integers and for tensor shapes and offsets, strings
 * decoded the way `TextDecoder` does by default (invalid bytes become U+FFFD and a
 * leading byte-order mark is dropped).
 */
import { GGUFValueType } from '@ggufkit/tensor-layout';
import type { GGUFHeader, GGUFArray, GGUFString, GGUFValue } from './model.js';
import { stringListOf } from './string-list.js';

/** A metadata value as `@huggingface/gguf` represents it. */
export type HuggingFaceMetadataValue = number | bigint | boolean | string | HuggingFaceMetadataValue[];

/** A tensor info as `@huggingface/gguf` represents it. */
export interface HuggingFaceTensorInfo {
  name: string;
  n_dims: number;
  shape: bigint[];
  dtype: number;
  offset: bigint;
}

/** The `gguf()` result of `@huggingface/gguf`. */
export interface HuggingFaceGGUFShape {
  metadata: { version: number; tensor_count: bigint; kv_count: bigint } & Record<string, HuggingFaceMetadataValue>;
  tensorInfos: HuggingFaceTensorInfo[];
  tensorDataOffset: bigint;
  littleEndian: boolean;
  tensorInfoByteRange: [number, number];
}

/** The header fields `toHuggingFaceShape` uses (a `GGUFFile` has them all). */
export interface HuggingFaceShapeInput extends GGUFHeader {
  readonly tensorInfoOffset: number;
}

const hfDecoder = new TextDecoder();

function hfString(v: GGUFString): string {
  if (typeof v !== 'string') return hfDecoder.decode(v);
  // TextDecoder's default drops a leading byte-order mark; ours keeps it for round trips.
  return v.charCodeAt(0) === 0xfeff ? v.slice(1) : v;
}

function hfArray(a: GGUFArray): HuggingFaceMetadataValue[] {
  switch (a.itemType) {
    case GGUFValueType.STRING: {
      const list = stringListOf(a.values);
      const out = new Array<string>(list.length);
      for (let i = 0; i < list.length; i++) out[i] = hfDecoder.decode(list.bytes(i));
      return out;
    }
    case GGUFValueType.BOOL:
      return [...a.values];
    case GGUFValueType.ARRAY:
      return a.values.map(hfArray);
    default:
      return Array.from(a.values as ArrayLike<number | bigint>);
  }
}

function hfValue(type: number, v: GGUFValue): HuggingFaceMetadataValue {
  if (type === GGUFValueType.STRING) return hfString(v as GGUFString);
  if (type === GGUFValueType.ARRAY) return hfArray(v as GGUFArray);
  return v as number | bigint | boolean;
}

/** Converts a parsed file into the shape `@huggingface/gguf`'s `gguf()` returns. */
export function toHuggingFaceShape(file: HuggingFaceShapeInput): HuggingFaceGGUFShape {
  const metadata: Record<string, HuggingFaceMetadataValue> = {
    version: file.version,
    tensor_count: BigInt(file.tensors.length),
    kv_count: BigInt(file.metadata.length),
  };
  for (const e of file.metadata) metadata[e.key] = hfValue(e.type, e.value);
  return {
    metadata: metadata as HuggingFaceGGUFShape['metadata'],
    tensorInfos: file.tensors.map((t) => ({
      name: t.name,
      n_dims: t.ne.length,
      shape: t.ne.map((d) => BigInt(d)),
      dtype: t.type,
      offset: BigInt(t.offset),
    })),
    tensorDataOffset: BigInt(file.dataOffset),
    littleEndian: !file.bigEndian,
    tensorInfoByteRange: [file.tensorInfoOffset, file.headerLength],
  };
}
