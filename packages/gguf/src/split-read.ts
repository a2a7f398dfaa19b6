/**
 * Split models as written by llama.cpp's gguf-split: `name-00001-of-00003.gguf`, ... Each
 * shard is a complete GGUF file holding some of the tensors; the first one carries the
 * model's metadata, and every shard has `split.no` (u16), `split.count` (u16) and
 * `split.tensors.count` (i32). `GGUFModel` presents them as one model.
 */
import { GGUFFormatError, GGUFSourceError, GGUFTensorError } from './errors.js';
import type { GGUFFile } from './gguf-file.js';
import type { GGUFTensorInfo } from './model.js';
import { MetadataAccess } from './reader-metadata.js';
import { openGGUF, type OpenOptions } from './reader.js';
import { isByteSource, toByteSource, type ByteSource, type ByteSourceInput } from './source.js';

/** Metadata keys of gguf-split. */
export const SPLIT_KEYS = { no: 'split.no', count: 'split.count', tensorsCount: 'split.tensors.count' } as const;

/** `prefix-00001-of-00003.gguf` (1-based shard number, five digits, as llama.cpp names them). */
const SHARD_NAME = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/;

/** The parts of a shard file name, or `undefined` when the name does not follow the pattern. */
export function parseShardName(name: string): { prefix: string; shard: number; count: number } | undefined {
  const m = SHARD_NAME.exec(name);
  if (!m) return undefined;
  return { prefix: m[1]!, shard: Number(m[2]), count: Number(m[3]) };
}

/** The name of shard `index` (0-based) of `count`: `prefix-%05d-of-%05d.gguf`, like llama.cpp's `llama_split_path`. */
export function shardName(prefix: string, index: number, count: number): string {
  return `${prefix}-${String(index + 1).padStart(5, '0')}-of-${String(count).padStart(5, '0')}.gguf`;
}

/** A tensor of a split model: its info in its own shard, plus which shard holds it. */
export interface GGUFModelTensor extends GGUFTensorInfo {
  /** Index of the shard (0-based) whose data section holds the tensor. */
  readonly shard: number;
}

/** Options of `openSplitGGUF`. */
export interface SplitOpenOptions extends OpenOptions {
  /**
   * Opens a sibling shard from its derived name (a path or URL built from the first
   * shard's name). By default only http(s) URLs can be opened; the Node entry's
   * `openSplitGGUFFile` supplies local files.
   */
  openShard?: (name: string) => ByteSource | Promise<ByteSource>;
}

/** One logical model over one or more GGUF shards. */
export class GGUFModel extends MetadataAccess {
  /** The shards in order (`split.no` 0, 1, ...); a plain file is a model with one shard. */
  readonly shards: readonly GGUFFile[];
  /** Every tensor of every shard, in shard order. */
  readonly tensors: readonly GGUFModelTensor[];
  readonly #byName: ReadonlyMap<string, GGUFModelTensor>;

  constructor(shards: readonly GGUFFile[]) {
    if (shards.length === 0) throw new RangeError('a model needs at least one shard');
    super(shards[0]!.metadata, shards[0]!.source.name);
    this.shards = shards;
    const tensors: GGUFModelTensor[] = [];
    const byName = new Map<string, GGUFModelTensor>();
    shards.forEach((file, shard) => {
      for (const t of file.tensors) {
        const prev = byName.get(t.name);
        if (prev) {
          throw new GGUFFormatError(`tensor "${t.name}" appears in shard ${prev.shard} and shard ${shard}`, { file: file.source.name });
        }
        const mt: GGUFModelTensor = { ...t, shard };
        tensors.push(mt);
        byName.set(t.name, mt);
      }
    });
    this.tensors = tensors;
    this.#byName = byName;
  }

  /** GGUF version of the first shard. */
  get version(): number {
    return this.shards[0]!.version;
  }

  /** True when the first shard is big-endian. */
  get bigEndian(): boolean {
    return this.shards[0]!.bigEndian;
  }

  /** The tensor named `name`; `GGUFTensorError` when no shard has it. */
  tensor(name: string): GGUFModelTensor {
    const t = this.#byName.get(name);
    if (!t) throw new GGUFTensorError(`no tensor named "${name}" in any of the ${this.shards.length} shard(s)`, { file: this.shards[0]!.source.name });
    return t;
  }

  /** True when some shard has a tensor named `name`. */
  hasTensor(name: string): boolean {
    return this.#byName.has(name);
  }

  /** All bytes of a tensor, read from the shard that holds it. */
  async readTensorData(t: string | GGUFModelTensor): Promise<Uint8Array> {
    const mt = this.tensor(typeof t === 'string' ? t : t.name);
    return this.shards[mt.shard]!.readTensorData(mt.name);
  }

  /** Bytes `[start, end)` of a tensor's data, read from the shard that holds it. */
  async readTensorRange(t: string | GGUFModelTensor, start: number, end: number): Promise<Uint8Array> {
    const mt = this.tensor(typeof t === 'string' ? t : t.name);
    return this.shards[mt.shard]!.readTensorRange(mt.name, start, end);
  }

  /** Closes every shard. */
  async close(): Promise<void> {
    const results = await Promise.allSettled(this.shards.map((s) => s.close()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/** The integer value of a split key, or a `GGUFFormatError` naming the shard. */
function splitInt(file: GGUFFile, key: string): number | undefined {
  if (!file.has(key)) return undefined;
  try {
    return file.getNumber(key);
  } catch (cause) {
    throw new GGUFFormatError(`${key} must be an integer`, { file: file.source.name, cause });
  }
}

/** The name a sibling shard is derived from: a URL's path keeps its origin and query. */
function siblingName(input: ByteSourceInput, source: ByteSource, index: number, count: number): string | undefined {
  const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : source.name;
  if (/^https?:\/\//i.test(raw)) {
    const url = new URL(raw);
    const parts = parseShardName(url.pathname);
    if (!parts) return undefined;
    url.pathname = shardName(parts.prefix, index, count);
    return url.href;
  }
  const parts = parseShardName(raw);
  return parts ? shardName(parts.prefix, index, count) : undefined;
}

async function openShardAt(name: string, index: number, count: number, opts: SplitOpenOptions): Promise<GGUFFile> {
  let source: ByteSource;
  try {
    source = opts.openShard ? await opts.openShard(name) : toByteSource(name);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new GGUFSourceError(`cannot open shard ${index + 1} of ${count}: ${why}`, { file: name, cause });
  }
  try {
    return await openGGUF(source, opts);
  } catch (e) {
    await source.close?.().catch(() => undefined);
    throw e;
  }
}

/**
 * Opens a split model. `input` is either the list of all shards (any order; they are
 * ordered by `split.no`), or one shard whose siblings are found by llama.cpp's naming
 * pattern (`-00001-of-00003.gguf`). A file without `split.*` keys opens as a one-shard
 * model. Shard numbers, counts and the total tensor count are validated; a missing shard
 * is a `GGUFSourceError` naming the file that was expected. The model owns every shard's
 * source once it is returned (`close()` closes them all).
 */
export async function openSplitGGUF(input: ByteSourceInput | readonly ByteSourceInput[], opts: SplitOpenOptions = {}): Promise<GGUFModel> {
  // Files whose source was created here; on failure only these are closed, a caller's
  // own ByteSources stay open for the caller (as with openGGUF).
  const owned: GGUFFile[] = [];
  try {
    let ordered: GGUFFile[];
    if (Array.isArray(input)) {
      const files: GGUFFile[] = [];
      for (const item of input as readonly ByteSourceInput[]) {
        const f = await openGGUF(item, opts);
        files.push(f);
        if (!isByteSource(item)) owned.push(f);
      }
      ordered = orderShards(files);
    } else {
      const one = input as ByteSourceInput;
      const source = toByteSource(one);
      let first: GGUFFile;
      try {
        first = await openGGUF(source, opts);
      } catch (e) {
        if (!isByteSource(one)) await source.close?.().catch(() => undefined);
        throw e;
      }
      if (!isByteSource(one)) owned.push(first);
      const count = splitInt(first, SPLIT_KEYS.count) ?? 1;
      const no = splitInt(first, SPLIT_KEYS.no) ?? 0;
      checkCountAndIndex(first, count, no);
      ordered = new Array<GGUFFile>(count);
      ordered[no] = first;
      for (let i = 0; i < count; i++) {
        if (i === no) continue;
        const name = siblingName(one, source, i, count);
        if (name === undefined) {
          throw new GGUFFormatError(`the model has ${count} shards but the name does not follow the -00001-of-${String(count).padStart(5, '0')}.gguf pattern; pass the list of shards`, { file: first.source.name });
        }
        const shard = await openShardAt(name, i, count, opts);
        owned.push(shard);
        ordered[i] = shard;
      }
    }
    validateShards(ordered);
    return new GGUFModel(ordered);
  } catch (e) {
    await Promise.allSettled(owned.map((f) => f.close()));
    throw e;
  }
}

function checkCountAndIndex(file: GGUFFile, count: number, no: number): void {
  if (!Number.isInteger(count) || count < 1 || count > 0xffff) {
    throw new GGUFFormatError(`${SPLIT_KEYS.count} is ${count}; expected 1 to 65535`, { file: file.source.name });
  }
  if (!Number.isInteger(no) || no < 0 || no >= count) {
    throw new GGUFFormatError(`${SPLIT_KEYS.no} is ${no}; expected 0 to ${count - 1}`, { file: file.source.name });
  }
}

function orderShards(files: readonly GGUFFile[]): GGUFFile[] {
  if (files.length === 0) throw new GGUFSourceError('openSplitGGUF needs at least one shard');
  const count = files.length;
  const ordered = new Array<GGUFFile>(count);
  for (const f of files) {
    const no = splitInt(f, SPLIT_KEYS.no) ?? (count === 1 ? 0 : undefined);
    if (no === undefined) throw new GGUFFormatError(`shard has no ${SPLIT_KEYS.no} key`, { file: f.source.name });
    if (!Number.isInteger(no) || no < 0 || no >= count) {
      throw new GGUFFormatError(`${SPLIT_KEYS.no} is ${no} but ${count} shard(s) were given`, { file: f.source.name });
    }
    if (ordered[no]) throw new GGUFFormatError(`two shards have ${SPLIT_KEYS.no} = ${no}: ${ordered[no]!.source.name} and this one`, { file: f.source.name });
    ordered[no] = f;
  }
  return ordered;
}

function validateShards(shards: readonly GGUFFile[]): void {
  const count = shards.length;
  let total = 0;
  shards.forEach((f, i) => {
    if (!f) throw new GGUFSourceError(`shard ${i + 1} of ${count} is missing`);
    if (count > 1 || f.has(SPLIT_KEYS.count)) {
      const c = splitInt(f, SPLIT_KEYS.count);
      const no = splitInt(f, SPLIT_KEYS.no);
      if (c !== count) throw new GGUFFormatError(`${SPLIT_KEYS.count} is ${c}, expected ${count}`, { file: f.source.name });
      if (no !== i) throw new GGUFFormatError(`${SPLIT_KEYS.no} is ${no}, expected ${i}`, { file: f.source.name });
    }
    total += f.tensors.length;
  });
  const expected = splitInt(shards[0]!, SPLIT_KEYS.tensorsCount);
  if (expected !== undefined && expected !== total) {
    throw new GGUFFormatError(`${SPLIT_KEYS.tensorsCount} is ${expected} but the ${count} shard(s) hold ${total} tensors`, { file: shards[0]!.source.name });
  }
}

