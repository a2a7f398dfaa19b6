import type { GGUFArray, GGUFFile, GGUFHeader, GGUFModel, GGUFValue } from '@ggufkit/gguf';
import { ggmlTypeName, ggufValueTypeName } from '@ggufkit/tensor-layout';
import { toJSONValue } from './json-value.js';

/** The JSON document `ggufkit inspect --json` prints. */
export interface InspectJSON {
  version: number;
  metadata: Record<string, unknown>;
  tensors: Array<{ name: string; type: string; shape: number[]; offset: number; bytes: number }>;
}

/** Builds the `--json` document: metadata by key, tensors with ggml type names and GGUF ne-order shapes. */
export function inspectJSON(h: Pick<GGUFHeader, 'version' | 'metadata' | 'tensors'>): InspectJSON {
  const metadata: Record<string, unknown> = {};
  for (const e of h.metadata) metadata[e.key] = toJSONValue(e.value);
  return {
    version: h.version,
    metadata,
    tensors: h.tensors.map((t) => ({ name: t.name, type: ggmlTypeName(t.type), shape: [...t.ne], offset: t.offset, bytes: t.byteLength })),
  };
}

const ARRAY_PREVIEW = 6;

function previewScalar(v: GGUFValue): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 120 ? v.slice(0, 117) + '...' : v);
  if (v instanceof Uint8Array) return `<${v.length} raw bytes>`;
  return String(v);
}

function previewArray(a: GGUFArray): string {
  const n = a.values.length;
  const items: string[] = [];
  for (let i = 0; i < Math.min(n, ARRAY_PREVIEW); i++) {
    if (a.itemType === 8) {
      const list = a.values;
      const s = 'get' in list ? list.get(i) : list[i]!;
      items.push(previewScalar(s));
    } else if (a.itemType === 9) {
      items.push(`[${a.values[i]!.values.length} items]`);
    } else {
      items.push(String((a.values as ArrayLike<unknown>)[i]));
    }
  }
  return `[${items.join(', ')}${n > ARRAY_PREVIEW ? `, ... (${n} items)` : ''}]`;
}

/** Renders a gguf_dump-like text report: header facts, a metadata table and a tensor table. */
export function inspectText(h: GGUFFile | GGUFModel, source: string): string {
  const lines: string[] = [];
  const layout = 'shards' in h
    ? `split model in ${h.shards.length} shard(s)`
    : `alignment ${h.alignment}, tensor data at ${h.dataOffset}`;
  lines.push(`* ${source}: GGUF v${h.version}, ${h.bigEndian ? 'big' : 'little'}-endian, ${layout}`);
  lines.push(`* ${h.metadata.length} key/value pair(s)`);
  const w = String(h.metadata.length).length + 1;
  h.metadata.forEach((e, i) => {
    const isArray = typeof e.value === 'object' && !(e.value instanceof Uint8Array);
    const typeName = isArray
      ? `[${ggufValueTypeName((e.value as GGUFArray).itemType)}]`
      : ggufValueTypeName(e.type) ?? String(e.type);
    const count = isArray ? (e.value as GGUFArray).values.length : 1;
    const shown = isArray ? previewArray(e.value as GGUFArray) : previewScalar(e.value);
    lines.push(`${String(i + 1).padStart(w)}: ${typeName.padEnd(9)} | ${String(count).padStart(8)} | ${e.key} = ${shown}`);
  });
  lines.push(`* ${h.tensors.length} tensor(s)`);
  const tw = String(h.tensors.length).length + 1;
  let total = 0;
  h.tensors.forEach((t, i) => {
    total += t.byteLength;
    const n = t.ne.reduce((a, b) => a * b, 1);
    const shape = t.ne.map((d) => String(d).padStart(6)).join(', ');
    lines.push(`${String(i + 1).padStart(tw)}: ${String(n).padStart(10)} | ${shape.padEnd(34)} | ${ggmlTypeName(t.type).padEnd(7)} | ${formatBytes(t.byteLength).padStart(9)} | ${t.name}`);
  });
  lines.push(`* tensor data: ${formatBytes(total)}`);
  return lines.join('\n') + '\n';
}

/** Human-readable byte count (binary units). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}
