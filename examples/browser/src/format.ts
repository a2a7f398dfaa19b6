/** Text for the tables: byte sizes, shapes and metadata values (long values shortened). */
import type { GGUFArray, GGUFMetadataEntry, GGUFString, GGUFValue } from '@ggufkit/gguf';
import { GGUFValueType, ggufValueTypeName } from '@ggufkit/tensor-layout';

/** Items of an array shown before "…". */
const ARRAY_PREVIEW = 8;
/** Characters of a string shown before "…" (the full text goes in the cell's title). */
const STRING_PREVIEW = 240;

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(2)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

/** `4096 × 32000`, fastest dimension first as GGUF stores it. */
export function formatShape(ne: readonly number[]): string {
  return ne.join(' × ');
}

/** `STRING`, `UINT32`, `ARRAY<STRING>`... */
export function valueTypeLabel(e: GGUFMetadataEntry): string {
  const name = ggufValueTypeName(e.type) ?? `type ${e.type}`;
  if (e.type !== GGUFValueType.ARRAY) return name;
  return `ARRAY<${ggufValueTypeName((e.value as GGUFArray).itemType) ?? '?'}>[${arrayLength(e.value as GGUFArray)}]`;
}

function arrayLength(a: GGUFArray): number {
  return a.values.length;
}

/** The shortest decimal that reads back as the same float32 (0.00001, not 0.000009999999747378752). */
export function formatF32(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  for (let digits = 1; digits < 9; digits++) {
    const s = x.toPrecision(digits);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(Number(x.toPrecision(9)));
}

function scalarText(v: unknown, type: number): string {
  return type === GGUFValueType.FLOAT32 && typeof v === 'number' ? formatF32(v) : String(v);
}

function stringText(s: GGUFString): string {
  return typeof s === 'string' ? JSON.stringify(s) : `<${s.length} bytes, not UTF-8>`;
}

function itemText(a: GGUFArray, i: number): string {
  const v: unknown = 'get' in a.values && typeof a.values.get === 'function' ? a.values.get(i) : (a.values as ArrayLike<unknown>)[i];
  if (a.itemType === GGUFValueType.STRING) return stringText(v as GGUFString);
  if (a.itemType === GGUFValueType.ARRAY) return `[${arrayLength(v as GGUFArray)} items]`;
  return scalarText(v, a.itemType);
}

/** The full text of a metadata value; arrays list their first items only. */
export function formatValue(e: GGUFMetadataEntry): string {
  const v: GGUFValue = e.value;
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return `<${v.length} bytes, not UTF-8>`;
  if (typeof v !== 'object') return scalarText(v, e.type);
  const n = arrayLength(v);
  const shown = Array.from({ length: Math.min(n, ARRAY_PREVIEW) }, (_, i) => itemText(v, i));
  return `[${shown.join(', ')}${n > ARRAY_PREVIEW ? `, … ${n - ARRAY_PREVIEW} more` : ''}]`;
}

/** A value cut to a table cell's length. */
export function shorten(text: string): string {
  return text.length > STRING_PREVIEW ? `${text.slice(0, STRING_PREVIEW)}…` : text;
}
