/**
 * Node-only reader helpers: open local GGUF files and local split models by path.
 */
import type { FileHandle } from 'node:fs/promises';
import type { GGUFFile } from './gguf-file.js';
import { openGGUF, type OpenOptions } from './reader.js';
import { fileSource } from './sources/node-file-source.js';
import { openSplitGGUF, type GGUFModel, type SplitOpenOptions } from './split-read.js';

export { fileSource } from './sources/node-file-source.js';

/** Opens a local GGUF file by path (or an open `FileHandle`) and parses its header. Close it when done. */
export async function openGGUFFile(pathOrHandle: string | FileHandle, opts: OpenOptions = {}): Promise<GGUFFile> {
  const source = await fileSource(pathOrHandle);
  try {
    return await openGGUF(source, opts);
  } catch (e) {
    await source.close?.().catch(() => undefined);
    throw e;
  }
}

/**
 * Opens a local split model: the path of any shard (siblings are found by the
 * `-00001-of-0000N.gguf` pattern) or the list of all shard paths. A plain file opens
 * as a one-shard model.
 */
export async function openSplitGGUFFile(pathOrPaths: string | readonly string[], opts: OpenOptions = {}): Promise<GGUFModel> {
  const splitOpts: SplitOpenOptions = { ...opts, openShard: (name) => fileSource(name) };
  if (typeof pathOrPaths === 'string') {
    const first = await fileSource(pathOrPaths);
    try {
      return await openSplitGGUF(first, splitOpts);
    } catch (e) {
      await first.close?.().catch(() => undefined);
      throw e;
    }
  }
  const sources = [];
  try {
    for (const p of pathOrPaths) sources.push(await fileSource(p));
    return await openSplitGGUF(sources, splitOpts);
  } catch (e) {
    await Promise.allSettled(sources.map((s) => s.close?.()));
    throw e;
  }
}
