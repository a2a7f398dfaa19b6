/**
 * Splitting and merging real llama.cpp files: shards carry gguf-split's keys and the
 * original tensor bytes, @huggingface/gguf reads every shard, the merged file's data
 * section equals the original's byte for byte, and merging a re-split merged file gives
 * the same bytes again (whatever the split options).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gguf as hfParse } from '@huggingface/gguf';
import { GGUFValueType as T } from '@ggufkit/tensor-layout';
import { planSplit, type GGUFFile } from '@ggufkit/gguf';
import { mergeGGUFFiles, openGGUFFile, writeSplitGGUF } from '@ggufkit/gguf/node';
import { exampleModel, label, sha256File, sharedModels } from './roundtrip-helpers.js';

const sharedF16 = path.join(sharedModels, 'tl-bpe/llama.cpp/tl-bpe-convert-f16.gguf');
if (!fs.existsSync(sharedF16)) console.warn(`split-write-files: ${sharedF16} is absent; splitting only the example model`);
const files = [exampleModel, ...(fs.existsSync(sharedF16) ? [sharedF16] : [])];

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-split-files-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function withFile<R>(p: string, fn: (f: GGUFFile) => Promise<R>): Promise<R> {
  const f = await openGGUFFile(p);
  try {
    return await fn(f);
  } finally {
    await f.close();
  }
}

function dataSection(file: string, dataOffset: number): Buffer {
  return fs.readFileSync(file).subarray(dataOffset);
}

const SPLIT_TAIL = (no: number, total: number, count: number) => [
  { key: 'split.no', type: T.UINT16, value: no },
  { key: 'split.tensors.count', type: T.INT32, value: total },
  { key: 'split.count', type: T.UINT16, value: count },
];

for (const file of files) {
  describe(`split and merge ${label(file)}`, () => {
    it('writes shards with the split keys and the original tensor bytes', async () => {
      await withFile(file, async (src) => {
        const { paths, plan } = await writeSplitGGUF(src, path.join(dir, 'm'), { maxTensors: 20, sync: false });
        const n = Math.ceil(src.tensors.length / 20);
        expect(plan.shards.length).toBe(n);
        expect(paths.map((p) => path.basename(p))).toEqual(Array.from({ length: n }, (_, i) => `m-${String(i + 1).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.gguf`));
        let seen = 0;
        for (const [i, p] of paths.entries()) {
          await withFile(p, async (shard) => {
            expect(shard.version).toBe(3);
            const tail = SPLIT_TAIL(i, src.tensors.length, n);
            if (i === 0) {
              expect(shard.metadata.map((e) => e.key)).toEqual([...src.metadata.map((e) => e.key), ...tail.map((e) => e.key)]);
            } else {
              expect(shard.metadata.map((e) => ({ key: e.key, type: e.type, value: e.value }))).toEqual(tail);
            }
            expect(shard.tensors.length).toBe(i < n - 1 ? 20 : src.tensors.length - 20 * (n - 1));
            for (const t of shard.tensors) {
              const orig = src.tensors[seen++]!;
              expect([t.name, t.type, t.ne]).toEqual([orig.name, orig.type, orig.ne]);
              expect(Buffer.compare(Buffer.from(await shard.readTensorData(t)), Buffer.from(await src.readTensorData(orig)))).toBe(0);
            }
          });
          const hf = await hfParse(p, { allowLocalFile: true });
          expect((hf.metadata as Record<string, unknown>)['split.no']).toBe(i);
          expect((hf.metadata as Record<string, unknown>)['split.count']).toBe(n);
        }
        expect(seen).toBe(src.tensors.length);
      });
    });

    it('merges back to the original data section, and re-splitting the merge is lossless', async () => {
      const srcInfo = await withFile(file, async (src) => {
        await writeSplitGGUF(src, path.join(dir, 'a'), { maxTensors: 7, sync: false });
        return { metadata: src.metadata.map((e) => e.key), dataOffset: src.dataOffset, tensors: src.tensors.length };
      });
      const merged = path.join(dir, 'merged.gguf');
      await mergeGGUFFiles(path.join(dir, 'a-00001-of-' + String(Math.ceil(srcInfo.tensors / 7)).padStart(5, '0') + '.gguf'), merged, { sync: false });
      const mergedInfo = await withFile(merged, async (m) => {
        expect(m.version).toBe(3);
        expect(m.metadata.map((e) => e.key)).toEqual([...srcInfo.metadata, 'split.no', 'split.tensors.count', 'split.count']);
        expect(m.metadata.slice(-3).map((e) => ({ key: e.key, type: e.type, value: e.value }))).toEqual(SPLIT_TAIL(0, srcInfo.tensors, 0));
        return { dataOffset: m.dataOffset };
      });
      expect(Buffer.compare(dataSection(merged, mergedInfo.dataOffset), dataSection(file, srcInfo.dataOffset))).toBe(0);

      // Split the merged file by size (about four shards), merge again: same bytes.
      const again = await withFile(merged, async (m) => {
        const total = m.tensors.reduce((s, t) => s + t.byteLength, 0);
        const maxBytes = Math.ceil(total / 4);
        expect(planSplit(m.tensors, { maxBytes }).shards.length).toBeGreaterThan(2);
        const { paths } = await writeSplitGGUF(m, path.join(dir, 'b'), { maxBytes, sync: false });
        return paths;
      });
      const merged2 = path.join(dir, 'merged2.gguf');
      await mergeGGUFFiles(again, merged2, { sync: false });
      expect(await sha256File(merged2)).toBe(await sha256File(merged));
    });
  });
}
