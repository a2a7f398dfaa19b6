/**
 * `quantizeGGUF` with `prefetch` and worker threads gives the bytes of the plain
 * single-threaded path, reads each tensor once, and reports a failed read of a
 * prefetched tensor when that tensor is written.
 */
import { GGMLType, GGUFValueType } from '@ggufkit/tensor-layout';
import { quantizeGGUF, type QuantizeSource } from '@ggufkit/convert';
import type { TensorToWrite } from '@ggufkit/gguf';

const NAMES = ['blk.0.attn_q.weight', 'blk.0.ffn_up.weight', 'blk.0.ffn_down.weight'];

function source(failing?: string): QuantizeSource & { reads: string[] } {
  const reads: string[] = [];
  const data = new Map(NAMES.map((n, k) => [n, new Uint8Array(new Float32Array(256 * 8).map((_, i) => Math.sin(i * (k + 1) * 0.37)).buffer)]));
  return {
    reads,
    version: 3,
    metadata: [
      { key: 'general.architecture', type: GGUFValueType.STRING, value: 'llama' },
      { key: 'llama.block_count', type: GGUFValueType.UINT32, value: 1 },
      { key: 'llama.attention.head_count', type: GGUFValueType.UINT32, value: 1 },
    ],
    tensors: NAMES.map((name) => ({ name, ne: [256, 8], type: GGMLType.F32, offset: 0, byteLength: 256 * 8 * 4 })),
    readTensorData: async (name: string) => {
      reads.push(name);
      if (name === failing) throw new Error(`cannot read ${name}`);
      return data.get(name)!;
    },
  };
}

async function writeAll(tensors: readonly TensorToWrite[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const t of tensors) out.push(await (t.data as () => Promise<Uint8Array>)());
  return out;
}

describe('quantizeGGUF prefetch', () => {
  it('gives the same bytes as one thread without prefetch, reading each tensor once', async () => {
    const plain = quantizeGGUF(source(), { ftype: 'Q4_K_M' });
    const expected = await writeAll(plain.tensors);
    const src = source();
    const q = quantizeGGUF(src, { ftype: 'Q4_K_M', threads: 2, prefetch: true });
    try {
      const got = await writeAll(q.tensors);
      expect(got.map((b) => Buffer.from(b).toString('hex'))).toEqual(expected.map((b) => Buffer.from(b).toString('hex')));
      expect([...src.reads].sort()).toEqual([...NAMES].sort());
    } finally {
      await q.close();
    }
  });

  it('reports a failed read of a prefetched tensor when that tensor is written', async () => {
    const q = quantizeGGUF(source(NAMES[1]), { ftype: 'Q4_K_M', prefetch: true });
    const at = q.tensors.findIndex((t) => t.name === NAMES[1]);
    expect(at).toBeGreaterThan(0); // so that the tensor before it prefetched it
    for (const t of q.tensors.slice(0, at)) await expect((t.data as () => Promise<Uint8Array>)()).resolves.toBeInstanceOf(Uint8Array);
    const failing = q.tensors[at]!;
    await expect((failing.data as () => Promise<Uint8Array>)()).rejects.toThrow(`cannot read ${NAMES[1]}`);
  });
});
