/**
 * Opening a GGUF file: reads the header through a window that starts small and doubles,
 * so a remote header costs a few requests and a local one a few reads, then hands the
 * parsed header to `GGUFFile`. Tensor data is never read here.
 */
import { GGUFFile } from './gguf-file.js';
import { HeaderParser, NeedMoreBytes, type ParsedHeader } from './reader-parse.js';
import { fromSource, isByteSource, readAtMost, toByteSource, type ByteSource, type ByteSourceInput } from './source.js';

/** Options of `openGGUF` and friends. */
export interface OpenOptions {
  /** Bytes read first (the window then doubles as needed). Default 1 MiB. */
  initialReadBytes?: number;
  /**
   * The largest header accepted, in bytes (metadata and tensor infos). A header claiming
   * more fails with `GGUFUnsupportedError` instead of being downloaded. Default 1 GiB.
   */
  maxHeaderBytes?: number;
  /**
   * Reject everything llama.cpp's `gguf.cpp` rejects, even where ggufkit could read it:
   * GGUF v1, nested arrays, tensor names of 64+ bytes, removed tensor types, and tensor
   * data that is not stored in order with `alignment` padding.
   */
  strict?: boolean;
}

const DEFAULT_INITIAL_READ = 1 << 20;
const DEFAULT_MAX_HEADER = 1 << 30;
/** Window offsets are kept in `Uint32Array`s, so the header must stay below 4 GiB. */
const HARD_MAX_HEADER = 0xffffffff;

/** A parsed header and what was learned about the file while reading it. */
export interface ReadHeaderResult extends ParsedHeader {
  /** The file size when the source knows it. */
  readonly fileSize: number | undefined;
}

/**
 * Reads and parses the header of a GGUF file from `source` without reading tensor data.
 * Throws `GGUFFormatError` / `GGUFUnsupportedError` for bad files and `GGUFSourceError`
 * when the bytes cannot be read.
 */
export async function readGGUFHeader(source: ByteSource, opts: OpenOptions = {}): Promise<ReadHeaderResult> {
  const maxHeader = Math.min(positiveInt(opts.maxHeaderBytes, DEFAULT_MAX_HEADER, 'maxHeaderBytes'), HARD_MAX_HEADER);
  const initial = Math.min(positiveInt(opts.initialReadBytes, DEFAULT_INITIAL_READ, 'initialReadBytes'), maxHeader);

  let fileSize: number | undefined = source.readAtMost ? undefined : await fromSource(source, () => source.size());
  let window = await fromSource(source, () => readAtMost(source, 0, fileSize === undefined ? initial : Math.min(initial, fileSize), fileSize));
  if (window.length < initial) fileSize = window.length; // the data ended inside the first read
  fileSize ??= await fromSource(source, () => source.size());

  const parser = new HeaderParser({ name: source.name, strict: opts.strict ?? false });
  for (;;) {
    parser.setWindow(window, fileSize, maxHeader);
    try {
      parser.run();
      break;
    } catch (e) {
      if (!(e instanceof NeedMoreBytes)) throw e;
      // Double the window (at least up to what the entry needs), never past the limit.
      const want = Math.min(Math.max(e.end, window.length * 2), fileSize ?? maxHeader, maxHeader);
      const at = window.length;
      const more = await fromSource(source, () => readAtMost(source, at, want - at, fileSize));
      if (more.length < want - window.length) fileSize = window.length + more.length;
      const grown = new Uint8Array(window.length + more.length);
      grown.set(window, 0);
      grown.set(more, window.length);
      window = grown;
    }
  }
  return { ...parser.result(fileSize), fileSize };
}

/**
 * Opens a GGUF file and parses its header. `input` may be a `ByteSource`, bytes, a Blob
 * or File, a `URL`, or an http(s) URL string (read with Range requests). For local paths
 * use `openGGUFFile` from `@ggufkit/gguf/node`.
 *
 * When the source was created here from `input`, it is closed again if parsing fails;
 * a `ByteSource` passed in stays open for its owner.
 */
export async function openGGUF(input: ByteSourceInput, opts: OpenOptions = {}): Promise<GGUFFile> {
  const owned = !isByteSource(input);
  const source = toByteSource(input);
  try {
    const header = await readGGUFHeader(source, opts);
    return new GGUFFile(source, header, header.fileSize);
  } catch (e) {
    if (owned) await source.close?.().catch(() => undefined);
    throw e;
  }
}

function positiveInt(v: number | undefined, dflt: number, what: string): number {
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`${what} must be a positive integer, got ${v}`);
  return v;
}
