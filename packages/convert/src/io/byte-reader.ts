/**
 * Random access to the bytes of one checkpoint file. Kept this small so that a Node
 * file handle, a browser `Blob`/`File` or an in-memory buffer can all back a checkpoint.
 */
export interface ByteReader {
  /** File name or path, used in error messages. */
  readonly name: string;
  /** Total size in bytes. */
  size(): Promise<number>;
  /** Reads exactly `length` bytes at `offset`; rejects on a short read. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Reads exactly `into.length` bytes at `offset` into `into` (a caller's reusable buffer);
   * rejects on a short read. Optional: without it, callers copy from `read`.
   */
  readInto?(offset: number, into: Uint8Array): Promise<void>;
  /** Releases the underlying resource (file handle), when there is one. */
  close?(): Promise<void>;
}

function checkRange(name: string, size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new RangeError(`${name}: cannot read ${length} bytes at offset ${offset} (file has ${size} bytes)`);
  }
}

/** A reader over bytes already in memory (tests, small files). */
export function bytesReader(bytes: Uint8Array, name = '<bytes>'): ByteReader {
  return {
    name,
    size: async () => bytes.length,
    read: async (offset, length) => {
      checkRange(name, bytes.length, offset, length);
      return bytes.subarray(offset, offset + length);
    },
  };
}

/** A reader over a `Blob` or `File` (browsers, Node >= 20). */
export function blobReader(blob: Blob, name = (blob as { name?: string }).name ?? '<blob>'): ByteReader {
  return {
    name,
    size: async () => blob.size,
    read: async (offset, length) => {
      checkRange(name, blob.size, offset, length);
      const buf = await blob.slice(offset, offset + length).arrayBuffer();
      if (buf.byteLength !== length) throw new RangeError(`${name}: short read at offset ${offset}: got ${buf.byteLength} of ${length} bytes`);
      return new Uint8Array(buf);
    },
  };
}
