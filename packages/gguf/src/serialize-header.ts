/**
 * The GGUF header in llama.cpp's exact byte layout (`gguf_write_to_buf`): magic, version,
 * tensor count, key/value count, the key/value pairs, the tensor infos, then zero padding
 * up to the data alignment. Tensor data offsets are assigned in order, each tensor
 * starting at the previous one's offset plus its size rounded up to the alignment.
 */
import {
  GGUF_DEFAULT_ALIGNMENT,
  GGUFValueType,
  alignUp,
  ggmlTypeInfo,
  ggufValueTypeName,
  type GGUFValueTypeId,
} from '@ggufkit/tensor-layout';
import { ByteWriter } from './byte-writer.js';
import { GGUFWriteError } from './errors.js';
import type { GGUFMetadataEntry, GGUFTensorInfo } from './model.js';
import { GGUF_MAX_DIMS } from './reader-parse.js';
import { writeValue } from './serialize-value.js';

/** The metadata key that sets the tensor data alignment (UINT32, a power of two). */
export const GENERAL_ALIGNMENT_KEY = 'general.alignment';

/** llama.cpp rejects tensor names of 64 bytes or more (`GGML_MAX_NAME`). */
export const GGUF_MAX_TENSOR_NAME_BYTES = 63;


/** What the writer needs to produce a header. A `GGUFFile` satisfies it as is. */
export interface HeaderToWrite {
  /** GGUF version: 3 (default), 2, or 1 (32-bit counts and lengths). */
  readonly version?: number;
  /** Key/value pairs, written in this order. */
  readonly metadata: readonly GGUFMetadataEntry[];
  /**
   * Tensor data alignment. Defaults to the `general.alignment` entry, else 32. When it is
   * not 32 and the metadata has no `general.alignment`, that key is appended (UINT32) so
   * that readers find the data where the writer put it.
   */
  readonly alignment?: number;
  /** Write every header number big-endian (tensor data is written as given). Default false. */
  readonly bigEndian?: boolean;
}

/** The part of a tensor the header describes. */
export interface TensorInfoToWrite {
  readonly name: string;
  /** Dimensions in GGUF order (`ne[0]` is the row length); written as given, 0 to 4 of them. */
  readonly ne: readonly number[];
  /** ggml type id. */
  readonly type: number;
}

/** A serialized header with everything the data section needs to follow it. */
export interface HeaderLayout {
  /** Header bytes including the zero padding up to the data section. */
  readonly bytes: Uint8Array;
  /** Version written. */
  readonly version: number;
  /** Byte order written. */
  readonly bigEndian: boolean;
  /** Metadata written (the input, plus `general.alignment` when it had to be added). */
  readonly metadata: readonly GGUFMetadataEntry[];
  /** Tensor infos with the offsets (relative to the data section) and sizes assigned. */
  readonly tensors: readonly GGUFTensorInfo[];
  /** Alignment used for the data section and every tensor. */
  readonly alignment: number;
  /** Header bytes before the padding. */
  readonly headerLength: number;
  /** Absolute offset of the data section (= `bytes.length`). */
  readonly dataOffset: number;
  /** Bytes of the data section, each tensor padded to the alignment (the last one too). */
  readonly dataLength: number;
  /** Size of the whole file: `dataOffset + dataLength`. */
  readonly fileSize: number;
}

const MAGIC = [0x47, 0x47, 0x55, 0x46]; // "GGUF"

function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0 && n <= 0x80000000;
}

/** Works out the alignment and the metadata to write, checking the two agree. */
function resolveAlignment(h: HeaderToWrite): { alignment: number; metadata: readonly GGUFMetadataEntry[] } {
  const entry = h.metadata.find((e) => e.key === GENERAL_ALIGNMENT_KEY);
  let fromKey: number | undefined;
  if (entry) {
    if (entry.type !== GGUFValueType.UINT32) {
      throw new GGUFWriteError(`metadata key "${GENERAL_ALIGNMENT_KEY}" must be UINT32, not ${ggufValueTypeName(entry.type) ?? entry.type}`);
    }
    fromKey = entry.value as number;
    if (typeof fromKey !== 'number' || !isPowerOfTwo(fromKey)) {
      throw new GGUFWriteError(`metadata key "${GENERAL_ALIGNMENT_KEY}" is ${String(fromKey)}, not a power of two`);
    }
  }
  if (h.alignment === undefined) return { alignment: fromKey ?? GGUF_DEFAULT_ALIGNMENT, metadata: h.metadata };
  if (!isPowerOfTwo(h.alignment)) throw new GGUFWriteError(`alignment ${h.alignment} is not a power of two`);
  if (fromKey !== undefined && fromKey !== h.alignment) {
    throw new GGUFWriteError(`alignment ${h.alignment} disagrees with metadata "${GENERAL_ALIGNMENT_KEY}" = ${fromKey}`);
  }
  if (fromKey === undefined && h.alignment !== GGUF_DEFAULT_ALIGNMENT) {
    return {
      alignment: h.alignment,
      metadata: [...h.metadata, { key: GENERAL_ALIGNMENT_KEY, type: GGUFValueType.UINT32, value: h.alignment }],
    };
  }
  return { alignment: h.alignment, metadata: h.metadata };
}

const encoder = new TextEncoder();

/** Checks a tensor info and returns its data size in bytes. */
function checkTensor(t: TensorInfoToWrite, index: number): number {
  const label = `tensor ${index} "${t.name}"`;
  if (typeof t.name !== 'string' || t.name.length === 0) throw new GGUFWriteError(`tensor ${index} has an empty name`);
  const nameBytes = encoder.encode(t.name).length;
  if (nameBytes > GGUF_MAX_TENSOR_NAME_BYTES) {
    throw new GGUFWriteError(`${label}: name is ${nameBytes} bytes, llama.cpp accepts at most ${GGUF_MAX_TENSOR_NAME_BYTES}`);
  }
  if (!Array.isArray(t.ne) || t.ne.length > GGUF_MAX_DIMS) {
    throw new GGUFWriteError(`${label}: ne must be an array of at most ${GGUF_MAX_DIMS} dimensions, got ${JSON.stringify(t.ne)}`);
  }
  for (const d of t.ne) {
    if (!Number.isSafeInteger(d) || d < 0) throw new GGUFWriteError(`${label}: dimension ${String(d)} is not a non-negative integer`);
  }
  const info = ggmlTypeInfo(t.type);
  if (!info) throw new GGUFWriteError(`${label}: unknown ggml type id ${t.type}`);
  if (info.removed) throw new GGUFWriteError(`${label}: ggml type ${info.name} (${t.type}) is no longer supported in GGUF files`);
  const ne0 = t.ne.length > 0 ? t.ne[0]! : 1;
  if (ne0 % info.blockSize !== 0) {
    throw new GGUFWriteError(`${label}: row length ne[0] = ${ne0} is not a multiple of ${info.name}'s block size ${info.blockSize}`);
  }
  let elements = 1;
  for (const d of t.ne) elements *= d;
  const bytes = (elements / info.blockSize) * info.typeSize;
  if (!Number.isSafeInteger(bytes)) throw new GGUFWriteError(`${label}: ${bytes} bytes is too large`);
  return bytes;
}

/**
 * Validates a header and tensor list and lays the file out: the serialized header, each
 * tensor's data offset and size, and the total file size. Throws `GGUFWriteError` for an
 * unsupported version, a bad alignment, empty or duplicate keys, values that do not fit
 * their type, duplicate or over-long tensor names, unknown types, or rows that are not a
 * whole number of blocks.
 */
export function layoutGGUF(h: HeaderToWrite, tensors: readonly TensorInfoToWrite[]): HeaderLayout {
  const version = h.version ?? 3;
  if (version !== 1 && version !== 2 && version !== 3) throw new GGUFWriteError(`GGUF version ${version} cannot be written (1, 2 or 3)`);
  const narrow = version === 1;
  const bigEndian = h.bigEndian === true;
  const { alignment, metadata } = resolveAlignment(h);

  const keys = new Set<string>();
  for (const e of metadata) {
    if (typeof e.key !== 'string' || e.key.length === 0) throw new GGUFWriteError('metadata key is empty');
    if (keys.has(e.key)) throw new GGUFWriteError(`metadata key "${e.key}" appears twice`);
    keys.add(e.key);
  }

  const names = new Set<string>();
  const infos: GGUFTensorInfo[] = [];
  let offset = 0;
  tensors.forEach((t, i) => {
    const byteLength = checkTensor(t, i);
    if (names.has(t.name)) throw new GGUFWriteError(`tensor ${i}: name "${t.name}" appears twice`);
    names.add(t.name);
    infos.push({ name: t.name, ne: [...t.ne], type: t.type, offset, byteLength });
    offset += alignUp(byteLength, alignment);
  });

  const w = new ByteWriter(bigEndian, 64 * 1024);
  for (const b of MAGIC) w.u8(b);
  w.u32(version);
  w.count(infos.length, narrow);
  w.count(metadata.length, narrow);
  for (const e of metadata) {
    w.string(e.key, narrow);
    w.i32(e.type as GGUFValueTypeId);
    writeValue(w, e.key, e.type, e.value, { narrow });
  }
  for (const t of infos) {
    w.string(t.name, narrow);
    w.u32(t.ne.length);
    for (const d of t.ne) {
      if (narrow) {
        if (d > 0xffffffff) throw new GGUFWriteError(`tensor "${t.name}": dimension ${d} does not fit a GGUF v1 header`);
        w.u32(d);
      } else w.i64(BigInt(d));
    }
    w.i32(t.type);
    w.u64(BigInt(t.offset));
  }
  const headerLength = w.length;
  w.zeros(alignUp(headerLength, alignment) - headerLength);
  const bytes = w.finish();
  return {
    bytes,
    version,
    bigEndian,
    metadata,
    tensors: infos,
    alignment,
    headerLength,
    dataOffset: bytes.length,
    dataLength: offset,
    fileSize: bytes.length + offset,
  };
}

/**
 * Serializes a GGUF header exactly as llama.cpp lays it out, including the zero padding
 * that brings the data section to the alignment. See {@link layoutGGUF} for the checks.
 */
export function serializeHeader(h: HeaderToWrite, tensors: readonly TensorInfoToWrite[]): Uint8Array {
  return layoutGGUF(h, tensors).bytes;
}
