import { GGUFSourceError } from '../errors.js';
import type { ByteSource } from '../source.js';
import { checkReadArgs, shortReadError } from './read-checks.js';

/** A source over a `Blob` or browser `File`; each read slices the blob, so nothing else is loaded. */
export function blobSource(blob: Blob, name?: string): ByteSource {
  const label = name ?? ((blob as { name?: unknown }).name && typeof (blob as { name?: unknown }).name === 'string' ? (blob as File).name : '<blob>');
  async function slice(offset: number, end: number): Promise<Uint8Array> {
    try {
      return new Uint8Array(await blob.slice(offset, end).arrayBuffer());
    } catch (cause) {
      throw new GGUFSourceError(`reading ${end - offset} bytes failed: ${(cause as Error)?.message ?? cause}`, { file: label, offset, cause });
    }
  }
  return {
    name: label,
    size: async () => blob.size,
    async read(offset, length) {
      checkReadArgs(label, offset, length);
      if (offset + length > blob.size) throw shortReadError(label, offset, length, Math.max(0, blob.size - offset));
      const bytes = await slice(offset, offset + length);
      if (bytes.length !== length) throw shortReadError(label, offset, length, bytes.length);
      return bytes;
    },
    async readAtMost(offset, length) {
      checkReadArgs(label, offset, length);
      return slice(Math.min(offset, blob.size), Math.min(offset + length, blob.size));
    },
  };
}
