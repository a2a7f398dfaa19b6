/**
 * Node file output for the writer. Bytes go to a temporary file beside the target
 * (`<path>.tmp-<random>`, same folder so the final rename cannot cross file systems);
 * `close` renames it into place, `abort` deletes it. A failed or interrupted write never
 * leaves a partial file under the target name.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import type { ByteSink } from './sink.js';
import { writeGGUF, type TensorToWrite, type WriteOptions, type WrittenGGUF } from './writer.js';
import type { HeaderToWrite } from './serialize-header.js';

/** Options of {@link fileSink}. */
export interface FileSinkOptions {
  /** Flush the data to disk before the rename (default true), so a crash cannot leave an empty file under the final name. */
  readonly sync?: boolean;
}

/** A sink writing to a file atomically; `tempPath` is where the bytes go until `close`. */
export interface FileSink extends ByteSink {
  readonly path: string;
  readonly tempPath: string;
}

/** Opens an atomic file sink for `path` (see the module description). */
export async function fileSink(path: string, opts: FileSinkOptions = {}): Promise<FileSink> {
  const tempPath = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  const handle = await open(tempPath, 'wx');
  let state: 'open' | 'closed' | 'aborted' = 'open';
  const ensureOpen = () => {
    if (state !== 'open') throw new Error(`fileSink(${path}): already ${state}`);
  };
  return {
    path,
    tempPath,
    async write(chunk) {
      ensureOpen();
      let done = 0;
      while (done < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, done, chunk.length - done);
        done += bytesWritten;
      }
    },
    async close() {
      ensureOpen();
      state = 'closed';
      try {
        if (opts.sync !== false) await handle.datasync();
        await handle.close();
        await rename(tempPath, path);
      } catch (e) {
        await handle.close().catch(() => undefined);
        await unlink(tempPath).catch(() => undefined);
        throw e;
      }
    },
    async abort() {
      if (state !== 'open') {
        // A failed close already removed the temporary file.
        return;
      }
      state = 'aborted';
      await handle.close().catch(() => undefined);
      await unlink(tempPath).catch(() => undefined);
    },
  };
}

/**
 * Writes a GGUF file at `path` with {@link writeGGUF}, through a temporary file in the
 * same folder that is renamed into place at the end and removed on any failure.
 */
export async function writeGGUFFile(
  path: string,
  header: HeaderToWrite,
  tensors: Iterable<TensorToWrite> | AsyncIterable<TensorToWrite>,
  opts: WriteOptions & FileSinkOptions = {},
): Promise<WrittenGGUF> {
  const sink = await fileSink(path, opts);
  return writeGGUF(sink, header, tensors, opts);
}
