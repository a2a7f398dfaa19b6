/**
 * Byte sources: where the reader gets a file's bytes from. A source only needs random
 * access reads; the reader never asks for more than the header (while parsing) or the
 * tensor bytes a caller requests.
 */
import { GGUFError, GGUFSourceError } from './errors.js';
import { blobSource } from './sources/blob-source.js';
import { bytesSource } from './sources/bytes-source.js';
import { httpSource, isHttpUrl } from './sources/http-source.js';

/** Random-access bytes of one file. */
export interface ByteSource {
  /** For error messages: path, URL, `"<bytes>"` or the blob's name. */
  readonly name: string;
  /** Total size in bytes when known. */
  size(): Promise<number | undefined>;
  /** Exactly `length` bytes starting at `offset`, or a `GGUFSourceError` (short read, I/O failure). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Up to `length` bytes starting at `offset`; fewer only when the data ends first.
   * Optional: sources whose size is unknown until read (HTTP) implement it so the
   * header can be read in growing windows without a separate size request.
   */
  readAtMost?(offset: number, length: number): Promise<Uint8Array>;
  /** Releases what the source holds open (file handles). */
  close?(): Promise<void>;
}

/** Anything `openGGUF` accepts as a file. Strings must be http(s) URLs in the core entry. */
export type ByteSourceInput = ByteSource | Uint8Array | ArrayBuffer | Blob | URL | string;

/** True when `x` looks like a `ByteSource` (has `name`, `size` and `read`). */
export function isByteSource(x: unknown): x is ByteSource {
  return typeof x === 'object' && x !== null && typeof (x as ByteSource).read === 'function'
    && typeof (x as ByteSource).size === 'function' && typeof (x as ByteSource).name === 'string';
}

/**
 * Turns a supported input into a `ByteSource`: bytes and Blobs are read in memory, URLs
 * and http(s) URL strings over HTTP Range requests. Local paths need the Node entry
 * (`@ggufkit/gguf/node`), which keeps this module free of `node:` imports.
 */
export function toByteSource(input: ByteSourceInput): ByteSource {
  if (isByteSource(input)) return input;
  if (input instanceof Uint8Array) return bytesSource(input);
  if (input instanceof ArrayBuffer) return bytesSource(new Uint8Array(input));
  if (typeof Blob !== 'undefined' && input instanceof Blob) return blobSource(input);
  if (input instanceof URL) return httpSource(input);
  if (typeof input === 'string') {
    if (isHttpUrl(input)) return httpSource(input);
    throw new GGUFSourceError(`"${input}" is not an http(s) URL; open local files with openGGUFFile or fileSource from @ggufkit/gguf/node`, { file: input });
  }
  throw new GGUFSourceError(`unsupported byte source input (${Object.prototype.toString.call(input)})`);
}

/**
 * Reads up to `length` bytes at `offset`, fewer only at the end of the data. Uses the
 * source's own `readAtMost` when it has one, otherwise clamps to `size()`.
 */
export async function readAtMost(source: ByteSource, offset: number, length: number, knownSize?: number): Promise<Uint8Array> {
  if (source.readAtMost) return source.readAtMost(offset, length);
  const size = knownSize ?? (await source.size());
  if (size === undefined) return source.read(offset, length);
  const n = Math.max(0, Math.min(length, size - offset));
  return n === 0 ? new Uint8Array(0) : source.read(offset, n);
}

/** Runs a source call; a plain error from a third-party source becomes a `GGUFSourceError` naming the file. */
export async function fromSource<T>(source: ByteSource, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof GGUFError) throw e;
    throw new GGUFSourceError(`reading failed: ${(e as Error)?.message ?? String(e)}`, { file: source.name, cause: e });
  }
}
