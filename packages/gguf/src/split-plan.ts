/**
 * Which tensors go in which shard, decided the way llama.cpp's `gguf-split` decides it,
 * plus gguf-split's size argument. Pure functions, no I/O (shard file names are
 * `shardName` / `parseShardName`).
 */
import { GGUF_DEFAULT_ALIGNMENT, alignUp } from '@ggufkit/tensor-layout';

/** How to split. Give at most one of `maxTensors` and `maxBytes`. */
export interface SplitOptions {
  /** At most this many tensors per shard (`--split-max-tensors`; the default mode, 128). */
  readonly maxTensors?: number;
  /**
   * Shard size limit in bytes (`--split-max-size`): a shard closes before the tensor that
   * would bring its tensor data (each tensor padded to 32 bytes, metadata not counted)
   * over the limit. A single larger tensor gets a shard of its own.
   */
  readonly maxBytes?: number;
  /** Put only metadata in the first shard (`--no-tensor-first-split`). */
  readonly noTensorFirstSplit?: boolean;
}

/** gguf-split's default `--split-max-tensors`. */
export const DEFAULT_SPLIT_MAX_TENSORS = 128;

/** A split plan: for each shard, the indices of its tensors in the source order. */
export interface SplitPlan {
  readonly shards: readonly (readonly number[])[];
}

/**
 * Assigns tensors to shards exactly as gguf-split does. Sizes are each tensor's bytes
 * padded to 32 (gguf-split pads with the default alignment whatever the file's is).
 * Throws a `RangeError` for bad options, or when the first shard that must hold
 * tensors would get none (the first tensor alone exceeds `maxBytes`), as gguf-split
 * refuses that too.
 */
export function planSplit(tensors: readonly { readonly byteLength: number }[], opts: SplitOptions = {}): SplitPlan {
  if (opts.maxTensors !== undefined && opts.maxBytes !== undefined) {
    throw new RangeError('split by either maxTensors or maxBytes, not both');
  }
  const bySize = opts.maxBytes !== undefined;
  const maxTensors = opts.maxTensors ?? DEFAULT_SPLIT_MAX_TENSORS;
  if (bySize) {
    if (!Number.isSafeInteger(opts.maxBytes) || opts.maxBytes! <= 0) throw new RangeError(`maxBytes must be a positive integer, got ${opts.maxBytes}`);
  } else if (!Number.isSafeInteger(maxTensors) || maxTensors <= 0) {
    throw new RangeError(`maxTensors must be a positive integer, got ${maxTensors}`);
  }

  const shards: number[][] = [[]];
  if (opts.noTensorFirstSplit) shards.push([]);
  const startShard = () => {
    if (shards[shards.length - 1]!.length === 0) {
      throw new RangeError('a shard would hold no tensors: the size or tensor limit is too small');
    }
    shards.push([]);
  };

  let current = 0;
  tensors.forEach((t, i) => {
    const padded = alignUp(t.byteLength, GGUF_DEFAULT_ALIGNMENT);
    const next = current + padded;
    const split = bySize ? next > opts.maxBytes! : i > 0 && i % maxTensors === 0;
    if (split) {
      startShard();
      current = padded;
    } else {
      current = next;
    }
    shards[shards.length - 1]!.push(i);
  });
  return { shards };
}

/**
 * Parses a gguf-split size: a positive whole number followed by `M` (10^6 bytes) or `G`
 * (10^9 bytes), e.g. `"500M"`, `"4G"`.
 */
export function parseSplitSize(text: string): number {
  const m = /^\s*(\d+)\s*([MG])\s*$/.exec(text);
  if (!m) throw new RangeError(`split size "${text}" must be a whole number followed by M (megabytes) or G (gigabytes)`);
  const n = Number(m[1]);
  if (n <= 0) throw new RangeError(`split size "${text}" must be positive`);
  return n * (m[2] === 'M' ? 1e6 : 1e9);
}
