/**
 * A conversion's output (header plus lazily produced tensors) seen as an opened GGUF file,
 * so the gguf package's split writer can shard it exactly as it shards a file on disk.
 * Tensor data is produced when the writer asks for it; the writer reads large tensors in
 * consecutive ranges, which are served from one pass over the tensor's chunk stream.
 */
import { layoutGGUF, type GGUFTensorInfo, type GGUFTensorSource, type HeaderToWrite, type TensorData, type TensorToWrite } from '@ggufkit/gguf';
import { collectBytes } from './row-blocks.js';

function asBytes(chunk: unknown, name: string): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError(`tensor ${name}: data chunk is not a Uint8Array or typed array`);
}

function isIterable(x: unknown): x is Iterable<unknown> | AsyncIterable<unknown> {
  return x !== null && typeof x === 'object' && (Symbol.asyncIterator in x || Symbol.iterator in x) && !ArrayBuffer.isView(x);
}

/** Every form of writer tensor data (bytes, or a function giving bytes or chunks) as a chunk stream. */
export async function* tensorDataChunks(data: TensorData, name: string): AsyncGenerator<Uint8Array> {
  let d: unknown = typeof data === 'function' ? await (data as () => unknown)() : data;
  if (isIterable(d)) {
    for await (const c of d as AsyncIterable<unknown>) yield asBytes(c, name);
    return;
  }
  d = await d;
  yield asBytes(d, name);
}

/**
 * Serves range reads `[start, end)` of one tensor from its chunk stream. Reads that move
 * forward (what the writer does) continue the same pass; a read that goes back starts a
 * new pass, so any order is correct, only slower.
 */
class SequentialRanges {
  private it: AsyncIterator<Uint8Array> | undefined;
  /** Tensor offset of `pending[0]`. */
  private base = 0;
  private pending: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly open: () => AsyncIterable<Uint8Array>,
    private readonly name: string,
    private readonly release: ((chunk: Uint8Array) => void) | undefined,
  ) {}

  async read(start: number, end: number): Promise<Uint8Array> {
    if (!this.it || start < this.base) {
      if (this.it) await this.it.return?.();
      this.it = this.open()[Symbol.asyncIterator]();
      this.base = 0;
      this.done();
    }
    const out = new Uint8Array(end - start);
    let filled = 0;
    while (filled < out.length) {
      const at = start + filled - this.base;
      if (at >= this.pending.length) {
        const r = await this.it.next();
        if (r.done) throw new RangeError(`tensor ${this.name}: data ended before byte ${start + filled}`);
        this.base += this.pending.length;
        this.done();
        this.pending = r.value;
        continue;
      }
      const n = Math.min(this.pending.length - at, out.length - filled);
      out.set(this.pending.subarray(at, at + n), filled);
      filled += n;
    }
    return out;
  }

  /** Lets go of the current chunk (every range that needs it has been copied out). */
  done(): void {
    if (this.pending.length > 0) this.release?.(this.pending);
    this.pending = new Uint8Array(0);
  }
}

/**
 * The header and tensors to write, as a `GGUFTensorSource` (what `splitGGUF` and
 * `writeSplitGGUF` take). Offsets and sizes are those the file would have if written whole.
 * Chunks of tensor data, once copied into the ranges asked for, go to `release` (when given).
 */
export function writerInputAsSource(
  header: HeaderToWrite, tensors: readonly TensorToWrite[], name = '<conversion>', release?: (chunk: Uint8Array) => void,
): GGUFTensorSource {
  const layout = layoutGGUF(header, tensors);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const ranges = new Map<string, SequentialRanges>();
  const chunksOf = (info: GGUFTensorInfo) => {
    const t = byName.get(info.name);
    if (!t) throw new RangeError(`no tensor named "${info.name}" in this conversion`);
    return tensorDataChunks(t.data, t.name);
  };
  return {
    source: { name },
    version: layout.version,
    bigEndian: layout.bigEndian,
    metadata: layout.metadata,
    tensors: layout.tensors,
    alignment: layout.alignment,
    dataOffset: layout.dataOffset,
    headerLength: layout.headerLength,
    readTensorData: (info) => collectBytes(chunksOf(info), info.byteLength, `tensor ${info.name}`, release),
    async readTensorRange(info, start, end) {
      let r = ranges.get(info.name);
      if (!r) ranges.set(info.name, (r = new SequentialRanges(() => chunksOf(info), info.name, release)));
      const bytes = await r.read(start, end);
      if (end >= info.byteLength) {
        // the last piece: release the stream
        r.done();
        ranges.delete(info.name);
      }
      return bytes;
    },
  };
}
