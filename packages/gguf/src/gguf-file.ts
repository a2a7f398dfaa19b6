/**
 * An opened GGUF file: the parsed header, typed metadata access, and tensor data read
 * lazily from the byte source (never more than the caller asks for).
 */
import { GGUFTensorError } from './errors.js';
import type { GGUFHeader, GGUFTensorInfo } from './model.js';
import { MetadataAccess } from './reader-metadata.js';
import type { ParsedHeader } from './reader-parse.js';
import { fromSource, type ByteSource } from './source.js';

/** A GGUF file whose header has been parsed; tensor bytes stay in the source until read. */
export class GGUFFile extends MetadataAccess implements GGUFHeader {
  readonly version: number;
  readonly bigEndian: boolean;
  readonly tensors: readonly GGUFTensorInfo[];
  readonly alignment: number;
  readonly dataOffset: number;
  readonly headerLength: number;
  /** Where the tensor-info section starts (the end of the metadata). */
  readonly tensorInfoOffset: number;
  /** The file size, when the source knows it. */
  readonly fileSize: number | undefined;
  /** Where the bytes come from. */
  readonly source: ByteSource;
  readonly #byName: ReadonlyMap<string, GGUFTensorInfo>;

  /** Usually created by `openGGUF`; public so that other readers can wrap a parsed header. */
  constructor(source: ByteSource, header: ParsedHeader, fileSize?: number) {
    super(header.metadata, source.name);
    this.source = source;
    this.version = header.version;
    this.bigEndian = header.bigEndian;
    this.tensors = header.tensors;
    this.alignment = header.alignment;
    this.dataOffset = header.dataOffset;
    this.headerLength = header.headerLength;
    this.tensorInfoOffset = header.tensorInfoOffset;
    this.fileSize = fileSize;
    this.#byName = new Map(header.tensors.map((t) => [t.name, t]));
  }

  /** The tensor info named `name`; `GGUFTensorError` when there is none. */
  tensor(name: string): GGUFTensorInfo {
    const t = this.#byName.get(name);
    if (!t) throw new GGUFTensorError(`no tensor named "${name}"`, { file: this.source.name });
    return t;
  }

  /** True when the file has a tensor named `name`. */
  hasTensor(name: string): boolean {
    return this.#byName.has(name);
  }

  /** Absolute file offset of a tensor's first byte. */
  tensorFileOffset(t: string | GGUFTensorInfo): number {
    return this.dataOffset + this.#resolve(t).offset;
  }

  /**
   * All bytes of a tensor, as stored (in the file's byte order: a big-endian file's
   * tensors come back big-endian).
   */
  async readTensorData(t: string | GGUFTensorInfo): Promise<Uint8Array> {
    const info = this.#resolve(t);
    return this.#read(info, 0, info.byteLength);
  }

  /** Bytes `[start, end)` of a tensor's data; only those bytes are read. */
  async readTensorRange(t: string | GGUFTensorInfo, start: number, end: number): Promise<Uint8Array> {
    const info = this.#resolve(t);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > info.byteLength) {
      throw new GGUFTensorError(`byte range [${start}, ${end}) is outside tensor "${info.name}" (${info.byteLength} bytes)`, { file: this.source.name });
    }
    return this.#read(info, start, end - start);
  }

  /** Releases the source (closes the file handle of a local file). */
  async close(): Promise<void> {
    await this.source.close?.();
  }

  #resolve(t: string | GGUFTensorInfo): GGUFTensorInfo {
    if (typeof t === 'string') return this.tensor(t);
    const own = this.#byName.get(t.name);
    if (!own || own.offset !== t.offset || own.byteLength !== t.byteLength) {
      throw new GGUFTensorError(`tensor info "${t.name}" does not describe a tensor of this file`, { file: this.source.name });
    }
    return own;
  }

  #read(info: GGUFTensorInfo, start: number, length: number): Promise<Uint8Array> {
    const offset = this.dataOffset + info.offset + start;
    return fromSource(this.source, () => this.source.read(offset, length));
  }
}
