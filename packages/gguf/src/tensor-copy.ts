/**
 * Tensors of an existing GGUF file as writer input: the data is read from the file only
 * when the writer reaches each tensor, and large tensors in pieces, so rewriting a file
 * holds at most one tensor (or one piece) at a time.
 */
import type { GGUFHeader, GGUFTensorInfo } from './model.js';
import type { TensorToWrite } from './writer.js';

/**
 * What the writer-side tools need from an opened file: its header and a way to read a
 * tensor's bytes. `GGUFFile` from the reader satisfies it.
 */
export interface GGUFTensorSource extends GGUFHeader {
  /** Where the file came from, for messages (a `GGUFFile`'s `source.name`). */
  readonly source?: { readonly name: string };
  /** All bytes of one tensor's data. */
  readTensorData(tensor: GGUFTensorInfo): Promise<Uint8Array>;
  /** Bytes `[start, end)` of one tensor's data; when present, large tensors are copied in pieces. */
  readTensorRange?(tensor: GGUFTensorInfo, start: number, end: number): Promise<Uint8Array>;
}

/** Tensors larger than this are copied in pieces of this size (when the source reads ranges). */
export const TENSOR_COPY_CHUNK_BYTES = 32 << 20;

async function* tensorChunks(file: GGUFTensorSource, info: GGUFTensorInfo, chunk: number): AsyncGenerator<Uint8Array> {
  for (let start = 0; start < info.byteLength; start += chunk) {
    yield file.readTensorRange!(info, start, Math.min(start + chunk, info.byteLength));
  }
}

/** How {@link copyTensor} reads. */
export interface CopyOptions {
  /** Piece size for tensors larger than it (default {@link TENSOR_COPY_CHUNK_BYTES}). */
  readonly chunkBytes?: number;
}

/** One tensor of `file` as writer input, optionally under a new name or with other (equivalent) dimensions. */
export function copyTensor(
  file: GGUFTensorSource,
  info: GGUFTensorInfo,
  overrides: { name?: string; ne?: readonly number[] } = {},
  opts: CopyOptions = {},
): TensorToWrite {
  const chunk = opts.chunkBytes ?? TENSOR_COPY_CHUNK_BYTES;
  if (!Number.isSafeInteger(chunk) || chunk <= 0) throw new RangeError(`chunkBytes must be a positive integer, got ${chunk}`);
  return {
    name: overrides.name ?? info.name,
    ne: overrides.ne ?? info.ne,
    type: info.type,
    data: () => (file.readTensorRange && info.byteLength > chunk ? tensorChunks(file, info, chunk) : file.readTensorData(info)),
  };
}

/** Every tensor of `file`, in file order, as writer input. */
export function copyTensors(file: GGUFTensorSource, opts: CopyOptions = {}): TensorToWrite[] {
  return file.tensors.map((t) => copyTensor(file, t, {}, opts));
}
