/**
 * @packageDocumentation
 * Node-only entry: converts a model folder on disk to a GGUF file (or gguf-split shards).
 */
import { unlink } from 'node:fs/promises';
import { fileReader, nodeModelDirectory } from './io/node-model-dir.js';
import type { ModelDirectory } from './io/model-dir.js';
import { planConversion as planCore, type ConversionPlan, type PlanOptions } from './pipeline/plan.js';
import { prepareConversion as prepareCore, type PrepareConversionOptions, type PreparedConversion } from './pipeline/prepare-output.js';
import { describeConversion, type ConversionDescription } from './pipeline/describe.js';
import { outputPaths } from './pipeline/output-paths.js';
import { writeFileBehind } from './pipeline/write-file-behind.js';

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
  /**
   * Bytes handed to the output files so far, over all of them (reported as the files
   * receive them; the last report comes before the final flush to disk and rename).
   */
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
  const paths = outputPaths(outFile, files.length);
  // An unsplit file's chunks go back to the plan's buffers, so blocks are read into memory
  // already in use; shards copy their ranges out of the stream, which recycles by itself.
  const recycle = files.length === 1 ? (chunk: Uint8Array) => prepared.plan.recycle(chunk) : undefined;
  const written: string[] = [];
  let bytesBefore = 0;
  let tensorsBefore = 0;
  try {
    for (const [i, f] of files.entries()) {
      const bytes = bytesBefore, tensors = tensorsBefore;
      await writeFileBehind(paths[i]!, f.header, f.tensors, {
        recycle,
        layout: f.layout,
        onProgress: onProgress && ((p) => onProgress({
          tensorIndex: tensors + p.tensorIndex, tensorCount, tensorName: p.tensorName,
          bytesWritten: bytes + p.bytesWritten, totalBytes, fileIndex: i, fileCount: files.length,
        })),
      });
      written.push(paths[i]!);
      bytesBefore += f.layout.fileSize;
      tensorsBefore += f.tensors.length;
    }
  } catch (e) {
    // no partial model: shards written before the failure go too
    await Promise.all(written.map((p) => unlink(p).catch(() => undefined)));
    throw e;
  }
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
