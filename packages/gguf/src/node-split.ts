/**
 * Node file output for split models: writes gguf-split compatible shards
 * (`<prefix>-00001-of-00003.gguf`, ...) and merges shards into one file.
 */
import { unlink } from 'node:fs/promises';
import { writeGGUFFile, type FileSinkOptions } from './node-file-sink.js';
import { openSplitGGUFFile } from './node-reader.js';
import type { SplitOptions, SplitPlan } from './split-plan.js';
import { shardName } from './split-read.js';
import { mergeSplitGGUF, splitGGUF } from './split-write.js';
import type { GGUFTensorSource } from './tensor-copy.js';
import type { WriteOptions, WrittenGGUF } from './writer.js';

/** Options of {@link writeSplitGGUF}. */
export interface WriteSplitOptions extends SplitOptions, FileSinkOptions {
  /** Progress per shard: which shard is being written, then the writer's own progress. */
  onProgress?(p: { shardIndex: number; shardCount: number; path: string } & Parameters<NonNullable<WriteOptions['onProgress']>>[0]): void;
  signal?: AbortSignal;
}

/**
 * Splits `source` like `gguf-split --split` and writes the shards as
 * `<outPrefix>-0000i-of-0000n.gguf`. Each shard is written atomically; if any fails, the
 * shards already written are removed too. Returns the paths and the plan.
 */
export async function writeSplitGGUF(source: GGUFTensorSource, outPrefix: string, opts: WriteSplitOptions = {}): Promise<{ paths: string[]; plan: SplitPlan }> {
  const { plan, shards } = splitGGUF(source, opts);
  const paths: string[] = [];
  try {
    for (const shard of shards) {
      const path = shardName(outPrefix, shard.index, shard.count);
      const writeOpts: WriteOptions & FileSinkOptions = {};
      if (opts.sync !== undefined) (writeOpts as { sync?: boolean }).sync = opts.sync;
      if (opts.signal) writeOpts.signal = opts.signal;
      const onProgress = opts.onProgress;
      if (onProgress) writeOpts.onProgress = (p) => onProgress({ ...p, shardIndex: shard.index, shardCount: shard.count, path });
      await writeGGUFFile(path, shard.header, shard.tensors, writeOpts);
      paths.push(path);
    }
  } catch (e) {
    await Promise.all(paths.map((p) => unlink(p).catch(() => undefined)));
    throw e;
  }
  return { paths, plan };
}

/**
 * Merges opened shards (shard 0 first) into one file at `outPath`, like
 * `gguf-split --merge` (see `mergeSplitGGUF` for the checks).
 */
export async function writeMergedGGUF(shards: readonly GGUFTensorSource[], outPath: string, opts: WriteOptions & FileSinkOptions = {}): Promise<WrittenGGUF> {
  const { header, tensors } = mergeSplitGGUF(shards);
  return writeGGUFFile(outPath, header, tensors, opts);
}

/**
 * Merges a split model from disk into one file, like `gguf-split --merge`: `shards` is
 * the path of any shard (siblings found by name) or the list of all shard paths. The
 * shards are closed afterwards, whether or not the merge succeeded.
 */
export async function mergeGGUFFiles(shards: string | readonly string[], outPath: string, opts: WriteOptions & FileSinkOptions = {}): Promise<WrittenGGUF> {
  const model = await openSplitGGUFFile(shards);
  try {
    return await writeMergedGGUF(model.shards, outPath, opts);
  } finally {
    await model.close();
  }
}
