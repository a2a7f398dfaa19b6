/**
 * The reader's `GGUFStringList`: a string array kept as its raw bytes plus one offset per
 * item, decoded only when an item is asked for. A 128k-token vocabulary then costs one
 * buffer and one `Uint32Array` instead of 128k JS strings at parse time.
 */
import type { GGUFString, GGUFStringList } from './model.js';

const lenientDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Longest item decoded by the ASCII loop; longer ones go to `TextDecoder` directly. */
const ASCII_FAST_MAX = 256;

/** `bytes[start, end)` as a string when it is short and all ASCII, else undefined. */
function shortAscii(bytes: Uint8Array, start: number, end: number): string | undefined {
  const n = end - start;
  if (n > ASCII_FAST_MAX) return undefined;
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return undefined;
  return n === 0 ? '' : String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
}

/**
 * Decodes `bytes[start, end)` as UTF-8 with U+FFFD for invalid sequences. Short ASCII
 * strings (the bulk of any vocabulary) skip `TextDecoder`'s per-call overhead.
 */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  const ascii = shortAscii(bytes, start, end);
  if (ascii !== undefined) return ascii;
  return lenientDecoder.decode(bytes.subarray(start, end));
}

/** Decodes strictly: a string for valid UTF-8, `undefined` otherwise. */
export function decodeUtf8Strict(bytes: Uint8Array, start: number, end: number): string | undefined {
  const ascii = shortAscii(bytes, start, end);
  if (ascii !== undefined) return ascii;
  try {
    return strictDecoder.decode(bytes.subarray(start, end));
  } catch {
    return undefined;
  }
}

/**
 * A lazily decoded string array. Item `i` occupies `bytes[bounds[i] + prefix, bounds[i+1])`
 * (for the reader, `bytes` is the header window and positions are file offsets):
 * each item's bytes run up to the next item's length prefix, so one offset per item
 * (plus one for the end) describes the whole array.
 */
export class LazyStringList implements GGUFStringList {
  #bytes: Uint8Array;
  readonly #bounds: Uint32Array;
  readonly #prefix: number;

  /**
   * @param bytes  buffer holding the serialized items (length prefixes included)
   * @param bounds `length + 1` positions in `bytes`: where each item's length prefix starts, then the end
   * @param prefix bytes of each length prefix (8, or 4 in GGUF v1)
   */
  constructor(bytes: Uint8Array, bounds: Uint32Array, prefix: number) {
    this.#bytes = bytes;
    this.#bounds = bounds;
    this.#prefix = prefix;
  }

  /**
   * Points the list at another buffer holding the same bytes at the same positions.
   * The reader uses it to move lists parsed from an earlier, smaller header window onto
   * the final one, so that only one window stays alive.
   * @internal
   */
  rebase(bytes: Uint8Array): void {
    const end = this.#bounds[this.#bounds.length - 1]!;
    if (bytes.length < end) throw new RangeError(`rebase: buffer of ${bytes.length} bytes is shorter than the list's end ${end}`);
    this.#bytes = bytes;
  }

  get length(): number {
    return this.#bounds.length - 1;
  }

  get(i: number): string {
    this.#check(i);
    return decodeUtf8(this.#bytes, this.#bounds[i]! + this.#prefix, this.#bounds[i + 1]!);
  }

  bytes(i: number): Uint8Array {
    this.#check(i);
    return this.#bytes.subarray(this.#bounds[i]! + this.#prefix, this.#bounds[i + 1]!);
  }

  /** Byte length of item `i` without decoding it. */
  byteLength(i: number): number {
    this.#check(i);
    return this.#bounds[i + 1]! - this.#bounds[i]! - this.#prefix;
  }

  toArray(): string[] {
    const n = this.length;
    const out = new Array<string>(n);
    const b = this.#bounds;
    const p = this.#prefix;
    for (let i = 0; i < n; i++) out[i] = decodeUtf8(this.#bytes, b[i]! + p, b[i + 1]!);
    return out;
  }

  *[Symbol.iterator](): Iterator<string> {
    const n = this.length;
    for (let i = 0; i < n; i++) yield this.get(i);
  }

  #check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.#bounds.length - 1) {
      throw new RangeError(`string list index ${i} out of range [0, ${this.#bounds.length - 1})`);
    }
  }
}

const utf8Encoder = new TextEncoder();

/**
 * A `GGUFStringList` view of either kind of STRING array value: the reader's lazy list as
 * is, or a user-built `(string | Uint8Array)[]` wrapped.
 */
export function stringListOf(values: GGUFStringList | readonly GGUFString[]): GGUFStringList {
  if (!Array.isArray(values)) return values as GGUFStringList;
  const items = values as readonly GGUFString[];
  const text = (v: GGUFString): string => (typeof v === 'string' ? v : decodeUtf8(v, 0, v.length));
  const check = (i: number): GGUFString => {
    if (!Number.isInteger(i) || i < 0 || i >= items.length) throw new RangeError(`string list index ${i} out of range [0, ${items.length})`);
    return items[i]!;
  };
  return {
    get length() {
      return items.length;
    },
    get: (i) => text(check(i)),
    bytes: (i) => {
      const v = check(i);
      return typeof v === 'string' ? utf8Encoder.encode(v) : v;
    },
    toArray: () => items.map(text),
    [Symbol.iterator]: function* () {
      for (const v of items) yield text(v);
    },
  };
}
