/** Node file-system backing for `ModelDirectory` and `ByteReader` (Node-only module). */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { ByteReader } from './byte-reader.js';
import type { ModelDirectory } from './model-dir.js';

/** Opens a file for positional reads. The handle stays open until `close()`. */
export async function fileReader(path: string): Promise<ByteReader> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  const readInto = async (offset: number, into: Uint8Array): Promise<void> => {
    const length = into.length;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > size) {
      throw new RangeError(`${path}: cannot read ${length} bytes at offset ${offset} (file has ${size} bytes)`);
    }
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(into, done, length - done, offset + done);
      if (bytesRead === 0) throw new RangeError(`${path}: short read at offset ${offset + done}`);
      done += bytesRead;
    }
  };
  return {
    name: path,
    size: async () => size,
    async read(offset, length) {
      if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`${path}: cannot read ${length} bytes at offset ${offset} (file has ${size} bytes)`);
      const out = new Uint8Array(length);
      await readInto(offset, out);
      return out;
    },
    readInto,
    close: () => handle.close(),
  };
}

/** A model folder on disk. Readers opened through it are closed by the caller. */
export function nodeModelDirectory(path: string): ModelDirectory {
  const root = resolve(path);
  const full = (file: string) => join(root, file);
  const exists = async (file: string) => {
    try {
      return (await stat(full(file))).isFile();
    } catch {
      return false;
    }
  };
  return {
    name: basename(root),
    list: () => readdir(root),
    has: exists,
    open: (file) => fileReader(full(file)),
    readText: async (file) => ((await exists(file)) ? readFile(full(file), 'utf8') : undefined),
    readBytes: async (file) => ((await exists(file)) ? new Uint8Array(await readFile(full(file))) : undefined),
  };
}
