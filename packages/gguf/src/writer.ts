/**
 * The streaming GGUF writer: the header first, then each tensor's bytes followed by zero
 * padding to the alignment (after the last tensor too, as llama.cpp does). Tensor data is
 * pulled one tensor (or one chunk) at a time, so the whole model never sits in memory.
 */
import { GGUFError, GGUFWriteError } from './errors.js';
import type { GGUFTensorInfo } from './model.js';
import { layoutGGUF, type HeaderLayout, type HeaderToWrite, type TensorInfoToWrite } from './serialize-header.js';
import { CoalescingSink, type ByteSink } from './sink.js';

/** Chunks of a tensor's data: any typed array or DataView is taken as its raw bytes. */
export type TensorChunk = Uint8Array | ArrayBufferView;

/**
 * A tensor's bytes: all at once, or a function called when the writer reaches the tensor
 * that returns (or resolves to) the bytes or an (async) iterable of chunks. The total
 * must equal the size computed from `ne` and `type`.
 */
export type TensorData =
  | TensorChunk
  | (() =>
      | TensorChunk
      | Promise<TensorChunk>
      | AsyncIterable<TensorChunk>
      | Iterable<TensorChunk>
      | Promise<AsyncIterable<TensorChunk> | Iterable<TensorChunk>>);

/** A tensor to write: its header info and where its bytes come from. */
export interface TensorToWrite extends TensorInfoToWrite {
  readonly data: TensorData;
}

/** Progress of a write, reported after the header and after every chunk of tensor data. */
export interface WriteProgress {
  /** Index of the tensor being written (0 while only the header is written). */
  readonly tensorIndex: number;
  readonly tensorCount: number;
  /** Name of the tensor being written (undefined for the header). */
  readonly tensorName: string | undefined;
  /** Bytes of the file written so far. */
  readonly bytesWritten: number;
  /** Size the whole file will have. */
  readonly totalBytes: number;
}

/** Options of {@link writeGGUF}. */
export interface WriteOptions {
  onProgress?(p: WriteProgress): void;
  /** Stops the write (and aborts the sink) when signalled. */
  signal?: AbortSignal;
  /**
   * The layout `layoutGGUF(header, tensors)` returned for this very header and tensor list,
   * when the caller already has it: a vocabulary's header is then not serialized twice.
   * Its tensors must match the list given (names, types, shapes), else `GGUFWriteError`.
   */
  layout?: HeaderLayout;
}

/** What was written. */
export interface WrittenGGUF {
  readonly fileSize: number;
  readonly dataOffset: number;
  readonly alignment: number;
  /** Tensor infos as written, with offsets relative to the data section. */
  readonly tensors: readonly GGUFTensorInfo[];
}

const ZEROS = new Uint8Array(4096);

function asBytes(chunk: unknown, tensor: string): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new GGUFWriteError(`tensor "${tensor}": data chunk is not a Uint8Array or typed array`);
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x !== null && typeof x === 'object' && typeof (x as PromiseLike<unknown>).then === 'function';
}

/** Turns any accepted data form into a stream of byte chunks. */
async function* chunksOf(t: TensorToWrite): AsyncGenerator<Uint8Array> {
  let d: unknown = t.data;
  if (typeof d === 'function') {
    d = (d as () => unknown)();
    if (isThenable(d)) d = await d;
  }
  if (ArrayBuffer.isView(d)) {
    yield asBytes(d, t.name);
    return;
  }
  if (d !== null && typeof d === 'object' && Symbol.asyncIterator in d) {
    for await (const c of d as AsyncIterable<unknown>) yield asBytes(c, t.name);
    return;
  }
  if (d !== null && typeof d === 'object' && Symbol.iterator in d) {
    for (const c of d as Iterable<unknown>) yield asBytes(c, t.name);
    return;
  }
  throw new GGUFWriteError(`tensor "${t.name}": data must be bytes, or a function returning bytes or chunks`);
}

async function collect<T>(items: Iterable<T> | AsyncIterable<T>): Promise<T[]> {
  if (Array.isArray(items)) return items as T[];
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}

async function writeZeros(sink: ByteSink, n: number): Promise<void> {
  while (n > 0) {
    const k = Math.min(n, ZEROS.length);
    await sink.write(ZEROS.subarray(0, k));
    n -= k;
  }
}

/** Pulls the next chunk, naming the tensor when its data source fails. */
async function nextChunk(chunks: AsyncGenerator<Uint8Array>, t: TensorToWrite, signal: AbortSignal | undefined): Promise<IteratorResult<Uint8Array>> {
  try {
    return await chunks.next();
  } catch (e) {
    if (e instanceof GGUFError || (signal !== undefined && e === signal.reason)) throw e;
    throw new GGUFWriteError(`tensor "${t.name}": reading its data failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/**
 * Writes one tensor's data (without padding), checking the byte count; `onChunk` gets
 * the size of every chunk written.
 */
async function writeTensorData(
  out: ByteSink,
  t: TensorToWrite,
  info: GGUFTensorInfo,
  signal: AbortSignal | undefined,
  onChunk: (n: number) => void,
): Promise<void> {
  const expected = info.byteLength;
  const shape = `its shape [${info.ne.join(', ')}] and type`;
  const chunks = chunksOf(t);
  let got = 0;
  let finished = false;
  try {
    for (;;) {
      const next = await nextChunk(chunks, t, signal);
      if (next.done) break;
      throwIfAborted(signal);
      const chunk = next.value;
      if (got + chunk.length > expected) {
        throw new GGUFWriteError(`tensor "${t.name}": data has more than the ${expected} bytes ${shape} call for`);
      }
      if (chunk.length === 0) continue;
      await out.write(chunk);
      got += chunk.length;
      onChunk(chunk.length);
    }
    finished = true;
  } finally {
    // Lets a chunk source release what it holds (open readers) when the write stops early.
    if (!finished) await chunks.return(undefined).catch(() => undefined);
  }
  if (got !== expected) throw new GGUFWriteError(`tensor "${t.name}": data has ${got} bytes, ${shape} call for ${expected}`);
}

/** A precomputed layout must describe the tensors being written. */
function checkLayoutMatches(layout: HeaderLayout, list: readonly TensorToWrite[]): void {
  if (layout.tensors.length !== list.length) throw new GGUFWriteError(`the layout given has ${layout.tensors.length} tensors, but ${list.length} are written`);
  list.forEach((t, i) => {
    const info = layout.tensors[i]!;
    if (info.name !== t.name || info.type !== t.type || info.ne.length !== t.ne.length || info.ne.some((d, j) => d !== t.ne[j])) {
      throw new GGUFWriteError(`tensor ${i} ("${t.name}") is not the layout's tensor ${i} ("${info.name}")`);
    }
  });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new GGUFWriteError('write aborted');
}

/**
 * Streams a GGUF file to `sink`: validates and writes the header, then each tensor's data
 * with zero padding, and closes the sink. The tensor list is read up front (the header
 * needs every tensor's info); data functions are called one tensor at a time, in order.
 *
 * Each tensor must deliver exactly the bytes its `ne` and `type` call for, else a
 * `GGUFWriteError` names the tensor. On any failure the sink is aborted (a file sink
 * removes its temporary file) and the error is rethrown.
 */
export async function writeGGUF(
  sink: ByteSink,
  header: HeaderToWrite,
  tensors: Iterable<TensorToWrite> | AsyncIterable<TensorToWrite>,
  opts: WriteOptions = {},
): Promise<WrittenGGUF> {
  const out = new CoalescingSink(sink);
  const { signal } = opts;
  try {
    const list = await collect(tensors);
    const layout = opts.layout ?? layoutGGUF(header, list);
    if (opts.layout) checkLayoutMatches(opts.layout, list);
    const tensorCount = list.length;
    let written = 0;
    const progress = (tensorIndex: number, tensorName: string | undefined) =>
      opts.onProgress?.({ tensorIndex, tensorCount, tensorName, bytesWritten: written, totalBytes: layout.fileSize });

    throwIfAborted(signal);
    await out.write(layout.bytes);
    written += layout.bytes.length;
    progress(0, undefined);

    for (let i = 0; i < tensorCount; i++) {
      const t = list[i]!;
      const info = layout.tensors[i]!;
      await writeTensorData(out, t, info, signal, (n) => {
        written += n;
        progress(i, t.name);
      });
      const pad = (layout.alignment - (info.byteLength % layout.alignment)) % layout.alignment;
      await writeZeros(out, pad);
      written += pad;
      progress(i, t.name);
    }
    if (written !== layout.fileSize) throw new GGUFWriteError(`wrote ${written} bytes, expected ${layout.fileSize}`);
    await out.close();
    return { fileSize: layout.fileSize, dataOffset: layout.dataOffset, alignment: layout.alignment, tensors: layout.tensors };
  } catch (e) {
    try {
      await out.abort(e);
    } catch {
      // The original failure is the one worth reporting.
    }
    throw e;
  }
}
