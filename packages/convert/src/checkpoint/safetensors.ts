/**
 * safetensors reader: an 8-byte little-endian header length, a JSON header describing
 * every tensor (dtype, shape, byte range relative to the data section), then the data.
 * The header is validated before anything is trusted; tensor bytes are read on demand.
 */
import type { ByteReader } from '../io/byte-reader.js';
import { DTYPE_SIZE, isCheckpointDType, type CheckpointDType } from './dtypes.js';
import { compareCodePoints, shapeElements, type CheckpointTensor } from './tensor.js';

/** Malformed checkpoint file (bad header, impossible offsets, unsupported dtype). */
export class CheckpointFormatError extends RangeError {
  override readonly name: string = 'CheckpointFormatError';
  /** The file concerned. */
  readonly file: string;
  /** The tensor concerned, when the problem is one tensor. */
  readonly tensor: string | undefined;
  constructor(file: string, message: string, tensor?: string) {
    super(`${file}${tensor !== undefined ? `: tensor "${tensor}"` : ''}: ${message}`);
    this.file = file;
    this.tensor = tensor;
  }
}

/** Largest JSON header accepted (the safetensors library uses the same 100 MB bound). */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;

/** A parsed safetensors file. Tensors are listed sorted by name, as `safe_open().keys()` does. */
export interface SafetensorsFile {
  readonly name: string;
  /** `__metadata__` string map, when present. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: readonly CheckpointTensor[];
  /** Absolute file offset where tensor data begins. */
  readonly dataOffset: number;
  readonly reader: ByteReader;
}

interface RawEntry { name: string; dtype: CheckpointDType; shape: number[]; begin: number; end: number }

function parseEntry(file: string, name: string, v: unknown, dataSize: number): RawEntry {
  const fail = (msg: string): never => { throw new CheckpointFormatError(file, msg, name); };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('header entry is not an object');
  const e = v as Record<string, unknown>;
  const dtype = e['dtype'];
  if (typeof dtype !== 'string') fail('missing "dtype"');
  if (!isCheckpointDType(dtype as string)) fail(`unsupported dtype "${dtype as string}" (supported: ${Object.keys(DTYPE_SIZE).join(', ')})`);
  const shape = e['shape'];
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) fail('"shape" must be an array of non-negative integers');
  const offsets = e['data_offsets'];
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)) {
    fail('"data_offsets" must be two non-negative integers');
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) fail(`data_offsets [${begin}, ${end}] end before begin`);
  if (end > dataSize) fail(`data_offsets [${begin}, ${end}] run past the end of the data section (${dataSize} bytes)`);
  const elements = shapeElements(shape as number[]);
  const expected = elements * DTYPE_SIZE[dtype as CheckpointDType];
  if (!Number.isSafeInteger(expected) || end - begin !== expected) {
    fail(`holds ${end - begin} bytes but ${dtype as string} x [${(shape as number[]).join(', ')}] needs ${expected}`);
  }
  return { name, dtype: dtype as CheckpointDType, shape: shape as number[], begin, end };
}

/** Parses and validates the header of a safetensors file. Tensor data is not read. */
export async function openSafetensors(reader: ByteReader): Promise<SafetensorsFile> {
  const file = reader.name;
  const size = await reader.size();
  if (size < 8) throw new CheckpointFormatError(file, `file is ${size} bytes, too short for a safetensors header`);
  const head = await reader.read(0, 8);
  const dv = new DataView(head.buffer, head.byteOffset, 8);
  const headerLen = dv.getBigUint64(0, true);
  if (headerLen > BigInt(MAX_SAFETENSORS_HEADER_BYTES)) {
    throw new CheckpointFormatError(file, `header length ${headerLen} exceeds the ${MAX_SAFETENSORS_HEADER_BYTES}-byte limit (not a safetensors file?)`);
  }
  const n = Number(headerLen);
  if (8 + n > size) throw new CheckpointFormatError(file, `header length ${n} runs past the end of the file (${size} bytes)`);
  if (n < 2) throw new CheckpointFormatError(file, `header length ${n} is too small for a JSON object`);
  const headerBytes = await reader.read(8, n);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    throw new CheckpointFormatError(file, `header is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CheckpointFormatError(file, 'header is not a JSON object');
  const dataOffset = 8 + n;
  const dataSize = size - dataOffset;
  const metadata: Record<string, string> = {};
  const entries: RawEntry[] = [];
  for (const [name, v] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CheckpointFormatError(file, '"__metadata__" is not an object');
      for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
        if (typeof s !== 'string') throw new CheckpointFormatError(file, `"__metadata__" value for "${k}" is not a string`);
        metadata[k] = s;
      }
      continue;
    }
    entries.push(parseEntry(file, name, v, dataSize));
  }
  // Overlapping byte ranges mean a corrupt or hostile header.
  const byOffset = [...entries].filter((e) => e.end > e.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1]!;
    const cur = byOffset[i]!;
    if (cur.begin < prev.end) {
      throw new CheckpointFormatError(file, `data_offsets [${cur.begin}, ${cur.end}] overlap tensor "${prev.name}" [${prev.begin}, ${prev.end}]`, cur.name);
    }
  }
  entries.sort((a, b) => compareCodePoints(a.name, b.name));
  const tensors: CheckpointTensor[] = entries.map((e) => ({
    name: e.name,
    dtype: e.dtype,
    shape: Object.freeze([...e.shape]),
    byteLength: e.end - e.begin,
    file,
    read: () => reader.read(dataOffset + e.begin, e.end - e.begin),
  }));
  return { name: file, metadata, tensors, dataOffset, reader };
}
