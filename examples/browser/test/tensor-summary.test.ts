/** The demo's byte accounting per tensor type and per layer, on hand-made tensor infos. */
import type { GGUFTensorInfo } from '@ggufkit/gguf';
import { GGMLType } from '@ggufkit/tensor-layout';
import { layerOf, summarizeTensorBytes } from '../src/tensor-summary.js';

function info(name: string, type: number, byteLength: number): GGUFTensorInfo {
  return { name, type, byteLength, ne: [byteLength], offset: 0 };
}

describe('summarizeTensorBytes', () => {
  const tensors = [
    info('token_embd.weight', GGMLType.Q6_K, 1000),
    info('blk.0.attn_q.weight', GGMLType.Q4_K, 300),
    info('blk.0.attn_norm.weight', GGMLType.F32, 16),
    info('blk.10.ffn_down.weight', GGMLType.Q6_K, 500),
    info('blk.2.ffn_up.weight', GGMLType.Q4_K, 400),
    info('output_norm.weight', GGMLType.F32, 16),
  ];

  it('sums bytes and counts per type, largest first', () => {
    const s = summarizeTensorBytes(tensors);
    expect(s.totalBytes).toBe(2232);
    expect(s.byType).toEqual([
      { type: 'Q6_K', bytes: 1500, tensors: 2 },
      { type: 'Q4_K', bytes: 700, tensors: 2 },
      { type: 'F32', bytes: 32, tensors: 2 },
    ]);
  });

  it('groups blocks in numeric order, then everything outside the blocks', () => {
    const s = summarizeTensorBytes(tensors);
    expect(s.byLayer.map((l) => [l.layer, l.bytes])).toEqual([['blk.0', 316], ['blk.2', 400], ['blk.10', 500], ['other', 1016]]);
    expect(Object.fromEntries(s.byLayer[0]!.byType)).toEqual({ Q4_K: 300, F32: 16 });
    expect(Object.fromEntries(s.byLayer[3]!.byType)).toEqual({ Q6_K: 1000, F32: 16 });
  });

  it('takes the layer from the blk.N. prefix only', () => {
    expect(layerOf('blk.31.ffn_gate.weight')).toBe('blk.31');
    expect(layerOf('blk.x.weight')).toBe('other');
    expect(layerOf('output.weight')).toBe('other');
  });
});
