/**
 * The GGUF header parser: a synchronous state machine over a window of the file's first
 * bytes. When an entry runs past the window it throws `NeedMoreBytes` and the driver
 * (`reader.ts`) grows the window and resumes at the start of that entry, so parsing stays
 * on plain `DataView` reads without awaiting per value.
 *
 * Every count and length from the file is checked against the bytes that can still follow
 * before anything is allocated or looped over, so a header claiming 2^63 tensors or a
 * 4 GB string fails at once with the offset where it was found.
 */
import { GGUFValueType, alignUp, ggmlTypeInfo, ggufValueTypeName, rowBytes, GGUF_DEFAULT_ALIGNMENT } from '@ggufkit/tensor-layout';
import type { GGUFValueTypeId } from '@ggufkit/tensor-layout';
import { GGUFFormatError, GGUFUnsupportedError, type GGUFError } from './errors.js';
import type { GGUFArray, GGUFMetadataEntry, GGUFString, GGUFTensorInfo, GGUFValue } from './model.js';
import { LazyStringList, decodeUtf8, decodeUtf8Strict } from './string-list.js';
import { NUMERIC_ARRAY_CLASS } from './numeric-arrays.js';

/** Signal (not an error) that the current entry needs the window to reach `end`. */
export class NeedMoreBytes {
  constructor(readonly end: number) {}
}

/** The parsed header plus where its parts are in the file. */
export interface ParsedHeader {
  readonly version: number;
  readonly bigEndian: boolean;
  readonly metadata: GGUFMetadataEntry[];
  readonly tensors: GGUFTensorInfo[];
  readonly alignment: number;
  readonly dataOffset: number;
  readonly headerLength: number;
  /** Where the tensor-info section starts (right after the last metadata entry). */
  readonly tensorInfoOffset: number;
}

/** Parser settings. */
export interface ParseSettings {
  /** File name for messages. */
  readonly name: string;
  /** Reject what llama.cpp's gguf.cpp rejects even where ggufkit could read it. */
  readonly strict: boolean;
}

/** ggml's limit on tensor dimensions (GGML_MAX_DIMS). */
export const GGUF_MAX_DIMS = 4;
/** ggml's limit on tensor name length including the NUL (GGML_MAX_NAME). */
const GGML_MAX_NAME = 64;
/** Deepest nesting of arrays of arrays accepted (bounds recursion on hostile input). */
export const GGUF_MAX_ARRAY_DEPTH = 32;

const TWO_32 = 4294967296;
const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function typeName(t: number): string {
  return ggufValueTypeName(t) ?? `type ${t}`;
}

/** Reverses the bytes of each `size`-byte element in place. */
function swapInPlace(b: Uint8Array, size: number): void {
  for (let i = 0; i + size <= b.length; i += size) {
    for (let lo = i, hi = i + size - 1; lo < hi; lo++, hi--) {
      const x = b[lo]!;
      b[lo] = b[hi]!;
      b[hi] = x;
    }
  }
}

/** Incremental GGUF header parser; see the module comment. */
export class HeaderParser {
  readonly #s: ParseSettings;
  #bytes: Uint8Array = new Uint8Array(0);
  #dv: DataView = new DataView(new ArrayBuffer(0));
  #avail = 0;
  /** Absolute offset no header byte can lie beyond: the file size or the header limit. */
  #limit = 0;
  #fileSize: number | undefined;
  #maxHeader = 0;

  /** Committed position: the start of the next entry. */
  #pos = 0;
  /** Position inside the entry being parsed. */
  #cur = 0;
  #stage: 'preamble' | 'kv' | 'tensors' | 'done' = 'preamble';

  #version = 0;
  #le = true;
  #wide = true;
  #nKv = 0;
  #nTensors = 0;
  #metadata: GGUFMetadataEntry[] = [];
  #keys = new Map<string, GGUFMetadataEntry>();
  #tensors: GGUFTensorInfo[] = [];
  #names = new Set<string>();
  #alignment = GGUF_DEFAULT_ALIGNMENT;
  #tensorInfoOffset = 0;
  /** String lists referring to the window, moved onto the final window at the end. */
  #lists: LazyStringList[] = [];
  /** Progress of a string array interrupted by the end of the window. */
  #resume: { base: number; bounds: Uint32Array; i: number; p: number } | undefined;

  constructor(settings: ParseSettings) {
    this.#s = settings;
  }

  /**
   * Gives the parser the bytes `[0, bytes.length)` of the file. `fileSize` is the size of
   * the file when known; `maxHeader` the largest header accepted.
   */
  setWindow(bytes: Uint8Array, fileSize: number | undefined, maxHeader: number): void {
    this.#bytes = bytes;
    this.#dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#avail = bytes.length;
    this.#fileSize = fileSize;
    this.#maxHeader = maxHeader;
    this.#limit = fileSize !== undefined ? Math.min(fileSize, maxHeader) : maxHeader;
  }

  /**
   * Parses as far as the window allows. Returns when the header is complete; throws
   * `NeedMoreBytes` when the window must grow (call again afterwards), or a `GGUFError`.
   */
  run(): void {
    if (this.#stage === 'preamble') {
      this.#cur = this.#pos;
      this.#preamble();
      this.#pos = this.#cur;
      this.#stage = 'kv';
    }
    if (this.#stage === 'kv') {
      while (this.#metadata.length < this.#nKv) {
        this.#cur = this.#pos;
        const entry = this.#kv();
        this.#metadata.push(entry);
        this.#keys.set(entry.key, entry);
        this.#pos = this.#cur;
      }
      this.#resolveAlignment();
      this.#tensorInfoOffset = this.#pos;
      this.#stage = 'tensors';
    }
    if (this.#stage === 'tensors') {
      while (this.#tensors.length < this.#nTensors) {
        this.#cur = this.#pos;
        const info = this.#tensorInfo();
        this.#tensors.push(info);
        this.#names.add(info.name);
        this.#pos = this.#cur;
      }
      this.#stage = 'done';
    }
  }

  /**
   * The finished header. `fileSize`, when known, is used to check that the data section
   * and every tensor's bytes lie inside the file.
   */
  result(fileSize: number | undefined): ParsedHeader {
    if (this.#stage !== 'done') throw new Error('HeaderParser.result() before run() completed');
    const headerLength = this.#pos;
    // Keep one buffer alive: the final window, cut to the header when it is much longer.
    const keep = this.#bytes.length > headerLength + Math.floor(headerLength / 2) ? this.#bytes.slice(0, headerLength) : this.#bytes;
    for (const list of this.#lists) list.rebase(keep);
    const dataOffset = alignUp(headerLength, this.#alignment);
    const name = this.#s.name;
    if (fileSize !== undefined && this.#tensors.length > 0 && dataOffset > fileSize) {
      throw new GGUFFormatError(`truncated: the tensor data section starts at ${dataOffset} (header end ${headerLength} padded to alignment ${this.#alignment}) but the file has ${fileSize} bytes`, { file: name, offset: headerLength });
    }
    let expected = 0;
    for (const t of this.#tensors) {
      if (fileSize !== undefined && dataOffset + t.offset + t.byteLength > fileSize) {
        throw new GGUFFormatError(
          `tensor "${t.name}" data [${dataOffset + t.offset}, ${dataOffset + t.offset + t.byteLength}) extends past the end of the file (${fileSize} bytes)`,
          { file: name, offset: dataOffset + t.offset },
        );
      }
      if (this.#s.strict) {
        if (t.offset !== expected) {
          throw new GGUFFormatError(`tensor "${t.name}" has data offset ${t.offset}, expected ${expected} (llama.cpp requires tensors stored in order, each padded to ${this.#alignment})`, { file: name });
        }
        expected += alignUp(t.byteLength, this.#alignment);
      }
    }
    return {
      version: this.#version,
      bigEndian: !this.#le,
      metadata: this.#metadata,
      tensors: this.#tensors,
      alignment: this.#alignment,
      dataOffset,
      headerLength,
      tensorInfoOffset: this.#tensorInfoOffset,
    };
  }

  // ---- bounds -------------------------------------------------------------

  #formatError(message: string, offset = this.#cur): GGUFFormatError {
    return new GGUFFormatError(message, { file: this.#s.name, offset });
  }

  /** Ensures `n` bytes at `at` are in the window (or fails / asks for more). */
  #needAt(at: number, n: number, what: string): void {
    const end = at + n;
    if (end <= this.#avail) return;
    if (end > this.#limit) throw this.#beyondLimit(`expected ${what} (${n} bytes)`, end, at);
    throw new NeedMoreBytes(end);
  }

  /**
   * The error for something that would end at `end`, past the limit: a truncated or
   * corrupt file when the file is shorter, otherwise a header over `maxHeaderBytes`.
   */
  #beyondLimit(message: string, end: number, at: number): GGUFError {
    if (this.#fileSize !== undefined && end > this.#fileSize) {
      return this.#formatError(`truncated: ${message} but the file ends at ${this.#fileSize}`, at);
    }
    return new GGUFUnsupportedError(`${message}: the header would extend to ${end}, beyond maxHeaderBytes (${this.#maxHeader})`, { file: this.#s.name, offset: at });
  }

  #need(n: number, what: string): void {
    this.#needAt(this.#cur, n, what);
  }

  /**
   * Fails unless `count` items of at least `minBytes` each fit between the current
   * position and the limit. `at` is where the count was read (for the message).
   */
  #checkCount(count: number, minBytes: number, what: string, at = this.#cur): void {
    const room = this.#limit - this.#cur;
    if (count * minBytes > room) {
      const exact = this.#exact(count, at);
      throw this.#beyondLimit(`${what}: count ${exact} needs at least ${exact * BigInt(minBytes)} bytes after offset ${this.#cur}`, this.#cur + count * minBytes, at);
    }
  }

  /** A value read as a u64 double, exactly (re-read as a bigint when beyond 2^53). */
  #exact(value: number, at: number): bigint {
    return value > Number.MAX_SAFE_INTEGER && this.#wide ? this.#dv.getBigUint64(at, this.#le) : BigInt(value);
  }

  // ---- primitive reads (callers have checked bounds) ------------------------

  #u32(): number {
    const v = this.#dv.getUint32(this.#cur, this.#le);
    this.#cur += 4;
    return v;
  }

  /** A u64 as a double: exact up to 2^53, and any larger value still fails every bound. */
  #u64(): number {
    const lo = this.#dv.getUint32(this.#cur + (this.#le ? 0 : 4), this.#le);
    const hi = this.#dv.getUint32(this.#cur + (this.#le ? 4 : 0), this.#le);
    this.#cur += 8;
    return hi * TWO_32 + lo;
  }

  /** A count or length: u32 in v1, u64 in v2+. */
  #size(what: string): number {
    if (this.#wide) {
      this.#need(8, what);
      return this.#u64();
    }
    this.#need(4, what);
    return this.#u32();
  }

  // ---- header sections ------------------------------------------------------

  #preamble(): void {
    this.#need(8, 'magic and version');
    const b = this.#bytes;
    if (b[0] !== 0x47 || b[1] !== 0x47 || b[2] !== 0x55 || b[3] !== 0x46) {
      const shown = Array.from(b.subarray(0, 4), (c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '?')).join('');
      throw this.#formatError(`not a GGUF file: magic is "${shown}", expected "GGUF"`, 0);
    }
    const asLE = this.#dv.getUint32(4, true);
    const asBE = this.#dv.getUint32(4, false);
    // A version is a small number, so in the other byte order its low 16 bits are zero.
    // That, and only that, identifies a big-endian file.
    if (asLE > 0xffff && (asLE & 0xffff) === 0 && asBE !== 0 && asBE <= 0xffff) {
      this.#le = false;
      this.#version = asBE;
    } else {
      this.#version = asLE;
    }
    this.#cur = 8;
    if (this.#version === 0) throw this.#formatError('GGUF version 0 is invalid', 4);
    if (this.#version > 3) {
      throw new GGUFUnsupportedError(`GGUF version ${this.#version} is not supported (1, 2 and 3 are)`, { file: this.#s.name, offset: 4 });
    }
    if (this.#version === 1 && this.#s.strict) {
      throw new GGUFUnsupportedError('GGUF version 1 is not accepted by llama.cpp (strict mode)', { file: this.#s.name, offset: 4 });
    }
    this.#wide = this.#version >= 2;
    const countBytes = this.#wide ? 8 : 4;
    this.#need(2 * countBytes, 'tensor and metadata counts');
    const tensorsAt = this.#cur;
    this.#nTensors = this.#wide ? this.#i64Count('tensor count') : this.#u32();
    const kvAt = this.#cur;
    this.#nKv = this.#wide ? this.#i64Count('metadata entry count') : this.#u32();
    // smallest metadata entry: key length + type + a one-byte value; smallest tensor info:
    // name length + n_dims + type + offset
    const minKv = (this.#wide ? 8 : 4) + 4 + 1;
    const minTensor = (this.#wide ? 8 : 4) + 4 + 4 + 8;
    this.#cur = kvAt;
    this.#checkCount(this.#nKv, minKv, 'metadata entries');
    this.#cur = tensorsAt;
    this.#checkCount(this.#nTensors, minTensor, 'tensor infos');
    this.#cur = kvAt + countBytes;
    const minBytes = this.#nKv * minKv + this.#nTensors * minTensor;
    if (minBytes > this.#limit - this.#cur) {
      throw this.#beyondLimit(`${this.#nTensors} tensor infos and ${this.#nKv} metadata entries need at least ${minBytes} bytes after offset ${this.#cur}`, this.#cur + minBytes, tensorsAt);
    }
  }

  /** An int64 count; negative values are invalid. */
  #i64Count(what: string): number {
    const at = this.#cur;
    const hiWord = this.#dv.getUint32(at + (this.#le ? 4 : 0), this.#le);
    if (hiWord >= 0x80000000) throw this.#formatError(`${what} is negative`, at);
    return this.#u64();
  }

  #string(what: string): { start: number; end: number } {
    const at = this.#cur;
    const len = this.#size(`${what} length`);
    if (len > this.#limit - this.#cur) throw this.#beyondLimit(`${what}: length ${this.#exact(len, at)} at offset ${this.#cur}`, this.#cur + len, at);
    this.#need(len, what);
    const start = this.#cur;
    this.#cur += len;
    return { start, end: this.#cur };
  }

  #kv(): GGUFMetadataEntry {
    const at = this.#cur;
    const { start, end } = this.#string(`key of metadata entry ${this.#metadata.length}`);
    const key = decodeUtf8(this.#bytes, start, end);
    if (key.length === 0) throw this.#formatError(`metadata entry ${this.#metadata.length} has an empty key`, at);
    if (this.#keys.has(key)) throw this.#formatError(`duplicate metadata key "${key}"`, at);
    this.#need(4, `value type of "${key}"`);
    const typeAt = this.#cur;
    const type = this.#u32();
    if (type > 12) throw this.#formatError(`metadata key "${key}" has unknown value type ${type}`, typeAt);
    const value = this.#value(type, key, 0);
    return { key, type: type as GGUFValueTypeId, value };
  }

  #value(type: number, key: string, depth: number): GGUFValue {
    const dv = this.#dv;
    const at = this.#cur;
    switch (type) {
      case GGUFValueType.UINT8: this.#need(1, `value of "${key}"`); this.#cur += 1; return dv.getUint8(at);
      case GGUFValueType.INT8: this.#need(1, `value of "${key}"`); this.#cur += 1; return dv.getInt8(at);
      case GGUFValueType.BOOL: this.#need(1, `value of "${key}"`); this.#cur += 1; return dv.getUint8(at) !== 0;
      case GGUFValueType.UINT16: this.#need(2, `value of "${key}"`); this.#cur += 2; return dv.getUint16(at, this.#le);
      case GGUFValueType.INT16: this.#need(2, `value of "${key}"`); this.#cur += 2; return dv.getInt16(at, this.#le);
      case GGUFValueType.UINT32: this.#need(4, `value of "${key}"`); this.#cur += 4; return dv.getUint32(at, this.#le);
      case GGUFValueType.INT32: this.#need(4, `value of "${key}"`); this.#cur += 4; return dv.getInt32(at, this.#le);
      case GGUFValueType.FLOAT32: this.#need(4, `value of "${key}"`); this.#cur += 4; return dv.getFloat32(at, this.#le);
      case GGUFValueType.UINT64: this.#need(8, `value of "${key}"`); this.#cur += 8; return dv.getBigUint64(at, this.#le);
      case GGUFValueType.INT64: this.#need(8, `value of "${key}"`); this.#cur += 8; return dv.getBigInt64(at, this.#le);
      case GGUFValueType.FLOAT64: this.#need(8, `value of "${key}"`); this.#cur += 8; return dv.getFloat64(at, this.#le);
      case GGUFValueType.STRING: return this.#stringValue(`value of "${key}"`);
      case GGUFValueType.ARRAY: return this.#array(key, depth);
      default: throw this.#formatError(`metadata key "${key}" has unknown value type ${type}`);
    }
  }

  /** A string value: decoded when valid UTF-8, otherwise the raw bytes (copied). */
  #stringValue(what: string): GGUFString {
    const { start, end } = this.#string(what);
    return decodeUtf8Strict(this.#bytes, start, end) ?? this.#bytes.slice(start, end);
  }

  #array(key: string, depth: number): GGUFArray {
    if (depth >= GGUF_MAX_ARRAY_DEPTH) throw this.#formatError(`metadata key "${key}": arrays nested deeper than ${GGUF_MAX_ARRAY_DEPTH}`);
    if (depth > 0 && this.#s.strict) throw this.#formatError(`metadata key "${key}": nested arrays are not accepted by llama.cpp (strict mode)`);
    this.#need(4, `array item type of "${key}"`);
    const typeAt = this.#cur;
    const itemType = this.#u32();
    if (itemType > 12) throw this.#formatError(`metadata key "${key}": array has unknown item type ${itemType}`, typeAt);
    const countAt = this.#cur;
    const n = this.#size(`array length of "${key}"`);
    const what = `array "${key}" of ${typeName(itemType)}`;
    this.#cur = countAt + (this.#wide ? 8 : 4);
    switch (itemType) {
      case GGUFValueType.STRING:
        return { itemType, values: this.#stringArray(n, what, countAt) };
      case GGUFValueType.BOOL: {
        this.#checkCount(n, 1, what, countAt);
        this.#need(n, what);
        const b = this.#bytes;
        const values = new Array<boolean>(n);
        for (let i = 0, p = this.#cur; i < n; i++, p++) values[i] = b[p] !== 0;
        this.#cur += n;
        return { itemType, values };
      }
      case GGUFValueType.ARRAY: {
        this.#checkCount(n, (this.#wide ? 8 : 4) + 4, what, countAt);
        const values: GGUFArray[] = [];
        for (let i = 0; i < n; i++) values.push(this.#array(key, depth + 1));
        return { itemType, values };
      }
      default: {
        const ctor = NUMERIC_ARRAY_CLASS[itemType]!;
        const size = ctor.BYTES_PER_ELEMENT;
        this.#checkCount(n, size, what, countAt);
        this.#need(n * size, what);
        // A copy starts at offset 0 of its own buffer, so it is aligned for any typed array.
        const copy = this.#bytes.slice(this.#cur, this.#cur + n * size);
        if (size > 1 && this.#le !== HOST_LE) swapInPlace(copy, size);
        this.#cur += n * size;
        return { itemType, values: new ctor(copy.buffer, 0, n) } as GGUFArray;
      }
    }
  }

  /**
   * The hot path for vocabularies: records where each item starts and decodes nothing.
   * The list refers to the header window (no copy); when the window must grow mid-array,
   * the progress so far is kept and the next attempt continues from the same item.
   */
  #stringArray(n: number, what: string, countAt: number): LazyStringList {
    const prefix = this.#wide ? 8 : 4;
    const base = this.#cur;
    let bounds: Uint32Array;
    let i = 0;
    let p = base;
    const r = this.#resume;
    if (r && r.base === base && r.bounds.length === n + 1) {
      ({ bounds, i, p } = r);
    } else {
      this.#checkCount(n, prefix, what, countAt);
      this.#need(n * prefix, what);
      bounds = new Uint32Array(n + 1);
    }
    this.#resume = undefined;
    const dv = this.#dv;
    const le = this.#le;
    const wide = this.#wide;
    const avail = this.#avail;
    const limit = this.#limit;
    const loOff = le ? 0 : 4;
    const hiOff = le ? 4 : 0;
    for (; i < n; i++) {
      if (p + prefix > avail) {
        this.#resume = { base, bounds, i, p };
        this.#needAt(p, prefix * (n - i), `${what} item ${i}`);
      }
      let len: number;
      if (wide) {
        const hi = dv.getUint32(p + hiOff, le);
        len = dv.getUint32(p + loOff, le) + (hi === 0 ? 0 : hi * TWO_32);
      } else {
        len = dv.getUint32(p, le);
      }
      bounds[i] = p;
      const end = p + prefix + len;
      if (end > avail) {
        if (end > limit) throw this.#beyondLimit(`${what} item ${i}: length ${this.#exact(len, p)} at offset ${p + prefix}`, end, p);
        // ask for this item and at least the length prefixes of the items after it
        this.#resume = { base, bounds, i, p };
        this.#needAt(p, prefix + len + prefix * (n - i - 1), `${what} item ${i}`);
      }
      p = end;
    }
    bounds[n] = p;
    this.#cur = p;
    const list = new LazyStringList(this.#bytes, bounds, prefix);
    this.#lists.push(list);
    return list;
  }

  #tensorInfo(): GGUFTensorInfo {
    const index = this.#tensors.length;
    const at = this.#cur;
    const { start, end } = this.#string(`name of tensor ${index}`);
    const name = decodeUtf8(this.#bytes, start, end);
    if (this.#s.strict && end - start >= GGML_MAX_NAME) {
      throw this.#formatError(`tensor ${index} name is ${end - start} bytes; llama.cpp allows at most ${GGML_MAX_NAME - 1}`, at);
    }
    if (this.#names.has(name)) throw this.#formatError(`duplicate tensor name "${name}"`, at);
    this.#need(4, `n_dims of tensor "${name}"`);
    const dimsAt = this.#cur;
    const nDims = this.#u32();
    if (nDims > GGUF_MAX_DIMS) throw this.#formatError(`tensor "${name}" has ${nDims} dimensions; at most ${GGUF_MAX_DIMS} are allowed`, dimsAt);
    const dimBytes = this.#wide ? 8 : 4;
    this.#need(nDims * dimBytes + 4 + 8, `shape, type and offset of tensor "${name}"`);
    const ne: number[] = [];
    let elements = 1;
    for (let d = 0; d < nDims; d++) {
      const dimAt = this.#cur;
      let v: number;
      if (this.#wide) {
        if (this.#dv.getUint32(dimAt + (this.#le ? 4 : 0), this.#le) >= 0x80000000) {
          throw this.#formatError(`tensor "${name}" dimension ${d} is negative`, dimAt);
        }
        v = this.#u64();
      } else {
        v = this.#u32();
      }
      if (v > Number.MAX_SAFE_INTEGER) throw this.#formatError(`tensor "${name}" dimension ${d} (${v}) is too large`, dimAt);
      elements *= v;
      ne.push(v);
    }
    if (elements > Number.MAX_SAFE_INTEGER) {
      throw this.#formatError(`tensor "${name}" with shape [${ne.join(', ')}] has more elements than can be addressed`, dimsAt);
    }
    const typeAt = this.#cur;
    const type = this.#u32();
    const info = ggmlTypeInfo(type);
    if (!info) throw this.#formatError(`tensor "${name}" has unknown ggml type ${type}`, typeAt);
    if (info.removed && this.#s.strict) {
      throw this.#formatError(`tensor "${name}" uses type ${info.name}, which llama.cpp no longer accepts (strict mode)`, typeAt);
    }
    const ne0 = nDims > 0 ? ne[0]! : 1;
    if (ne0 % info.blockSize !== 0) {
      throw this.#formatError(`tensor "${name}" of type ${info.name} has rows of ${ne0} values, not a multiple of the block size ${info.blockSize}`, dimsAt);
    }
    let byteLength = rowBytes(type, ne0);
    for (let d = 1; d < nDims; d++) byteLength *= ne[d]!;
    if (elements === 0) byteLength = 0;
    if (byteLength > Number.MAX_SAFE_INTEGER) {
      throw this.#formatError(`tensor "${name}" with shape [${ne.join(', ')}] is too large (${byteLength} bytes)`, dimsAt);
    }
    const offsetAt = this.#cur;
    const offset = this.#u64();
    if (offset > Number.MAX_SAFE_INTEGER) throw this.#formatError(`tensor "${name}" data offset ${offset} is too large`, offsetAt);
    if (offset % this.#alignment !== 0) {
      throw this.#formatError(`tensor "${name}" data offset ${offset} is not a multiple of the alignment ${this.#alignment}`, offsetAt);
    }
    return { name, ne, type, offset, byteLength };
  }

  #resolveAlignment(): void {
    const e = this.#keys.get('general.alignment');
    if (!e) return;
    if (e.type !== GGUFValueType.UINT32) {
      throw this.#formatError(`general.alignment must be UINT32 but is ${typeName(e.type)}`, this.#pos);
    }
    const a = e.value as number;
    if (a === 0 || (a & (a - 1)) !== 0) {
      throw this.#formatError(`general.alignment ${a} is not a non-zero power of two`, this.#pos);
    }
    this.#alignment = a;
  }
}
