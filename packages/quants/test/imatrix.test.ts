import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openGGUFFile, writeGGUFFile } from '@ggufkit/gguf/node';
import { GGMLType, GGUFValueType } from '@ggufkit/tensor-layout';
import { ImatrixFormatError, imatrixForTensor, parseLegacyImatrix, readGGUFImatrix } from '@ggufkit/quants';

const modelsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/models');
const datFile = path.join(modelsDir, 'tl-bpe/llama.cpp/tl-bpe.imatrix.dat');

/** Builds a legacy .dat file by hand (the layout llama.cpp's imatrix tool wrote). */
function buildDat(entries: Array<[string, number, number[]]>, trailer?: [number, string]): Uint8Array {
  const parts: number[] = [];
  const i32 = (v: number) => { const b = Buffer.alloc(4); b.writeInt32LE(v); parts.push(...b); };
  i32(entries.length);
  for (const [name, ncall, vals] of entries) {
    i32(name.length); parts.push(...Buffer.from(name));
    i32(ncall); i32(vals.length);
    for (const v of vals) { const b = Buffer.alloc(4); b.writeFloatLE(v); parts.push(...b); }
  }
  if (trailer) { i32(trailer[0]); i32(trailer[1].length); parts.push(...Buffer.from(trailer[1])); }
  return new Uint8Array(parts);
}

describe('legacy .dat imatrix', () => {
  it('divides the sums by the call count in f32, keeps ncall 0 entries as stored, and reads the trailer', () => {
    const m = parseLegacyImatrix(buildDat([['a.weight', 3, [1, 2, 0.1]], ['b.weight', 0, [5]]], [12, 'calib.txt']));
    expect(Array.from(m.entries.get('a.weight')!)).toEqual([Math.fround(1 / 3), Math.fround(2 / 3), Math.fround(Math.fround(0.1) / 3)]);
    expect(Array.from(m.entries.get('b.weight')!)).toEqual([5]);
    expect(m.chunkCount).toBe(12);
    expect(m.datasets).toEqual(['calib.txt']);
  });

  it('fails with the offset on truncated or impossible files, at every cut point', () => {
    const good = buildDat([['a.weight', 3, [1, 2, 3, 4]], ['b.weight', 1, [5, 6]]], [1, 'x']);
    for (let cut = 0; cut < good.length; cut++) {
      let err: unknown;
      try { parseLegacyImatrix(good.subarray(0, cut), 'cut.dat'); } catch (e) { err = e; }
      // a cut exactly after the entries is a valid file without the optional trailer
      if (err === undefined) continue;
      expect(err).toBeInstanceOf(ImatrixFormatError);
      expect((err as Error).message).toMatch(/^cut\.dat at offset \d+: /);
    }
    const huge = buildDat([['a.weight', 1, [1]]]);
    new DataView(huge.buffer).setInt32(0, 0x7fffffff, true);
    expect(() => parseLegacyImatrix(huge)).toThrow(/entry count 2147483647 does not fit/);
  });

  it('matches a tensor by name and length, as llama-quantize does', () => {
    const m = parseLegacyImatrix(buildDat([['w.weight', 1, [1, 2]], ['token_embd.weight', 1, [1, 2, 3]]]));
    expect(imatrixForTensor(m, 'w.weight', [2, 8])).toHaveLength(2);
    expect(imatrixForTensor(m, 'other.weight', [2, 8])).toBeUndefined();
    expect(imatrixForTensor(m, 'token_embd.weight', [2, 8])).toBeUndefined();
    expect(() => imatrixForTensor(m, 'w.weight', [4, 8])).toThrow(/has 2 values; the tensor needs 4/);
  });

  (fs.existsSync(datFile) ? it : it.skip)('reads the shared tl-bpe imatrix: 43 entries, 37 calls each', () => {
    const m = parseLegacyImatrix(new Uint8Array(fs.readFileSync(datFile)), datFile);
    expect(m.entries.size).toBe(43);
    expect(m.chunkCount).toBe(37);
    expect(m.entries.get('blk.0.ffn_down.weight')).toHaveLength(768);
  });
});

describe('GGUF imatrix', () => {
  it('computes in_sum2 / counts per matrix, 1 for unused matrices, and reads the metadata', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-imatrix-'));
    const out = path.join(dir, 'im.gguf');
    const f32 = (v: number[]) => new Uint8Array(new Float32Array(v).buffer);
    await writeGGUFFile(out, {
      metadata: [
        { key: 'general.type', type: GGUFValueType.STRING, value: 'imatrix' },
        { key: 'imatrix.datasets', type: GGUFValueType.ARRAY, value: { itemType: 8, values: ['calib.txt'] } },
        { key: 'imatrix.chunk_count', type: GGUFValueType.UINT32, value: 10 },
        { key: 'imatrix.chunk_size', type: GGUFValueType.UINT32, value: 512 },
      ],
    }, [
      { name: 'blk.0.ffn_up_exps.weight.in_sum2', ne: [2, 2], type: GGMLType.F32, data: f32([3, 6, 9, 12]) },
      { name: 'blk.0.ffn_up_exps.weight.counts', ne: [1, 2], type: GGMLType.F32, data: f32([3, 0]) },
    ]);
    const file = await openGGUFFile(out);
    const m = await readGGUFImatrix(file, out);
    await file.close();
    expect(Array.from(m.entries.get('blk.0.ffn_up_exps.weight')!)).toEqual([1, 2, 1, 1]);
    expect(m.chunkCount).toBe(10);
    expect(m.datasets).toEqual(['calib.txt']);
  });

  it('refuses a GGUF without imatrix metadata', async () => {
    await expect(readGGUFImatrix({ metadata: [], tensors: [], readTensorData: async () => new Uint8Array() }, 'model.gguf'))
      .rejects.toThrow(/not an imatrix/);
  });
});
