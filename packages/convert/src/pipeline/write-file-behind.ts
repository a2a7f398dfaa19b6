/**
 * Writing one output file of a conversion (Node): through a temporary file renamed at the
 * end, with the write-behind queue so that reading and converting overlap the disk, and
 * the data pushed to disk in the background as it goes.
 */
import { open } from 'node:fs/promises';
import { writeGGUF, type HeaderLayout, type HeaderToWrite, type TensorToWrite } from '@ggufkit/gguf';
import { fileSink } from '@ggufkit/gguf/node';
import { writeBehindSink } from './write-behind-sink.js';

/** Progress of one file: bytes handed to the file so far, and the tensor being converted. */
export interface FileWriteProgress {
  tensorIndex: number;
  tensorName: string | undefined;
  bytesWritten: number;
}

/** Options of {@link writeFileBehind}. */
export interface WriteFileBehindOptions {
  /** Gets every chunk once the file has it (to reuse its buffer). */
  recycle?: ((chunk: Uint8Array) => void) | undefined;
  /**
   * Called as chunks reach the file (not when they are queued), so the bytes it reports are
   * on their way to disk.
   */
  onProgress?: ((p: FileWriteProgress) => void) | undefined;
  /** `layoutGGUF(header, tensors)`, when already computed. */
  layout?: HeaderLayout | undefined;
}

/** Writes a GGUF file at `path`. */
export async function writeFileBehind(
  path: string, header: HeaderToWrite, tensors: readonly TensorToWrite[], opts: WriteFileBehindOptions = {},
): Promise<void> {
  const { recycle, onProgress, layout } = opts;
  const file = await fileSink(path);
  // A second handle on the temporary file, to push its data to disk while later tensors
  // are still being converted (the file sink itself syncs only before the rename).
  const syncHandle = await open(file.tempPath, 'r+').catch(async (e: unknown) => {
    await file.abort?.();
    throw e;
  });
  let syncClosed: Promise<void> | undefined;
  const closeSyncHandle = () => (syncClosed ??= syncHandle.close());
  // closed before the file sink renames or deletes the temporary file
  const inner = {
    write: (chunk: Uint8Array) => file.write(chunk),
    close: async () => { await closeSyncHandle().catch(() => undefined); await file.close(); },
    abort: async (reason?: unknown) => { await closeSyncHandle().catch(() => undefined); await file.abort?.(reason); },
  };
  let tensorIndex = 0;
  let tensorName: string | undefined;
  let bytesWritten = 0;
  try {
    const sink = writeBehindSink(inner, {
      onWritten: (chunk) => {
        bytesWritten += chunk.length;
        recycle?.(chunk);
        onProgress?.({ tensorIndex, tensorName, bytesWritten });
      },
      flush: () => syncHandle.datasync(),
    });
    const track = onProgress ? { onProgress: (p: { tensorIndex: number; tensorName: string | undefined }) => { tensorIndex = p.tensorIndex; tensorName = p.tensorName; } } : {};
    await writeGGUF(sink, header, tensors, { ...track, ...(layout ? { layout } : {}) });
  } finally {
    await closeSyncHandle().catch(() => undefined);
  }
}
