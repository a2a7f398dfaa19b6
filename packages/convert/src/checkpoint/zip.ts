/**
 * Just enough of the ZIP format to read PyTorch checkpoints lazily: the central directory
 * (with ZIP64 extensions) lists the entries; stored entries are read by byte range, and
 * deflated ones are inflated with fflate when needed.
 */
import { inflateSync } from 'fflate';
import type { ByteReader } from '../io/byte-reader.js';
import { CheckpointFormatError } from './safetensors.js';

export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflate. */
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

export interface ZipArchive {
  readonly entries: ReadonlyMap<string, ZipEntry>;
  /** Reads `length` bytes at `offset` of an entry's uncompressed content. */
  read(entry: ZipEntry, offset: number, length: number): Promise<Uint8Array>;
}

const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
function u64(file: string, b: Uint8Array, o: number): number {
  const v = u32(b, o) + u32(b, o + 4) * 2 ** 32;
  if (!Number.isSafeInteger(v)) throw new CheckpointFormatError(file, `zip: 64-bit value at ${o} too large`);
  return v;
}

/** Opens a ZIP archive: reads its central directory only. */
export async function openZip(reader: ByteReader): Promise<ZipArchive> {
  const file = reader.name;
  const size = await reader.size();
  const tailLen = Math.min(size, 22 + 0xffff + 20);
  const tail = await reader.read(size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (u32(tail, i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new CheckpointFormatError(file, 'not a zip archive (no end of central directory record)');
  let count = u16(tail, eocd + 10);
  let cdSize = u32(tail, eocd + 12);
  let cdOffset = u32(tail, eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || u32(tail, loc) !== 0x07064b50) throw new CheckpointFormatError(file, 'zip: ZIP64 locator missing');
    const recOffset = u64(file, tail, loc + 8);
    if (recOffset + 56 > size) throw new CheckpointFormatError(file, 'zip: ZIP64 record outside the file');
    const rec = await reader.read(recOffset, 56);
    if (u32(rec, 0) !== 0x06064b50) throw new CheckpointFormatError(file, 'zip: bad ZIP64 end of central directory record');
    count = u64(file, rec, 32);
    cdSize = u64(file, rec, 40);
    cdOffset = u64(file, rec, 48);
  }
  if (cdOffset + cdSize > size) throw new CheckpointFormatError(file, `zip: central directory [${cdOffset}, ${cdOffset + cdSize}) outside the file (${size} bytes)`);
  if (count > cdSize / 46) throw new CheckpointFormatError(file, `zip: ${count} entries cannot fit in a ${cdSize}-byte central directory`);
  const cd = await reader.read(cdOffset, cdSize);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || u32(cd, p) !== 0x02014b50) throw new CheckpointFormatError(file, `zip: bad central directory entry ${i}`);
    const method = u16(cd, p + 10);
    let compressedSize = u32(cd, p + 20);
    let uncompressed = u32(cd, p + 24);
    const nameLen = u16(cd, p + 28);
    const extraLen = u16(cd, p + 30);
    const commentLen = u16(cd, p + 32);
    let local = u32(cd, p + 42);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) throw new CheckpointFormatError(file, `zip: central directory entry ${i} overruns the directory`);
    const name = new TextDecoder().decode(cd.subarray(p + 46, p + 46 + nameLen));
    const extra = cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
    for (let e = 0; e + 4 <= extra.length;) {
      const id = u16(extra, e);
      const len = u16(extra, e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        const next = () => { if (q + 8 > e + 4 + len) throw new CheckpointFormatError(file, `zip: short ZIP64 field in "${name}"`); const v = u64(file, extra, q); q += 8; return v; };
        if (uncompressed === 0xffffffff) uncompressed = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (local === 0xffffffff) local = next();
      }
      e += 4 + len;
    }
    if (local + 30 > size) throw new CheckpointFormatError(file, `zip: entry "${name}" starts outside the file`);
    entries.set(name, { name, method, compressedSize, size: uncompressed, localHeaderOffset: local });
    p += 46 + nameLen + extraLen + commentLen;
  }
  const dataStart = new Map<string, number>();
  const inflated = new Map<string, Uint8Array>();
  const start = async (en: ZipEntry) => {
    let s = dataStart.get(en.name);
    if (s === undefined) {
      const h = await reader.read(en.localHeaderOffset, 30);
      if (u32(h, 0) !== 0x04034b50) throw new CheckpointFormatError(file, `zip: bad local header for "${en.name}"`);
      s = en.localHeaderOffset + 30 + u16(h, 26) + u16(h, 28);
      if (s + en.compressedSize > size) throw new CheckpointFormatError(file, `zip: entry "${en.name}" data runs past the end of the file`);
      dataStart.set(en.name, s);
    }
    return s;
  };
  return {
    entries,
    async read(en, offset, length) {
      if (offset < 0 || length < 0 || offset + length > en.size) {
        throw new CheckpointFormatError(file, `zip: cannot read [${offset}, ${offset + length}) of "${en.name}" (${en.size} bytes)`);
      }
      const s = await start(en);
      if (en.method === 0) return reader.read(s + offset, length);
      if (en.method !== 8) throw new CheckpointFormatError(file, `zip: entry "${en.name}" uses unsupported compression method ${en.method}`);
      let data = inflated.get(en.name);
      if (!data) {
        data = inflateSync(await reader.read(s, en.compressedSize), { out: new Uint8Array(en.size) });
        if (data.length !== en.size) throw new CheckpointFormatError(file, `zip: entry "${en.name}" inflated to ${data.length} bytes, expected ${en.size}`);
        // keep only small entries (the pickle) inflated; tensors are read once each
        if (en.size <= 64 << 20) inflated.set(en.name, data);
      }
      return data.subarray(offset, offset + length);
    },
  };
}
