/**
 * A growable byte buffer with fixed-width writes in either byte order. The header
 * serializer builds the whole header in one of these; tensor data never goes through it.
 */

const MIN_CAPACITY = 4096;

/** Appends integers, floats and raw bytes to a growing buffer in one byte order. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;
  private readonly le: boolean;
  private readonly encoder = new TextEncoder();

  constructor(bigEndian: boolean, initialCapacity = MIN_CAPACITY) {
    this.le = !bigEndian;
    this.buf = new Uint8Array(Math.max(initialCapacity, 16));
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** Makes room for `n` more bytes. */
  private reserve(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.pos++] = v;
  }

  i8(v: number): void {
    this.reserve(1);
    this.view.setInt8(this.pos++, v);
  }

  u16(v: number): void {
    this.reserve(2);
    this.view.setUint16(this.pos, v, this.le);
    this.pos += 2;
  }

  i16(v: number): void {
    this.reserve(2);
    this.view.setInt16(this.pos, v, this.le);
    this.pos += 2;
  }

  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.pos, v, this.le);
    this.pos += 4;
  }

  i32(v: number): void {
    this.reserve(4);
    this.view.setInt32(this.pos, v, this.le);
    this.pos += 4;
  }

  f32(v: number): void {
    this.reserve(4);
    this.view.setFloat32(this.pos, v, this.le);
    this.pos += 4;
  }

  f64(v: number): void {
    this.reserve(8);
    this.view.setFloat64(this.pos, v, this.le);
    this.pos += 8;
  }

  u64(v: bigint): void {
    this.reserve(8);
    this.view.setBigUint64(this.pos, v, this.le);
    this.pos += 8;
  }

  i64(v: bigint): void {
    this.reserve(8);
    this.view.setBigInt64(this.pos, v, this.le);
    this.pos += 8;
  }

  /** An unsigned count or length that fits in 2^53; written as u64 (or u32 when `narrow`). */
  count(v: number, narrow: boolean): void {
    if (narrow) {
      this.u32(v);
      return;
    }
    // Two 32-bit halves: avoids a BigInt per string length in large vocabularies.
    const hi = Math.floor(v / 0x100000000);
    const lo = v >>> 0;
    this.reserve(8);
    this.view.setUint32(this.pos, this.le ? lo : hi, this.le);
    this.view.setUint32(this.pos + 4, this.le ? hi : lo, this.le);
    this.pos += 8;
  }

  /** Raw bytes, copied as they are. */
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /**
   * Raw bytes of `elementSize`-byte values in host (little-endian) order, reversing each
   * element when the output is big-endian.
   */
  elements(b: Uint8Array, elementSize: number): void {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    if (!this.le && elementSize > 1) {
      const out = this.buf;
      for (let i = this.pos; i < this.pos + b.length; i += elementSize) {
        for (let lo = i, hi = i + elementSize - 1; lo < hi; lo++, hi--) {
          const t = out[lo]!;
          out[lo] = out[hi]!;
          out[hi] = t;
        }
      }
    }
    this.pos += b.length;
  }

  /**
   * A GGUF string: its byte length (u64, or u32 when `narrow`) followed by the UTF-8 bytes.
   * JS strings are encoded straight into the buffer; raw byte strings are copied.
   */
  string(s: string | Uint8Array, narrow: boolean): void {
    const lenSize = narrow ? 4 : 8;
    if (typeof s !== 'string') {
      this.count(s.length, narrow);
      this.bytes(s);
      return;
    }
    // Worst case UTF-8 is 3 bytes per UTF-16 code unit.
    this.reserve(lenSize + s.length * 3);
    const start = this.pos;
    const written = this.utf8At(s, start + lenSize);
    this.count(written, narrow);
    this.pos = start + lenSize + written;
  }

  /**
   * Encodes `s` as UTF-8 at `at` (room reserved), returning the byte count. Vocabularies
   * are hundreds of thousands of short strings: encoding those by hand costs a fraction
   * of a `TextEncoder` call each. Surrogates (and long strings) go to the encoder, which
   * pairs them or writes U+FFFD for a lone one.
   */
  private utf8At(s: string, at: number): number {
    const n = s.length;
    if (n <= 64) {
      const buf = this.buf;
      let p = at;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c < 0x80) buf[p++] = c;
        else if (c < 0x800) {
          buf[p++] = 0xc0 | (c >> 6);
          buf[p++] = 0x80 | (c & 0x3f);
        } else if (c < 0xd800 || c > 0xdfff) {
          buf[p++] = 0xe0 | (c >> 12);
          buf[p++] = 0x80 | ((c >> 6) & 0x3f);
          buf[p++] = 0x80 | (c & 0x3f);
        } else break;
      }
      if (i === n) return p - at;
    }
    return this.encoder.encodeInto(s, this.buf.subarray(at)).written;
  }

  /** `n` zero bytes. */
  zeros(n: number): void {
    this.reserve(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }

  /** The written bytes (a copy sized exactly). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
