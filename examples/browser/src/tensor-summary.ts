/** Where a model's bytes go: tensor data summed per ggml type and per transformer layer. */
import type { GGUFTensorInfo } from '@ggufkit/gguf';
import { ggmlTypeName } from '@ggufkit/tensor-layout';

export interface TypeBytes {
  /** ggml type name (`Q4_K`, `F32`, ...). */
  readonly type: string;
  readonly bytes: number;
  readonly tensors: number;
}

export interface LayerBytes {
  /** `blk.N` for a transformer block; `other` for embeddings, output and norms outside blocks. */
  readonly layer: string;
  readonly bytes: number;
  /** Bytes of this layer per type name. */
  readonly byType: ReadonlyMap<string, number>;
}

export interface TensorBytesSummary {
  /** Types by decreasing bytes. */
  readonly byType: readonly TypeBytes[];
  /** Blocks in order, then `other` when any tensor lies outside the blocks. */
  readonly byLayer: readonly LayerBytes[];
  readonly totalBytes: number;
}

/** The layer a tensor belongs to, from llama.cpp's `blk.N.` naming. */
export function layerOf(name: string): string {
  const m = /^blk\.(\d+)\./.exec(name);
  return m ? `blk.${m[1]}` : 'other';
}

export function summarizeTensorBytes(tensors: readonly GGUFTensorInfo[]): TensorBytesSummary {
  const types = new Map<string, { bytes: number; tensors: number }>();
  const layers = new Map<string, Map<string, number>>();
  let totalBytes = 0;
  for (const t of tensors) {
    const type = ggmlTypeName(t.type);
    const ty = types.get(type) ?? { bytes: 0, tensors: 0 };
    ty.bytes += t.byteLength;
    ty.tensors += 1;
    types.set(type, ty);
    const layer = layerOf(t.name);
    const ly = layers.get(layer) ?? new Map<string, number>();
    ly.set(type, (ly.get(type) ?? 0) + t.byteLength);
    layers.set(layer, ly);
    totalBytes += t.byteLength;
  }
  const byType = [...types].map(([type, v]) => ({ type, ...v })).sort((a, b) => b.bytes - a.bytes || a.type.localeCompare(b.type));
  const blockNumber = (layer: string): number => (layer === 'other' ? Infinity : Number(layer.slice(4)));
  const byLayer = [...layers]
    .sort(([a], [b]) => blockNumber(a) - blockNumber(b))
    .map(([layer, byTypeOfLayer]) => ({
      layer,
      bytes: [...byTypeOfLayer.values()].reduce((s, b) => s + b, 0),
      byType: byTypeOfLayer,
    }));
  return { byType, byLayer, totalBytes };
}
