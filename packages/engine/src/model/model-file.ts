/**
 * What the engine needs from a GGUF file: metadata, tensor infos and tensor bytes.
 * `GGUFFile` from `@ggufkit/gguf` satisfies it.
 */
import type { GGUFMetadataEntry, GGUFTensorInfo, GGUFArray } from '@ggufkit/gguf';

export interface ModelFile {
  readonly metadata: readonly GGUFMetadataEntry[];
  readonly tensors: readonly GGUFTensorInfo[];
  get(key: string): GGUFMetadataEntry | undefined;
  readTensorData(t: GGUFTensorInfo): Promise<Uint8Array>;
  readTensorRange?(t: GGUFTensorInfo, start: number, end: number): Promise<Uint8Array>;
  close?(): Promise<void>;
}

/** Typed access to a model file's metadata, with errors that name the key. */
export class Metadata {
  constructor(private readonly file: ModelFile, private readonly name: string) {}

  has(key: string): boolean {
    return this.file.get(key) !== undefined;
  }

  number(key: string): number;
  number(key: string, fallback: number): number;
  number(key: string, fallback?: number): number {
    const e = this.file.get(key);
    if (e === undefined) {
      if (fallback !== undefined) return fallback;
      throw new TypeError(`${this.name}: metadata key ${key} is missing`);
    }
    if (typeof e.value === 'number') return e.value;
    if (typeof e.value === 'bigint') return Number(e.value);
    if (typeof e.value === 'boolean') return e.value ? 1 : 0;
    throw new TypeError(`${this.name}: metadata key ${key} is not a number`);
  }

  string(key: string): string;
  string(key: string, fallback: string): string;
  string(key: string, fallback?: string): string {
    const e = this.file.get(key);
    if (e === undefined) {
      if (fallback !== undefined) return fallback;
      throw new TypeError(`${this.name}: metadata key ${key} is missing`);
    }
    if (typeof e.value === 'string') return e.value;
    if (e.value instanceof Uint8Array) return new TextDecoder().decode(e.value);
    throw new TypeError(`${this.name}: metadata key ${key} is not a string`);
  }

  bool(key: string, fallback: boolean): boolean {
    const e = this.file.get(key);
    if (e === undefined) return fallback;
    if (typeof e.value === 'boolean') return e.value;
    if (typeof e.value === 'number') return e.value !== 0;
    throw new TypeError(`${this.name}: metadata key ${key} is not a boolean`);
  }

  /** A numeric array as plain numbers; undefined when absent. */
  numbers(key: string): number[] | undefined {
    const e = this.file.get(key);
    if (e === undefined) return undefined;
    const a = e.value as GGUFArray;
    if (!a || typeof a !== 'object' || !('values' in a)) throw new TypeError(`${this.name}: metadata key ${key} is not an array`);
    return Array.from(a.values as ArrayLike<number | bigint>, (v) => Number(v));
  }

  /** A string array as plain strings; undefined when absent. */
  strings(key: string): string[] | undefined {
    const e = this.file.get(key);
    if (e === undefined) return undefined;
    const a = e.value as GGUFArray;
    if (!a || typeof a !== 'object' || !('values' in a)) throw new TypeError(`${this.name}: metadata key ${key} is not an array`);
    const v = a.values as unknown;
    if (v && typeof (v as { toArray?: unknown }).toArray === 'function') return (v as { toArray(): string[] }).toArray();
    const dec = new TextDecoder();
    return Array.from(v as ArrayLike<string | Uint8Array>, (s) => (typeof s === 'string' ? s : dec.decode(s)));
  }
}
