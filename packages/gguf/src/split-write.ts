/**
 * Splitting a GGUF file into shards and merging shards back, producing the headers
 * llama.cpp's `gguf-split` produces:
 * - Every shard is GGUF v3. Shard 0 carries all of the source's metadata; every shard ends
 *   with `split.no` (u16, 0-based), `split.tensors.count` (i32, tensors of the whole
 *   model) and `split.count` (u16): gguf-split sets `split.count` last, after a
 *   placeholder, and setting a key moves it to the end.
 * - A merge takes shard 0's metadata with `split.count` set to 0 (moved to the end), then
 *   every shard's tensors in order.
 * - Keys are copied the way ggml's `gguf_set_kv` copies them: a string value (or string
 *   array item) ends at its first NUL byte. Tensor dimensions lose trailing 1s
 *   (`ggml_n_dims`). Data offsets are reassigned in order.
 *
 * Where gguf-split would write an inconsistent file (a `general.alignment` other than 32),
 * the layout here follows the copied `general.alignment` key so the result stays valid.
 */
import { GGUFValueType } from '@ggufkit/tensor-layout';
import { GGUFFormatError } from './errors.js';
import type { GGUFArray, GGUFMetadataEntry, GGUFString, GGUFStringList, GGUFTensorInfo } from './model.js';
import type { HeaderToWrite } from './serialize-header.js';
import { planSplit, type SplitOptions, type SplitPlan } from './split-plan.js';
import { SPLIT_KEYS } from './split-read.js';
import { copyTensor, type GGUFTensorSource } from './tensor-copy.js';
import type { TensorToWrite } from './writer.js';

const SPLIT_NO_KEY = SPLIT_KEYS.no;
const SPLIT_COUNT_KEY = SPLIT_KEYS.count;
const SPLIT_TENSORS_COUNT_KEY = SPLIT_KEYS.tensorsCount;

/** One shard to write. */
export interface ShardToWrite {
  /** 0-based shard number. */
  readonly index: number;
  readonly count: number;
  readonly header: HeaderToWrite;
  readonly tensors: TensorToWrite[];
}

/** Replaces `key` or appends it: ggml's set removes the old entry and appends the new one. */
function setKv(list: GGUFMetadataEntry[], entry: GGUFMetadataEntry): void {
  const at = list.findIndex((e) => e.key === entry.key);
  if (at >= 0) list.splice(at, 1);
  list.push(entry);
}

function cutAtNul(s: GGUFString): GGUFString {
  if (typeof s === 'string') {
    const at = s.indexOf('\0');
    return at < 0 ? s : s.slice(0, at);
  }
  const at = s.indexOf(0);
  return at < 0 ? s : s.subarray(0, at);
}

function isStringList(v: unknown): v is GGUFStringList {
  return typeof (v as GGUFStringList).bytes === 'function';
}

/** A string array with each item cut at its first NUL; the same object when nothing changes. */
function cutStringArray(a: GGUFArray & { itemType: 8 }): GGUFArray {
  const values = a.values;
  if (isStringList(values)) {
    let changed = false;
    for (let i = 0; i < values.length && !changed; i++) changed = values.bytes(i).includes(0);
    if (!changed) return a;
    const items: GGUFString[] = [];
    for (let i = 0; i < values.length; i++) items.push(cutAtNul(values.bytes(i)));
    return { itemType: 8, values: items };
  }
  const items = values.map(cutAtNul);
  return items.every((s, i) => s === values[i]) ? a : { itemType: 8, values: items };
}

/** A metadata entry as `gguf_set_kv` copies it (strings end at the first NUL). */
function copyEntry(e: GGUFMetadataEntry): GGUFMetadataEntry {
  if (e.type === GGUFValueType.STRING) {
    const v = cutAtNul(e.value as GGUFString);
    return v === e.value ? e : { key: e.key, type: e.type, value: v };
  }
  if (e.type === GGUFValueType.ARRAY && (e.value as GGUFArray).itemType === GGUFValueType.STRING) {
    const v = cutStringArray(e.value as GGUFArray & { itemType: 8 });
    return v === e.value ? e : { key: e.key, type: e.type, value: v };
  }
  return e;
}

/** `gguf_set_kv(empty, src)`: every entry copied in order. */
function copyAllKv(metadata: readonly GGUFMetadataEntry[]): GGUFMetadataEntry[] {
  const out: GGUFMetadataEntry[] = [];
  for (const e of metadata) setKv(out, copyEntry(e));
  return out;
}

/** Dimensions as ggml writes them: trailing 1s dropped (`ggml_n_dims`), at least one. */
export function ggmlDims(ne: readonly number[]): number[] {
  let n = ne.length;
  while (n > 1 && ne[n - 1] === 1) n--;
  return n === 0 ? [1] : ne.slice(0, n);
}

function shardHeader(source: GGUFTensorSource, index: number, count: number, totalTensors: number): HeaderToWrite {
  const metadata = index === 0 ? copyAllKv(source.metadata) : [];
  setKv(metadata, { key: SPLIT_NO_KEY, type: GGUFValueType.UINT16, value: index });
  setKv(metadata, { key: SPLIT_COUNT_KEY, type: GGUFValueType.UINT16, value: 0 });
  setKv(metadata, { key: SPLIT_TENSORS_COUNT_KEY, type: GGUFValueType.INT32, value: totalTensors });
  setKv(metadata, { key: SPLIT_COUNT_KEY, type: GGUFValueType.UINT16, value: count });
  return { version: 3, bigEndian: source.bigEndian, metadata };
}

/**
 * Splits `source` into shards as gguf-split would (see {@link planSplit} for the options).
 * Returns the plan and, per shard, the header and lazily copied tensors to write.
 */
export function splitGGUF(source: GGUFTensorSource, opts: SplitOptions = {}): { plan: SplitPlan; shards: ShardToWrite[] } {
  const plan = planSplit(source.tensors, opts);
  const count = plan.shards.length;
  if (count > 0xffff) throw new RangeError(`${count} shards do not fit split.count (UINT16)`);
  if (source.tensors.length > 0x7fffffff) throw new RangeError('too many tensors for split.tensors.count (INT32)');
  const shards = plan.shards.map((indices, index) => ({
    index,
    count,
    header: shardHeader(source, index, count, source.tensors.length),
    tensors: indices.map((i) => {
      const t = source.tensors[i]!;
      return copyTensor(source, t, { ne: ggmlDims(t.ne) });
    }),
  }));
  return { plan, shards };
}

function findEntry(file: GGUFTensorSource, key: string): GGUFMetadataEntry | undefined {
  return file.metadata.find((e) => e.key === key);
}

/**
 * Merges shards (in order, shard 0 first) into one file's writer input, as gguf-split
 * `--merge` does. Checks that shard 0 declares `split.count` (UINT16) equal to the number
 * of shards given, that each shard's `split.no` matches its position, and that the tensor
 * total matches `split.tensors.count` where present; throws `GGUFFormatError` otherwise.
 */
export function mergeSplitGGUF(shards: readonly GGUFTensorSource[]): { header: HeaderToWrite; tensors: TensorToWrite[] } {
  const first = shards[0];
  if (!first) throw new RangeError('mergeSplitGGUF: no shards given');
  const where = (f: GGUFTensorSource) => (f.source?.name !== undefined ? { file: f.source.name } : {});
  const countEntry = findEntry(first, SPLIT_COUNT_KEY);
  if (!countEntry) throw new GGUFFormatError(`first shard has no "${SPLIT_COUNT_KEY}" key`, where(first));
  if (countEntry.type !== GGUFValueType.UINT16) throw new GGUFFormatError(`"${SPLIT_COUNT_KEY}" must be UINT16`, where(first));
  const count = countEntry.value as number;
  if (count < 1) throw new GGUFFormatError(`"${SPLIT_COUNT_KEY}" is ${count}: not a split file`, where(first));
  if (count !== shards.length) throw new GGUFFormatError(`"${SPLIT_COUNT_KEY}" is ${count} but ${shards.length} shards were given`, where(first));

  const tensors: TensorToWrite[] = [];
  shards.forEach((shard, i) => {
    const no = findEntry(shard, SPLIT_NO_KEY);
    if (no && no.value !== i) throw new GGUFFormatError(`"${SPLIT_NO_KEY}" is ${String(no.value)}, expected ${i} (shards out of order?)`, where(shard));
    for (const t of shard.tensors) tensors.push(copyTensor(shard, t as GGUFTensorInfo, { ne: ggmlDims(t.ne) }));
  });
  const declared = findEntry(first, SPLIT_TENSORS_COUNT_KEY);
  if (declared && typeof declared.value === 'number' && declared.value !== tensors.length) {
    throw new GGUFFormatError(`"${SPLIT_TENSORS_COUNT_KEY}" is ${declared.value} but the shards hold ${tensors.length} tensors`, where(first));
  }

  const firstKv = [...first.metadata];
  setKv(firstKv, { key: SPLIT_COUNT_KEY, type: GGUFValueType.UINT16, value: 0 });
  return { header: { version: 3, bigEndian: first.bigEndian, metadata: copyAllKv(firstKv) }, tensors };
}
