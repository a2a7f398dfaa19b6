import { GGMLType, GGUFValueType } from '@ggufkit/tensor-layout';
import { quantizeGGUF, TensorOverflowError, type QuantizeSource } from '@ggufkit/convert';

/** A one-layer llama-shaped source with one F32 weight holding `values`. */
function source(values: Float32Array): QuantizeSource {
  const bytes = new Uint8Array(values.buffer);
  return {
    version: 3,
    metadata: [
      { key: 'general.architecture', type: GGUFValueType.STRING, value: 'llama' },
      { key: 'llama.block_count', type: GGUFValueType.UINT32, value: 1 },
      { key: 'llama.attention.head_count', type: GGUFValueType.UINT32, value: 1 },
    ],
    tensors: [{ name: 'blk.0.ffn_up.weight', ne: [256, values.length / 256], type: GGMLType.F32, offset: 0, byteLength: bytes.byteLength }],
    readTensorData: async () => bytes,
  };
}

describe('overflow refusal', () => {
  const big = new Float32Array(512).map((_, i) => (i === 300 ? 1e9 : Math.sin(i)));

  it('refuses a block scale that overflows f16, naming the tensor', async () => {
    const q = quantizeGGUF(source(big), { ftype: 'Q4_K_M' });
    const data = q.tensors[0]!.data as () => Promise<Uint8Array>;
    await expect(data()).rejects.toThrow(TensorOverflowError);
    await expect(data()).rejects.toThrow(/blk\.0\.ffn_up\.weight.*Q4_K block holding index 256/);
  });

  it('refuses values beyond the f16 range for F16 output', async () => {
    const q = quantizeGGUF(source(big), { ftype: 'F16' });
    await expect((q.tensors[0]!.data as () => Promise<Uint8Array>)()).rejects.toThrow(/value 1000000000 at index 300 overflows F16/);
  });

  it('writes them as llama.cpp does when overflow is allowed', async () => {
    const q = quantizeGGUF(source(big), { ftype: 'Q4_K_M', allowOverflow: true });
    const bytes = await (q.tensors[0]!.data as () => Promise<Uint8Array>)();
    expect(bytes.byteLength).toBe(2 * 144);
  });

  it('passes ordinary weights', async () => {
    const q = quantizeGGUF(source(new Float32Array(512).map((_, i) => Math.cos(i))), { ftype: 'Q4_K_M' });
    await expect((q.tensors[0]!.data as () => Promise<Uint8Array>)()).resolves.toHaveLength(2 * 144);
  });
});
