import type { GGUFArray, GGUFValue } from '@ggufkit/gguf';

/**
 * Converts a metadata value to plain JSON: bigints become numbers when exact (else
 * decimal strings), typed arrays and lazy string lists become arrays, raw non-UTF-8
 * strings become `{ "bytes": [...] }`, and non-finite floats become strings.
 */
export function toJSONValue(value: GGUFValue): unknown {
  if (typeof value === 'bigint') return bigintToJSON(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Uint8Array) return { bytes: Array.from(value) };
  return arrayToJSON(value);
}

function bigintToJSON(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

function arrayToJSON(arr: GGUFArray): unknown[] {
  const out: unknown[] = [];
  const values = arr.values as Iterable<unknown> & { length: number };
  if (arr.itemType === 8) {
    const list = arr.values;
    for (let i = 0; i < list.length; i++) {
      const s = 'get' in list ? list.get(i) : list[i]!;
      out.push(typeof s === 'string' ? s : { bytes: Array.from(s) });
    }
    return out;
  }
  for (const v of values) out.push(toJSONValue(v as GGUFValue));
  return out;
}
