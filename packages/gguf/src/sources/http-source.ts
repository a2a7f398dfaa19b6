/**
 * A source over HTTP(S) with `Range` requests, so a remote model's header parses with a
 * few small requests and tensor data downloads only where asked.
 */
import { GGUFSourceError } from '../errors.js';
import type { ByteSource } from '../source.js';
import { checkReadArgs, shortReadError } from './read-checks.js';

/** Options of `httpSource`. */
export interface HttpSourceOptions {
  /** The `fetch` to use (proxies, auth, tests); defaults to the global one. */
  fetch?: typeof fetch;
  /** Extra request headers (e.g. `Authorization`). `Range` is always set by the source. */
  headers?: Record<string, string>;
  /**
   * What to do when the server ignores `Range` and answers 200 with the whole file:
   * `'stream'` (default) reads the body only up to the wanted bytes, then cancels it,
   * warning once; `'error'` fails with a `GGUFSourceError`.
   */
  ignoredRange?: 'stream' | 'error';
  /**
   * When `Range` is ignored, the most bytes (counted from the start of the file) the
   * source streams to serve one read; beyond it the read fails. Default 64 MiB.
   */
  maxIgnoredRangeBytes?: number;
  /** Receives the one-time warning about an ignored `Range`; defaults to `console.warn`. */
  onWarning?: (message: string) => void;
}

const DEFAULT_MAX_IGNORED_RANGE_BYTES = 64 * 1024 * 1024;

/** True for strings that parse as http: or https: URLs. */
export function isHttpUrl(s: string): boolean {
  return /^https?:\/\//i.test(s);
}

/** The URL as shown in messages: query strings often carry tokens, so they are elided. */
function displayName(url: URL): string {
  return `${url.origin}${url.pathname}${url.search ? '?…' : ''}`;
}

const CONTENT_RANGE = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i;
const UNSATISFIED_RANGE = /^\s*bytes\s+\*\/(\d+)\s*$/i;

interface Body {
  bytes: Uint8Array;
  /** True when the body ended before `want` bytes were collected. */
  ended: boolean;
}

/** Creates a `ByteSource` that reads `url` with HTTP Range requests. */
export function httpSource(url: string | URL, opts: HttpSourceOptions = {}): ByteSource {
  return new HttpByteSource(url, opts);
}

class HttpByteSource implements ByteSource {
  readonly name: string;
  readonly #url: string;
  readonly #fetch: typeof fetch;
  readonly #headers: Record<string, string>;
  readonly #opts: HttpSourceOptions;
  #size: number | undefined;
  #warned = false;

  constructor(url: string | URL, opts: HttpSourceOptions) {
    let parsed: URL;
    try {
      parsed = new URL(String(url));
    } catch (cause) {
      throw new GGUFSourceError(`invalid URL "${String(url)}"`, { cause });
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new GGUFSourceError(`unsupported URL protocol ${parsed.protocol} (expected http: or https:)`, { file: String(url) });
    }
    this.#url = parsed.href;
    this.name = displayName(parsed);
    if (!opts.fetch && typeof globalThis.fetch !== 'function') throw new GGUFSourceError('no fetch implementation available; pass opts.fetch', { file: this.name });
    // browsers refuse a `fetch` called with any `this` but the global object ("Illegal invocation")
    this.#fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#headers = opts.headers ?? {};
    this.#opts = opts;
  }

  async size(): Promise<number | undefined> {
    if (this.#size !== undefined) return this.#size;
    const head = await this.#request('HEAD', undefined);
    if (head.ok) {
      const len = parseLength(head.headers.get('content-length'));
      if (len !== undefined) return (this.#size = len);
    } else if (head.status !== 405 && head.status !== 501) {
      throw this.#statusError(head, 'HEAD');
    }
    // No usable HEAD: a one-byte range reveals the total in Content-Range.
    await this.#get(0, 1, false);
    return this.#size;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    return this.#get(offset, length, true);
  }

  readAtMost(offset: number, length: number): Promise<Uint8Array> {
    return this.#get(offset, length, false);
  }

  async #get(offset: number, length: number, exact: boolean): Promise<Uint8Array> {
    checkReadArgs(this.name, offset, length);
    if (length === 0) return new Uint8Array(0);
    if (this.#size !== undefined && offset + length > this.#size) {
      if (exact) throw shortReadError(this.name, offset, length, Math.max(0, this.#size - offset), `the file has ${this.#size} bytes`);
      if (offset >= this.#size) return new Uint8Array(0);
      length = this.#size - offset;
    }
    const last = offset + length - 1;
    const res = await this.#request('GET', `bytes=${offset}-${last}`);

    if (res.status === 416) {
      await cancelBody(res);
      const m = UNSATISFIED_RANGE.exec(res.headers.get('content-range') ?? '');
      if (m) this.#size = Number(m[1]);
      if (exact) throw shortReadError(this.name, offset, length, 0, 'HTTP 416 range not satisfiable');
      return new Uint8Array(0);
    }

    if (res.status === 206) {
      const cr = res.headers.get('content-range');
      const m = cr ? CONTENT_RANGE.exec(cr) : null;
      let promised = length;
      if (m) {
        const start = Number(m[1]);
        const end = Number(m[2]);
        if (m[3] !== '*') this.#size = Number(m[3]);
        if (start !== offset || end < start) {
          await cancelBody(res);
          throw new GGUFSourceError(`server answered range ${start}-${end} for requested bytes ${offset}-${last}`, { file: this.name, offset });
        }
        promised = Math.min(length, end - start + 1);
      }
      const body = await this.#collect(res, 0, length, offset);
      // A body shorter than the server's own Content-Range is a broken transfer; shorter
      // than asked but as promised is the end of the file (fine for readAtMost only).
      if (body.bytes.length < promised || (exact && body.bytes.length < length)) {
        throw shortReadError(this.name, offset, length, body.bytes.length, cr ? `Content-Range ${cr}` : 'HTTP 206');
      }
      return body.bytes;
    }

    if (res.status === 200) return this.#fromWholeBody(res, offset, length, exact);

    await cancelBody(res);
    throw this.#statusError(res, `GET bytes=${offset}-${last}`, offset);
  }

  /** The server ignored `Range`: take the wanted bytes out of the full body, streaming. */
  async #fromWholeBody(res: Response, offset: number, length: number, exact: boolean): Promise<Uint8Array> {
    const total = parseLength(res.headers.get('content-length'));
    if (total !== undefined) this.#size = total;
    if (this.#opts.ignoredRange === 'error') {
      await cancelBody(res);
      throw new GGUFSourceError('the server ignored the Range request (HTTP 200 with the whole body) and ignoredRange is "error"', { file: this.name, offset });
    }
    const limit = this.#opts.maxIgnoredRangeBytes ?? DEFAULT_MAX_IGNORED_RANGE_BYTES;
    if (offset + length > limit) {
      await cancelBody(res);
      throw new GGUFSourceError(
        `the server ignores Range requests; reading ${length} bytes at offset ${offset} would download ${offset + length} bytes, more than maxIgnoredRangeBytes (${limit})`,
        { file: this.name, offset },
      );
    }
    if (!this.#warned) {
      this.#warned = true;
      (this.#opts.onWarning ?? console.warn)(`${this.name}: the server ignores HTTP Range requests; reads stream the file from its start`);
    }
    const body = await this.#collect(res, offset, length, offset);
    if (body.bytes.length < length) {
      if (exact || !body.ended) throw shortReadError(this.name, offset, length, body.bytes.length, 'HTTP 200 body ended early');
      this.#size ??= offset + body.bytes.length;
    }
    return body.bytes;
  }

  async #request(method: 'GET' | 'HEAD', range: string | undefined): Promise<Response> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.#headers)) {
      if (k.toLowerCase() !== 'range') headers[k] = v;
    }
    // Compressed transfer would make byte ranges refer to the encoded stream.
    headers['Accept-Encoding'] = 'identity';
    if (range) headers['Range'] = range;
    try {
      return await this.#fetch(this.#url, { method, headers });
    } catch (cause) {
      throw new GGUFSourceError(`${method}${range ? ` ${range}` : ''} failed: ${(cause as Error)?.message ?? String(cause)}`, { file: this.name, cause });
    }
  }

  /** Reads the body, dropping the first `skip` bytes and stopping (cancelling) after `want`. */
  async #collect(res: Response, skip: number, want: number, offset: number): Promise<Body> {
    const out = new Uint8Array(want);
    let got = 0;
    let toSkip = skip;
    const reader = res.body?.getReader();
    if (!reader) return { bytes: out.subarray(0, 0), ended: true };
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return { bytes: out.subarray(0, got), ended: true };
        let chunk = value;
        if (toSkip > 0) {
          if (chunk.length <= toSkip) {
            toSkip -= chunk.length;
            continue;
          }
          chunk = chunk.subarray(toSkip);
          toSkip = 0;
        }
        const n = Math.min(chunk.length, want - got);
        out.set(chunk.subarray(0, n), got);
        got += n;
        if (got === want) {
          await reader.cancel().catch(() => undefined);
          return { bytes: out, ended: false };
        }
      }
    } catch (cause) {
      throw new GGUFSourceError(`short read: expected ${want} bytes, got ${got} (body failed: ${(cause as Error)?.message ?? String(cause)})`, { file: this.name, offset, cause });
    }
  }

  #statusError(res: Response, what: string, offset?: number): GGUFSourceError {
    return new GGUFSourceError(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''} for ${what}`, offset !== undefined ? { file: this.name, offset } : { file: this.name });
  }
}

function parseLength(v: string | null): number | undefined {
  if (v === null || !/^\s*\d+\s*$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

async function cancelBody(res: Response): Promise<void> {
  try {
    await res.body?.cancel();
  } catch {
    // the body is being discarded; a failure to cancel changes nothing for the caller
  }
}
