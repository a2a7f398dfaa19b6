/**
 * @packageDocumentation
 * Node-only entry: converts a model folder on disk to a GGUF file (or gguf-split shards).
 */
import { open } from 'node:fs/promises';
import { writeGGUF } from '@ggufkit/gguf';
import { fileSink, writeSplitGGUF } from '@ggufkit/gguf/node';
import { fileReader, nodeModelDirectory } from './io/node-model-dir.js';
import type { ModelDirectory } from './io/model-dir.js';
import { planConversion as planCore, type ConversionPlan, type PlanOptions } from './pipeline/plan.js';
import { prepareConversion as prepareCore, type PrepareConversionOptions, type PreparedConversion } from './pipeline/prepare-output.js';
import { describeConversion, type ConversionDescription } from './pipeline/describe.js';
import { shardPrefix } from './pipeline/output-paths.js';
import { writeBehindSink } from './pipeline/write-behind-sink.js';

export * from './index.js';
export * from './pipeline/prepare-output.js';
export * from './pipeline/describe.js';
export * from './pipeline/output-paths.js';
export * from './pipeline/quantize-blocks.js';
export { writerInputAsSource, tensorDataChunks } from './pipeline/stream-source.js';
export { DEFAULT_ROW_BLOCK_BYTES } from './pipeline/row-blocks.js';
export { fileReader, nodeModelDirectory };

const asDirectory = (dir: string | ModelDirectory) => (typeof dir === 'string' ? nodeModelDirectory(dir) : dir);

/** Plans a conversion of a folder on disk (or any `ModelDirectory`) without writing. */
export function planConversion(dir: string | ModelDirectory, opts: PlanOptions = {}): Promise<ConversionPlan> {
  return planCore(asDirectory(dir), opts);
}

/** Plans a conversion through to its output files (see the core `prepareConversion`). */
export function prepareConversion(dir: string | ModelDirectory, opts: PrepareConversionOptions = {}): Promise<PreparedConversion> {
  return prepareCore(asDirectory(dir), opts);
}

/** Progress of a conversion, reported after the header and after each piece of tensor data is written. */
export interface ConvertProgress {
  /** Index of the tensor being written, counted over all output files. */
  tensorIndex: number;
  tensorCount: number;
  /** Name of the tensor being written (undefined while a header is written). */
  tensorName: string | undefined;
  /** Bytes written so far, over all output files. */
  bytesWritten: number;
  /** Size of all output files together. */
  totalBytes: number;
  /** Output file being written (0-based) and how many there are (1 unless splitting). */
  fileIndex: number;
  fileCount: number;
}

/** Options of {@link convertModel}. */
export interface ConvertModelOptions extends PrepareConversionOptions {
  /**
   * Output file path. Required unless `dryRun`. When splitting gives more than one shard,
   * the shards are written beside it as `<path without extension>-00001-of-0000N.gguf`.
   */
  outFile?: string;
  /** Plan and report, but write nothing. */
  dryRun?: boolean;
  onProgress?: (p: ConvertProgress) => void;
}

/** What a conversion produced. */
export interface ConversionSummary {
  /** Files written (empty for a dry run). */
  files: string[];
  architecture: string;
  outtype: string;
  fileType: number;
  tensorCount: number;
  parameterCount: number;
  /** Bytes of tensor data (without header and padding). */
  tensorDataBytes: number;
  metadataCount: number;
  dryRun: boolean;
}

/**
 * Describes what {@link convertModel} would write with these options (tensors with their
 * types, shapes and sizes; output files with their sizes), reading no tensor data.
 */
export async function describeModelConversion(dir: string | ModelDirectory, opts: ConvertModelOptions = {}): Promise<ConversionDescription> {
  const prepared = await prepareConversion(dir, opts);
  try {
    return describeConversion(prepared, opts.outFile);
  } finally {
    await prepared.close();
  }
}

/** Writes a prepared conversion to `outFile` (or its shards); returns the paths written. */
async function writePrepared(prepared: PreparedConversion, outFile: string, onProgress: ConvertModelOptions['onProgress']): Promise<string[]> {
  const files = prepared.files;
  const tensorCount = prepared.tensors.length;
  const totalBytes = files.reduce((s, f) => s + f.layout.fileSize, 0);
  const bytesBefore: number[] = [];
  const tensorsBefore: number[] = [];
  let bytes = 0;
  let tensors = 0;
  for (const f of files) {
    bytesBefore.push(bytes);
    tensorsBefore.push(tensors);
    bytes += f.layout.fileSize;
    tensors += f.tensorNames.length;
  }
  const report = (file: number, p: { tensorIndex: number; tensorName: string | undefined; bytesWritten: number }) => onProgress?.({
    tensorIndex: tensorsBefore[file]! + p.tensorIndex, tensorCount, tensorName: p.tensorName,
    bytesWritten: bytesBefore[file]! + p.bytesWritten, totalBytes, fileIndex: file, fileCount: files.length,
  });
  if (prepared.split === undefined) {
    const file = await fileSink(outFile);
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
    try {
      const sink = writeBehindSink(inner, {
        // Written chunks go back to the plan's buffers, so blocks are read into memory already in use.
        onWritten: (chunk) => prepared.plan.recycle(chunk),
        flush: () => syncHandle.datasync(),
      });
      await writeGGUF(sink, prepared.header, prepared.tensors, onProgress ? { onProgress: (p) => report(0, p) } : {});
    } finally {
      await closeSyncHandle().catch(() => undefined);
    }
    return [outFile];
  }
  const { paths } = await writeSplitGGUF(prepared.asSource(), shardPrefix(outFile), {
    ...prepared.split,
    ...(onProgress ? { onProgress: (p: { shardIndex: number; tensorIndex: number; tensorName: string | undefined; bytesWritten: number }) => report(p.shardIndex, p) } : {}),
  });
  return paths;
}

/**
 * Converts the Hugging Face model folder `dir` to GGUF. Tensors are read, converted and
 * written one at a time, and large ones a block of rows at a time, so memory stays
 * around a few blocks plus the largest tensor that must be handled whole. Reading the
 * next blocks, converting one and writing earlier ones to disk overlap (the write queue
 * holds at most 64 MiB).
 */
export async function convertModel(dir: string | ModelDirectory, opts: ConvertModelOptions = {}): Promise<ConversionSummary> {
  const prepared = await prepareConversion(dir, opts);
  try {
    const summary: ConversionSummary = {
      files: [],
      architecture: prepared.plan.architecture,
      outtype: prepared.outtype,
      fileType: prepared.fileType,
      tensorCount: prepared.tensors.length,
      parameterCount: prepared.plan.parameterCount,
      tensorDataBytes: prepared.files.reduce((s, f) => s + f.layout.tensors.reduce((a, t) => a + t.byteLength, 0), 0),
      metadataCount: prepared.header.metadata.length,
      dryRun: opts.dryRun === true,
    };
    if (opts.dryRun) return summary;
    if (opts.outFile === undefined) throw new RangeError('convertModel: outFile is required unless dryRun is set');
    summary.files.push(...(await writePrepared(prepared, opts.outFile, opts.onProgress)));
    return summary;
  } finally {
    await prepared.close();
  }
}
