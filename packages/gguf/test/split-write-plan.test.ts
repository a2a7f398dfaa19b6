/**
 * planSplit follows gguf-split's shard boundaries (tools/gguf-split/gguf-split.cpp,
 * split_strategy): by tensor count, a new shard at every multiple of N; by size, a new
 * shard when the running sum of 32-padded tensor sizes would exceed the limit.
 */
import { parseSplitSize, planSplit } from '@ggufkit/gguf';

const sized = (...bytes: number[]) => bytes.map((byteLength) => ({ byteLength }));

describe('planSplit by tensor count', () => {
  it('starts a shard at every multiple of maxTensors', () => {
    expect(planSplit(sized(1, 1, 1, 1, 1), { maxTensors: 2 }).shards).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('defaults to 128 tensors per shard', () => {
    const plan = planSplit(sized(...new Array(130).fill(4)));
    expect(plan.shards.map((s) => s.length)).toEqual([128, 2]);
    expect(plan.shards[1]).toEqual([128, 129]);
  });

  it('keeps everything in one shard when the limit is not reached', () => {
    expect(planSplit(sized(1, 2, 3), { maxTensors: 3 }).shards).toEqual([[0, 1, 2]]);
  });

  it('puts only metadata in the first shard with noTensorFirstSplit', () => {
    expect(planSplit(sized(1, 1, 1), { maxTensors: 2, noTensorFirstSplit: true }).shards).toEqual([[], [0, 1], [2]]);
  });

  it('gives a model without tensors one empty shard', () => {
    expect(planSplit([], {}).shards).toEqual([[]]);
  });
});

describe('planSplit by size', () => {
  it('closes a shard before the tensor that would exceed the limit, counting 32-byte padding', () => {
    // padded sizes 64, 64, 32, 32, 224, 32 against a 100-byte limit
    expect(planSplit(sized(40, 50, 10, 1, 200, 5), { maxBytes: 100 }).shards).toEqual([[0], [1, 2], [3], [4], [5]]);
  });

  it('counts exactly the limit as fitting', () => {
    expect(planSplit(sized(32, 32, 32), { maxBytes: 64 }).shards).toEqual([[0, 1], [2]]);
  });

  it('refuses when the first tensor alone exceeds the limit (an empty shard), like gguf-split', () => {
    expect(() => planSplit(sized(200, 1), { maxBytes: 100 })).toThrow(/a shard would hold no tensors/);
    expect(() => planSplit(sized(200, 1), { maxBytes: 100, noTensorFirstSplit: true })).toThrow(/a shard would hold no tensors/);
  });

  it('allows the metadata-only first shard in size mode', () => {
    expect(planSplit(sized(10, 10), { maxBytes: 100, noTensorFirstSplit: true }).shards).toEqual([[], [0, 1]]);
  });
});

describe('planSplit options', () => {
  it('rejects both limits at once, and non-positive limits', () => {
    expect(() => planSplit(sized(1), { maxTensors: 1, maxBytes: 10 })).toThrow(RangeError);
    expect(() => planSplit(sized(1), { maxTensors: 0 })).toThrow(/maxTensors must be a positive integer/);
    expect(() => planSplit(sized(1), { maxBytes: -1 })).toThrow(/maxBytes must be a positive integer/);
  });
});

describe('split sizes', () => {
  it('parses M and G as decimal units', () => {
    expect(parseSplitSize('500M')).toBe(500_000_000);
    expect(parseSplitSize('4G')).toBe(4_000_000_000);
    for (const bad of ['1.5G', '0M', '10K', '', 'G']) expect(() => parseSplitSize(bad)).toThrow(RangeError);
  });
});
