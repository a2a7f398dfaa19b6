/**
 * splitGGUF / mergeSplitGGUF produce the headers gguf-split writes (tools/gguf-split/
 * gguf-split.cpp with ggml's gguf_set_kv / gguf_set_val_*): all metadata in shard 0, the
 * three split keys last with split.count set after a placeholder (so it comes last),
 * strings cut at NUL, trailing unit dimensions dropped, version 3.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GGMLType, GGUFValueType as T } from '@ggufkit/tensor-layout';
import {
  GGUFFormatError,
  memorySink,
  mergeSplitGGUF,
  splitGGUF,
  writeGGUF,
  type GGUFMetadataEntry,
  type GGUFTensorInfo,
  type GGUFTensorSource,
} from '@ggufkit/gguf';
import { writeSplitGGUF } from '@ggufkit/gguf/node';
import { concat, hex, padTo, toHex } from './writer-bytes.js';

/** An in-memory stand-in for an opened file. */
function fakeFile(metadata: GGUFMetadataEntry[], tensors: Array<{ name: string; ne: number[]; type: number; data: Uint8Array }>, name = 'fake.gguf'): GGUFTensorSource {
  let offset = 0;
  const infos: GGUFTensorInfo[] = tensors.map((t) => {
    const info = { name: t.name, ne: t.ne, type: t.type, offset, byteLength: t.data.length };
    offset += Math.ceil(t.data.length / 32) * 32;
    return info;
  });
  const data = new Map(tensors.map((t) => [t.name, t.data]));
  return {
    version: 3,
    bigEndian: false,
    metadata,
    tensors: infos,
    alignment: 32,
    dataOffset: 0,
    headerLength: 0,
    source: { name },
    readTensorData: async (t) => data.get(t.name)!,
  };
}

const META: GGUFMetadataEntry[] = [
  { key: 'general.architecture', type: T.STRING, value: 'llama' },
  { key: 'general.name', type: T.STRING, value: 'tiny' },
];
const A = new Uint8Array(16).fill(0xaa); // F32 [4]
const B = new Uint8Array(8).fill(0xbb); // F16 [4, 1] -> written as [4]
const C = new Uint8Array(4).fill(0xcc); // I8 [4]
const SOURCE = () =>
  fakeFile(META, [
    { name: 'a', ne: [4], type: GGMLType.F32, data: A },
    { name: 'b', ne: [4, 1], type: GGMLType.F16, data: B },
    { name: 'c', ne: [4], type: GGMLType.I8, data: C },
  ]);

async function bytesOf(header: Parameters<typeof writeGGUF>[1], tensors: Parameters<typeof writeGGUF>[2]): Promise<Uint8Array> {
  const sink = memorySink();
  await writeGGUF(sink, header, tensors);
  return sink.bytes();
}

describe('splitGGUF', () => {
  it('puts all metadata in shard 0 and the split keys last in every shard', () => {
    const { plan, shards } = splitGGUF(SOURCE(), { maxTensors: 2 });
    expect(plan.shards).toEqual([[0, 1], [2]]);
    expect(shards.map((s) => s.header.metadata)).toEqual([
      [
        ...META,
        { key: 'split.no', type: T.UINT16, value: 0 },
        { key: 'split.tensors.count', type: T.INT32, value: 3 },
        { key: 'split.count', type: T.UINT16, value: 2 },
      ],
      [
        { key: 'split.no', type: T.UINT16, value: 1 },
        { key: 'split.tensors.count', type: T.INT32, value: 3 },
        { key: 'split.count', type: T.UINT16, value: 2 },
      ],
    ]);
    expect(shards.map((s) => s.header.version)).toEqual([3, 3]);
    expect(shards[0]!.tensors.map((t) => [t.name, t.ne])).toEqual([['a', [4]], ['b', [4]]]);
  });

  it('writes a second shard byte for byte as gguf-split lays it out', async () => {
    const { shards } = splitGGUF(SOURCE(), { maxTensors: 2 });
    const bytes = await bytesOf(shards[1]!.header, shards[1]!.tensors);
    const header = padTo(
      hex(`
        47475546 03000000 0100000000000000 0300000000000000
        0800000000000000 73706c69742e6e6f 02000000 0100
        1300000000000000 73706c69742e74656e736f72732e636f756e74 05000000 03000000
        0b00000000000000 73706c69742e636f756e74 02000000 0200
        0100000000000000 63 01000000 0400000000000000 18000000 0000000000000000
      `),
      32,
    );
    expect(toHex(bytes)).toBe(toHex(concat(header, padTo(C, 32))));
  });

  it('moves existing split keys to the end when splitting a merged file', () => {
    const merged = fakeFile(
      [...META, { key: 'split.no', type: T.UINT16, value: 0 }, { key: 'split.count', type: T.UINT16, value: 0 }, { key: 'split.tensors.count', type: T.INT32, value: 1 }],
      [{ name: 'a', ne: [4], type: GGMLType.F32, data: A }],
    );
    const { shards } = splitGGUF(merged, {});
    expect(shards[0]!.header.metadata.map((e) => e.key)).toEqual(['general.architecture', 'general.name', 'split.no', 'split.tensors.count', 'split.count']);
    expect(shards[0]!.header.metadata.at(-1)).toEqual({ key: 'split.count', type: T.UINT16, value: 1 });
  });

  it('cuts copied strings at the first NUL, as gguf_set_kv does', () => {
    const file = fakeFile(
      [
        { key: 's', type: T.STRING, value: 'ab\0cd' },
        { key: 'r', type: T.STRING, value: new Uint8Array([0xff, 0, 1]) },
        { key: 'l', type: T.ARRAY, value: { itemType: T.STRING, values: ['x\0y', 'z'] } },
        { key: 'k', type: T.ARRAY, value: { itemType: T.STRING, values: ['keep'] } },
      ],
      [],
    );
    const md = splitGGUF(file, {}).shards[0]!.header.metadata;
    expect(md[0]!.value).toBe('ab');
    expect(md[1]!.value).toEqual(new Uint8Array([0xff]));
    expect(md[2]!.value).toEqual({ itemType: T.STRING, values: ['x', 'z'] });
    expect(md[3]).toBe(file.metadata[3]);
  });

  it('makes a metadata-only first shard with noTensorFirstSplit', () => {
    const { shards } = splitGGUF(SOURCE(), { maxTensors: 2, noTensorFirstSplit: true });
    expect(shards.map((s) => s.tensors.map((t) => t.name))).toEqual([[], ['a', 'b'], ['c']]);
    expect(shards[0]!.header.metadata.length).toBe(META.length + 3);
  });
});

describe('mergeSplitGGUF', () => {
  async function shardFiles(opts: Parameters<typeof splitGGUF>[1]): Promise<GGUFTensorSource[]> {
    const { shards } = splitGGUF(SOURCE(), opts);
    return shards.map((s, i) =>
      fakeFile(
        [...s.header.metadata],
        s.tensors.map((t) => ({ name: t.name, ne: [...t.ne], type: t.type, data: ({ a: A, b: B, c: C } as Record<string, Uint8Array>)[t.name]! })),
        `shard-${i}`,
      ),
    );
  }

  it("takes shard 0's metadata with split.count set to 0 and every shard's tensors", async () => {
    const { header, tensors } = mergeSplitGGUF(await shardFiles({ maxTensors: 1 }));
    expect(header.metadata).toEqual([
      ...META,
      { key: 'split.no', type: T.UINT16, value: 0 },
      { key: 'split.tensors.count', type: T.INT32, value: 3 },
      { key: 'split.count', type: T.UINT16, value: 0 },
    ]);
    expect(tensors.map((t) => [t.name, t.ne])).toEqual([['a', [4]], ['b', [4]], ['c', [4]]]);
    const bytes = await bytesOf(header, tensors);
    expect(toHex(bytes.subarray(bytes.length - 96))).toBe(toHex(concat(padTo(A, 32), padTo(B, 32), padTo(C, 32))));
  });

  it('gives the same file whichever way it was split', async () => {
    const one = mergeSplitGGUF(await shardFiles({ maxTensors: 1 }));
    const other = mergeSplitGGUF(await shardFiles({ maxBytes: 64, noTensorFirstSplit: true }));
    expect(toHex(await bytesOf(other.header, other.tensors))).toBe(toHex(await bytesOf(one.header, one.tensors)));
  });

  it('checks the shard count, order and tensor total', async () => {
    const files = await shardFiles({ maxTensors: 1 });
    expect(() => mergeSplitGGUF(files.slice(0, 2))).toThrow(/"split.count" is 3 but 2 shards were given/);
    expect(() => mergeSplitGGUF([files[0]!, files[2]!, files[1]!])).toThrow(/"split.no" is 2, expected 1/);
    expect(() => mergeSplitGGUF([SOURCE()])).toThrow(GGUFFormatError);
    const wrongTotal = fakeFile(
      [...files[0]!.metadata.filter((e) => e.key !== 'split.count'), { key: 'split.count', type: T.UINT16, value: 1 }],
      [{ name: 'a', ne: [4], type: GGMLType.F32, data: A }],
    );
    expect(() => mergeSplitGGUF([wrongTotal])).toThrow(/"split.tensors.count" is 3 but the shards hold 1 tensors/);
  });
});

describe('writeSplitGGUF', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-split-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes shards under llama.cpp names', async () => {
    const { paths } = await writeSplitGGUF(SOURCE(), path.join(dir, 'tiny'), { maxTensors: 2, sync: false });
    expect(paths.map((p) => path.basename(p))).toEqual(['tiny-00001-of-00002.gguf', 'tiny-00002-of-00002.gguf']);
    expect(fs.readdirSync(dir).sort()).toEqual(['tiny-00001-of-00002.gguf', 'tiny-00002-of-00002.gguf']);
  });

  it('removes the shards already written when a later one fails', async () => {
    const src = SOURCE();
    const broken: GGUFTensorSource = { ...src, readTensorData: async (t) => (t.name === 'c' ? new Uint8Array(1) : src.readTensorData(t)) };
    await expect(writeSplitGGUF(broken, path.join(dir, 'tiny'), { maxTensors: 2, sync: false })).rejects.toThrow(/tensor "c": data has 1 bytes/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
