/** Node-only: a byte source over a local file (imported by the `node` entry only). */
import { Buffer } from 'node:buffer';
import { open, type FileHandle } from 'node:fs/promises';
import { GGUFSourceError } from '../errors.js';
import type { ByteSource } from '../source.js';
import { checkReadArgs, shortReadError } from './read-checks.js';

/**
 * Opens a local file (or wraps an open `FileHandle`) as a `ByteSource`. `close()` closes
 * the file when this function opened it; a handle passed in stays the caller's to close.
 */
export async function fileSource(pathOrHandle: string | FileHandle): Promise<ByteSource> {
  const owned = typeof pathOrHandle === 'string';
  const name = owned ? pathOrHandle : `<file handle ${pathOrHandle.fd}>`;
  let handle: FileHandle;
  try {
    handle = owned ? await open(pathOrHandle, 'r') : pathOrHandle;
  } catch (cause) {
    throw new GGUFSourceError(`cannot open: ${(cause as Error)?.message ?? String(cause)}`, { file: name, cause });
  }
  let size: number;
  try {
    size = (await handle.stat()).size;
  } catch (cause) {
    if (owned) await handle.close().catch(() => undefined);
    throw new GGUFSourceError(`cannot stat: ${(cause as Error)?.message ?? String(cause)}`, { file: name, cause });
  }
  let closed = false;

  async function readFully(offset: number, length: number): Promise<Uint8Array> {
    if (closed) throw new GGUFSourceError('read after close', { file: name, offset });
    // Every byte is overwritten by the read (or cut off below), so skip zero-filling.
    const raw = Buffer.allocUnsafeSlow(length);
    const out = new Uint8Array(raw.buffer, raw.byteOffset, length);
    let got = 0;
    try {
      while (got < length) {
        const { bytesRead } = await handle.read(out, got, length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
    } catch (cause) {
      throw new GGUFSourceError(`read of ${length} bytes failed: ${(cause as Error)?.message ?? String(cause)}`, { file: name, offset, cause });
    }
    return got === length ? out : out.subarray(0, got);
  }

  return {
    name,
    size: async () => size,
    async read(offset, length) {
      checkReadArgs(name, offset, length);
      const bytes = await readFully(offset, length);
      if (bytes.length !== length) throw shortReadError(name, offset, length, bytes.length, `the file has ${size} bytes`);
      return bytes;
    },
    async readAtMost(offset, length) {
      checkReadArgs(name, offset, length);
      return readFully(offset, Math.max(0, Math.min(length, size - offset)));
    },
    async close() {
      if (closed) return;
      closed = true;
      if (owned) await handle.close();
    },
  };
}
