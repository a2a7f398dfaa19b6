import type { GGUFMetadataEntry, GGUFTensorInfo } from '@ggufkit/gguf';
import { elementCount, ggmlTypeName, llamaFileTypeName } from '@ggufkit/tensor-layout';

/** Size of the tensors of one ggml type in a model. */
export interface TypeSummary {
  /** ggml type name (`Q4_K`, `F32`, ...). */
  type: string;
  tensors: number;
  /** Elements of those tensors. */
  parameters: number;
  /** Bytes of tensor data (without alignment padding). */
  bytes: number;
  /** `bytes * 8 / parameters`. */
  bitsPerWeight: number;
}

/** The one-screen facts `ggufkit inspect --summary` prints. */
export interface ModelSummary {
  /** `general.architecture`, or null when absent. */
  architecture: string | null;
  /** `general.name`, or null when absent. */
  name: string | null;
  /** `general.file_type` as llama.cpp names it (`Q4_K_M`), or null when absent. */
  fileType: string | null;
  /** `<arch>.context_length`, `<arch>.block_count`, `<arch>.embedding_length` when present. */
  contextLength: number | null;
  blockCount: number | null;
  embeddingLength: number | null;
  /** Sum of the element counts of all tensors. */
  parameters: number;
  tensors: number;
  /** Bytes of tensor data (without alignment padding). */
  bytes: number;
  /** `bytes * 8 / parameters` over the whole model. */
  bitsPerWeight: number;
  /** Per ggml type, largest share of bytes first. */
  types: TypeSummary[];
}

function scalar(metadata: readonly GGUFMetadataEntry[], key: string): string | number | null {
  const v = metadata.find((e) => e.key === key)?.value;
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return null;
}

function numberOrNull(v: string | number | null): number | null {
  return typeof v === 'number' ? v : null;
}

const bpw = (bytes: number, params: number): number => (params > 0 ? (bytes * 8) / params : 0);

/** Summarizes a model from its header alone (no tensor data is read). */
export function summarizeModel(h: { readonly metadata: readonly GGUFMetadataEntry[]; readonly tensors: readonly GGUFTensorInfo[] }): ModelSummary {
  const arch = scalar(h.metadata, 'general.architecture');
  const architecture = typeof arch === 'string' ? arch : null;
  const name = scalar(h.metadata, 'general.name');
  const ftype = scalar(h.metadata, 'general.file_type');
  const perType = new Map<string, TypeSummary>();
  let parameters = 0;
  let bytes = 0;
  for (const t of h.tensors) {
    const n = elementCount(t.ne);
    const type = ggmlTypeName(t.type);
    const s = perType.get(type) ?? { type, tensors: 0, parameters: 0, bytes: 0, bitsPerWeight: 0 };
    s.tensors++;
    s.parameters += n;
    s.bytes += t.byteLength;
    perType.set(type, s);
    parameters += n;
    bytes += t.byteLength;
  }
  const types = [...perType.values()]
    .map((s) => ({ ...s, bitsPerWeight: bpw(s.bytes, s.parameters) }))
    .sort((a, b) => b.bytes - a.bytes || a.type.localeCompare(b.type));
  const archKey = (k: string) => (architecture ? numberOrNull(scalar(h.metadata, `${architecture}.${k}`)) : null);
  return {
    architecture,
    name: typeof name === 'string' ? name : null,
    fileType: typeof ftype === 'number' ? llamaFileTypeName(ftype) : null,
    contextLength: archKey('context_length'),
    blockCount: archKey('block_count'),
    embeddingLength: archKey('embedding_length'),
    parameters,
    tensors: h.tensors.length,
    bytes,
    bitsPerWeight: bpw(bytes, parameters),
    types,
  };
}

/** Parameter count in the usual short form: 6.82M, 1.24B. */
export function formatParameters(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(2)}K`;
  return String(n);
}
