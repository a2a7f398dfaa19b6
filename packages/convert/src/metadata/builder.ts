/**
 * Collects GGUF metadata in insertion order with exact GGUF value types, the way
 * gguf-py's `GGUFWriter.add_*` calls build it: setting a key again replaces its value
 * but keeps its original position.
 */
import type { GGUFArray, GGUFMetadataEntry, GGUFString } from '@ggufkit/gguf';
import { GGUFValueType } from '@ggufkit/tensor-layout';

function checkInt(key: string, v: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`metadata "${key}": ${v} is not a valid ${what}`);
  return v;
}

/** Ordered GGUF metadata under construction. */
export class MetadataBuilder {
  private readonly entries = new Map<string, GGUFMetadataEntry>();

  /** Sets an entry with an explicit type and value. */
  set(entry: GGUFMetadataEntry): this {
    if (entry.key.length === 0) throw new RangeError('metadata key must not be empty');
    this.entries.set(entry.key, entry);
    return this;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): GGUFMetadataEntry | undefined {
    return this.entries.get(key);
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  u32(key: string, v: number): this {
    return this.set({ key, type: GGUFValueType.UINT32, value: checkInt(key, v, 0, 0xffffffff, 'uint32') });
  }

  i32(key: string, v: number): this {
    return this.set({ key, type: GGUFValueType.INT32, value: checkInt(key, v, -0x80000000, 0x7fffffff, 'int32') });
  }

  f32(key: string, v: number): this {
    if (typeof v !== 'number') throw new RangeError(`metadata "${key}": ${String(v)} is not a number`);
    return this.set({ key, type: GGUFValueType.FLOAT32, value: Math.fround(v) });
  }

  bool(key: string, v: boolean): this {
    return this.set({ key, type: GGUFValueType.BOOL, value: v });
  }

  str(key: string, v: GGUFString): this {
    return this.set({ key, type: GGUFValueType.STRING, value: v });
  }

  strArray(key: string, values: readonly GGUFString[]): this {
    const value: GGUFArray = { itemType: GGUFValueType.STRING, values };
    return this.set({ key, type: GGUFValueType.ARRAY, value });
  }

  i32Array(key: string, values: Int32Array): this {
    return this.set({ key, type: GGUFValueType.ARRAY, value: { itemType: GGUFValueType.INT32, values } });
  }

  f32Array(key: string, values: Float32Array): this {
    return this.set({ key, type: GGUFValueType.ARRAY, value: { itemType: GGUFValueType.FLOAT32, values } });
  }

  /** The entries in order. */
  toArray(): GGUFMetadataEntry[] {
    return [...this.entries.values()];
  }
}
