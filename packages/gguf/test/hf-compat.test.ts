import { gguf } from '@huggingface/gguf';
import { openGGUF, toHuggingFaceShape } from '@ggufkit/gguf';
import { openGGUFFile } from '@ggufkit/gguf/node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { T, buildGGUF, type BArray, type BFile } from './reader-builder.js';
import { describeShared, exampleModel, repoRoot, sharedGGUFFiles } from './reader-fixtures.js';

const rel = (p: string) => path.relative(repoRoot, p);

async function compare(file: string): Promise<void> {
  const theirs = await gguf(file, { allowLocalFile: true });
  const f = await openGGUFFile(file);
  try {
    const ours = toHuggingFaceShape(f);
    // tensor names, types and shapes first, for a readable failure
    expect(f.tensors.map((t) => [t.name, t.type, t.ne.map(BigInt)])).toEqual(theirs.tensorInfos.map((t) => [t.name, t.dtype, t.shape]));
    expect(ours).toEqual(theirs);
  } finally {
    await f.close();
  }
}

describe('hf-compat: same result as @huggingface/gguf', () => {
  it(`the repo fixture ${rel(exampleModel)}`, async () => {
    await compare(exampleModel);
  });

  it('hand-built files with every value type (v1, v2 and v3, both byte orders)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-hf-'));
    try {
      for (const version of [1, 2, 3]) {
        for (const bigEndian of [false, true]) {
          const p = path.join(dir, `v${version}${bigEndian ? 'be' : 'le'}.gguf`);
          fs.writeFileSync(p, buildGGUF({
            version,
            bigEndian,
            kv: [
              ['u8', T.UINT8, 3], ['i8', T.INT8, -3], ['u16', T.UINT16, 300], ['i16', T.INT16, -300],
              ['u32', T.UINT32, 3e9], ['i32', T.INT32, -3e8], ['f32', T.FLOAT32, 0.3], ['b', T.BOOL, true],
              ['s', T.STRING, 'zürich'], ['s.bom', T.STRING, '\uFEFFx'], ['s.bad', T.STRING, new Uint8Array([0xc3])],
              ['u64', T.UINT64, 2n ** 60n], ['i64', T.INT64, -(2n ** 60n)], ['f64', T.FLOAT64, 1 / 3],
              ['a.s', T.ARRAY, { itemType: T.STRING, items: ['x', 'ÿ', new Uint8Array([0xff])] }],
              ['a.f', T.ARRAY, { itemType: T.FLOAT32, items: [0.5, 2] }],
              ['a.u64', T.ARRAY, { itemType: T.UINT64, items: [1n, 2n] }],
              ['a.b', T.ARRAY, { itemType: T.BOOL, items: [false, true] }],
              ['a.a', T.ARRAY, { itemType: T.ARRAY, items: [{ itemType: T.INT16, items: [1, -1] }, { itemType: T.STRING, items: ['q'] }] }],
            ],
            tensors: [{ name: 't', ne: [64, 3], type: 8, nbytes: 204 }, { name: 'u', ne: [5], type: 0, nbytes: 20 }],
          }));
          await compare(p);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeShared('hf-compat checks of the shared model files')('hf-compat: every shared model GGUF', () => {
  for (const file of sharedGGUFFiles()) {
    it(rel(file), async () => {
      await compare(file);
    });
  }
});

/**
 * Rebuilds a little-endian file as big-endian from @huggingface/gguf's typed view of it
 * (an independent parser), copying the tensor data section as is.
 */
async function toBigEndian(file: string): Promise<Uint8Array> {
  const parsed = await gguf(file, { allowLocalFile: true, typedMetadata: true });
  const kv: Array<readonly [string, number, unknown]> = [];
  for (const [key, entry] of Object.entries(parsed.typedMetadata)) {
    if (key === 'version' || key === 'tensor_count' || key === 'kv_count') continue;
    const e = entry as { value: unknown; type: number; subType?: number };
    if (e.type === T.ARRAY) {
      if (e.subType === T.ARRAY) throw new Error('nested arrays are not expected in the shared files');
      kv.push([key, T.ARRAY, { itemType: e.subType!, items: e.value as unknown[] } satisfies BArray]);
    } else {
      kv.push([key, e.type, e.value]);
    }
  }
  const bytes = fs.readFileSync(file);
  const spec: BFile = {
    bigEndian: true,
    alignment: Number((parsed.metadata as Record<string, unknown>)['general.alignment'] ?? 32),
    kv,
    tensors: parsed.tensorInfos.map((t) => ({ name: t.name, ne: t.shape.map(Number), type: t.dtype, offset: Number(t.offset), nbytes: 0 })),
    data: new Uint8Array(bytes.buffer, bytes.byteOffset + Number(parsed.tensorDataOffset)),
  };
  return buildGGUF(spec);
}

describeShared('the big-endian conversion of a shared model')('reader: big-endian conversion of a shared model', () => {
  const files = sharedGGUFFiles().filter((f) => /tl-spm-quantize-Q4_K_M|tq-qwen2-convert-q8_0/.test(f));
  for (const file of files) {
    it(`${rel(file)} byte-swapped parses to the same header`, async () => {
      const be = await toBigEndian(file);
      expect(Array.from(be.subarray(4, 8))).toEqual([0, 0, 0, 3]);
      const le = await openGGUFFile(file);
      const f = await openGGUF(be);
      try {
        expect(f.bigEndian).toBe(true);
        expect(f.headerLength).toBe(le.headerLength);
        expect(f.dataOffset).toBe(le.dataOffset);
        const ours = toHuggingFaceShape(f);
        expect(ours).toEqual({ ...toHuggingFaceShape(le), littleEndian: false });
        // and @huggingface/gguf reads the big-endian file the same way
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-be-'));
        try {
          const p = path.join(dir, 'be.gguf');
          fs.writeFileSync(p, be);
          expect(ours).toEqual(await gguf(p, { allowLocalFile: true }));
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
        const name = le.tensors[3]!.name;
        expect(await f.readTensorData(name)).toEqual(await le.readTensorData(name));
      } finally {
        await le.close();
      }
    });
  }
});
