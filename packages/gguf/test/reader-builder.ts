/**
 * A tiny, deliberately independent GGUF byte builder for reader tests and benchmarks.
 * It writes exactly what the GGUF spec (ggml docs/gguf.md) describes, field by field, so
 * reader tests do not depend on the package's own writer.
 */

/** Value type ids as in the spec (`enum gguf_type`). */
export const T = {
  UINT8: 0, INT8: 1, UINT16: 2, INT16: 3, UINT32: 4, INT32: 5, FLOAT32: 6,
  BOOL: 7, STRING: 8, ARRAY: 9, UINT64: 10, INT64: 11, FLOAT64: 12,
} as const;

/** An array value for the builder: item type plus items (nested arrays are `BArray`s). */
export interface BArray {
  itemType: number;
  items: readonly unknown[];
}

export interface BTensor {
  name: string;
  ne: readonly number[];
  type: number;
  /** Offset relative to the data section; default: packed in order with alignment padding. */
  offset?: number;
  /** Bytes of the tensor (for computing default offsets and writing data). */
  nbytes: number;
}

export interface BFile {
  version?: number;
  bigEndian?: boolean;
  /** Used for padding; add a `general.alignment` kv yourself to declare it. */
  alignment?: number;
  kv: ReadonlyArray<readonly [string, number, unknown]>;
  tensors?: readonly BTensor[];
  /** Write tensor data (zeros, or a byte pattern) after the header padding. Default true. */
  withData?: boolean;
  /** Raw bytes of the data section (written after the header padding instead of a pattern). */
  data?: Uint8Array;
  /** Override the tensor / kv counts written in the header. */
  tensorCount?: bigint;
  kvCount?: bigint;
}

export class ByteBuilder {
  #buf = new Uint8Array(1024);
  #dv = new DataView(this.#buf.buffer);
  length = 0;
  constructor(readonly le: boolean, readonly wide: boolean) {}

  #room(n: number): number {
    if (this.length + n > this.#buf.length) {
      let cap = this.#buf.length * 2;
      while (cap < this.length + n) cap *= 2;
      const b = new Uint8Array(cap);
      b.set(this.#buf.subarray(0, this.length));
      this.#buf = b;
      this.#dv = new DataView(b.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }
  raw(b: Uint8Array): this { const at = this.#room(b.length); this.#buf.set(b, at); return this; }
  u8(v: number): this { const at = this.#room(1); this.#dv.setUint8(at, v); return this; }
  i8(v: number): this { const at = this.#room(1); this.#dv.setInt8(at, v); return this; }
  u16(v: number): this { const at = this.#room(2); this.#dv.setUint16(at, v, this.le); return this; }
  i16(v: number): this { const at = this.#room(2); this.#dv.setInt16(at, v, this.le); return this; }
  u32(v: number): this { const at = this.#room(4); this.#dv.setUint32(at, v, this.le); return this; }
  i32(v: number): this { const at = this.#room(4); this.#dv.setInt32(at, v, this.le); return this; }
  f32(v: number): this { const at = this.#room(4); this.#dv.setFloat32(at, v, this.le); return this; }
  f64(v: number): this { const at = this.#room(8); this.#dv.setFloat64(at, v, this.le); return this; }
  u64(v: bigint | number): this { const at = this.#room(8); this.#dv.setBigUint64(at, BigInt(v), this.le); return this; }
  i64(v: bigint | number): this { const at = this.#room(8); this.#dv.setBigInt64(at, BigInt(v), this.le); return this; }
  /** A count or string length: u32 in v1, u64 from v2. */
  size(v: bigint | number): this { return this.wide ? this.u64(v) : this.u32(Number(v)); }
  str(s: string | Uint8Array): this {
    const b = typeof s === 'string' ? new TextEncoder().encode(s) : s;
    return this.size(b.length).raw(b);
  }
  zeros(n: number): this { this.#room(n); return this; }
  bytes(): Uint8Array { return this.#buf.slice(0, this.length); }
}

export function writeValue(w: ByteBuilder, type: number, v: unknown): void {
  switch (type) {
    case T.UINT8: w.u8(v as number); break;
    case T.INT8: w.i8(v as number); break;
    case T.UINT16: w.u16(v as number); break;
    case T.INT16: w.i16(v as number); break;
    case T.UINT32: w.u32(v as number); break;
    case T.INT32: w.i32(v as number); break;
    case T.FLOAT32: w.f32(v as number); break;
    case T.BOOL: w.u8(v ? 1 : 0); break;
    case T.STRING: w.str(v as string | Uint8Array); break;
    case T.UINT64: w.u64(v as bigint); break;
    case T.INT64: w.i64(v as bigint); break;
    case T.FLOAT64: w.f64(v as number); break;
    case T.ARRAY: {
      const a = v as BArray;
      w.u32(a.itemType).size(a.items.length);
      for (const item of a.items) writeValue(w, a.itemType, item);
      break;
    }
    default: throw new Error(`builder: unknown type ${type}`);
  }
}

const pad = (x: number, a: number) => Math.ceil(x / a) * a;

/** Builds a complete GGUF file. */
export function buildGGUF(f: BFile): Uint8Array {
  const version = f.version ?? 3;
  const le = !f.bigEndian;
  const wide = version >= 2;
  const align = f.alignment ?? 32;
  const tensors = f.tensors ?? [];
  const w = new ByteBuilder(le, wide);
  w.raw(new Uint8Array([0x47, 0x47, 0x55, 0x46])).u32(version);
  if (wide) {
    w.u64(f.tensorCount ?? BigInt(tensors.length)).u64(f.kvCount ?? BigInt(f.kv.length));
  } else {
    w.u32(Number(f.tensorCount ?? tensors.length)).u32(Number(f.kvCount ?? f.kv.length));
  }
  for (const [key, type, value] of f.kv) {
    w.str(key).u32(type);
    writeValue(w, type, value);
  }
  let next = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    const off = t.offset ?? next;
    offsets.push(off);
    next = pad(off + t.nbytes, align);
    w.str(t.name).u32(t.ne.length);
    for (const d of t.ne) wide ? w.u64(d) : w.u32(d);
    w.u32(t.type).u64(off);
  }
  if (f.withData === false || (tensors.length === 0 && !f.data)) return w.bytes();
  const dataStart = pad(w.length, align);
  w.zeros(dataStart - w.length);
  if (f.data) return w.raw(f.data).bytes();
  const end = Math.max(0, ...tensors.map((t, i) => offsets[i]! + t.nbytes));
  const data = new Uint8Array(pad(end, align));
  tensors.forEach((t, i) => {
    for (let k = 0; k < t.nbytes; k++) data[offsets[i]! + k] = (i * 31 + k * 7 + 1) & 0xff;
  });
  w.raw(data);
  return w.bytes();
}

/** The bytes `buildGGUF` writes as tensor `i`'s data (a recognizable pattern). */
export function patternBytes(i: number, nbytes: number): Uint8Array {
  const out = new Uint8Array(nbytes);
  for (let k = 0; k < nbytes; k++) out[k] = (i * 31 + k * 7 + 1) & 0xff;
  return out;
}
