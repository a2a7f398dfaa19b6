/**
 * Files our writer produces parse in @huggingface/gguf (the peer library) with the same
 * metadata values, value types and tensor infos, in both byte orders and versions 2 and 3.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gguf } from '@huggingface/gguf';
import { GGMLType, GGUFValueType as T } from '@ggufkit/tensor-layout';
import type { GGUFMetadataEntry, TensorToWrite } from '@ggufkit/gguf';
import { writeGGUFFile } from '@ggufkit/gguf/node';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-hf-compat-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const metadata: GGUFMetadataEntry[] = [
  { key: 'general.architecture', type: T.STRING, value: 'llama' },
  { key: 'general.alignment', type: T.UINT32, value: 64 },
  { key: 't.u8', type: T.UINT8, value: 255 },
  { key: 't.i8', type: T.INT8, value: -128 },
  { key: 't.u16', type: T.UINT16, value: 65535 },
  { key: 't.i16', type: T.INT16, value: -32768 },
  { key: 't.u32', type: T.UINT32, value: 4294967295 },
  { key: 't.i32', type: T.INT32, value: -2147483648 },
  { key: 't.f32', type: T.FLOAT32, value: 0.25 },
  { key: 't.bool', type: T.BOOL, value: false },
  { key: 't.str', type: T.STRING, value: 'naïve ✓ 🙂' },
  { key: 't.u64', type: T.UINT64, value: 18446744073709551615n },
  { key: 't.i64', type: T.INT64, value: -9223372036854775808n },
  { key: 't.f64', type: T.FLOAT64, value: Math.PI },
  { key: 't.arr.f32', type: T.ARRAY, value: { itemType: T.FLOAT32, values: new Float32Array([0.5, -1.25, 3]) } },
  { key: 't.arr.i32', type: T.ARRAY, value: { itemType: T.INT32, values: new Int32Array([1, -2, 3]) } },
  { key: 't.arr.u64', type: T.ARRAY, value: { itemType: T.UINT64, values: new BigUint64Array([1n, 2n ** 63n]) } },
  { key: 't.arr.str', type: T.ARRAY, value: { itemType: T.STRING, values: ['a', '', 'ĠHello'] } },
  { key: 't.arr.bool', type: T.ARRAY, value: { itemType: T.BOOL, values: [true, false] } },
];

const tensors = (): TensorToWrite[] => [
  { name: 'token_embd.weight', ne: [64, 3], type: GGMLType.Q8_0, data: new Uint8Array(204) },
  { name: 'output_norm.weight', ne: [64], type: GGMLType.F32, data: new Uint8Array(256) },
  { name: 'blk.0.ffn_down.weight', ne: [256, 2], type: GGMLType.Q4_K, data: new Uint8Array(288) },
];

/** What @huggingface/gguf returns for one of our entries. */
function hfValue(e: GGUFMetadataEntry): unknown {
  if (e.type !== T.ARRAY) return e.value;
  return Array.from((e.value as { values: ArrayLike<unknown> }).values);
}

for (const [version, bigEndian] of [[3, false], [3, true], [2, false]] as const) {
  describe(`@huggingface/gguf reads what we write (v${version}, ${bigEndian ? 'big' : 'little'}-endian)`, () => {
    it('with equal metadata and tensor infos', async () => {
      const file = path.join(dir, `v${version}-${bigEndian ? 'be' : 'le'}.gguf`);
      const written = await writeGGUFFile(file, { version, bigEndian, metadata }, tensors(), { sync: false });
      const parsed = await gguf(file, { allowLocalFile: true, typedMetadata: true });
      expect(parsed.littleEndian).toBe(!bigEndian);
      expect(parsed.metadata.version).toBe(version);
      expect(parsed.metadata.kv_count).toBe(BigInt(metadata.length));
      expect(parsed.metadata.tensor_count).toBe(3n);
      const typed = parsed.typedMetadata as Record<string, { value: unknown; type: number; subType?: number }>;
      const keys = Object.keys(typed).filter((k) => !['version', 'tensor_count', 'kv_count'].includes(k));
      expect(keys).toEqual(metadata.map((e) => e.key));
      for (const e of metadata) {
        const got = typed[e.key]!;
        expect([e.key, got.type]).toEqual([e.key, e.type]);
        if (e.type === T.ARRAY) expect([e.key, got.subType]).toEqual([e.key, (e.value as { itemType: number }).itemType]);
        if (e.type === T.FLOAT32) expect(got.value).toBe(Math.fround(e.value as number));
        else expect([e.key, got.value]).toEqual([e.key, hfValue(e)]);
      }
      expect(parsed.tensorInfos).toEqual(
        written.tensors.map((t) => ({ name: t.name, n_dims: t.ne.length, shape: t.ne.map(BigInt), dtype: t.type, offset: BigInt(t.offset) })),
      );
      expect(written.tensors.map((t) => t.offset)).toEqual([0, 256, 512]);
      expect(Number(parsed.tensorDataOffset)).toBe(written.dataOffset);
      expect(fs.statSync(file).size).toBe(written.fileSize);
    });
  });
}
