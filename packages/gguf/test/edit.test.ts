/**
 * editGGUF: key order (replaced keys in place, new keys appended), deletions, tensor
 * renames, lazy data copy, and the errors for edits that cannot apply.
 */
import { GGMLType, GGUFValueType as T } from '@ggufkit/tensor-layout';
import {
  GGUFMetadataError,
  GGUFTensorError,
  editGGUF,
  memorySink,
  writeGGUF,
  type GGUFMetadataEntry,
  type GGUFTensorInfo,
  type GGUFTensorSource,
} from '@ggufkit/gguf';
import { concat, hex, padTo, toHex } from './writer-bytes.js';

function fakeFile(metadata: GGUFMetadataEntry[], reads: string[]): GGUFTensorSource {
  const tensors: GGUFTensorInfo[] = [
    { name: 'a', ne: [2], type: GGMLType.F32, offset: 0, byteLength: 8 },
    { name: 'b', ne: [4], type: GGMLType.I8, offset: 32, byteLength: 4 },
  ];
  return {
    version: 3,
    bigEndian: false,
    metadata,
    tensors,
    alignment: 32,
    dataOffset: 0,
    headerLength: 0,
    source: { name: 'model.gguf' },
    readTensorData: async (t) => {
      reads.push(t.name);
      return t.name === 'a' ? hex('0000803f 000000c0') : hex('01020304');
    },
  };
}

const META: GGUFMetadataEntry[] = [
  { key: 'x', type: T.UINT8, value: 1 },
  { key: 'y', type: T.STRING, value: 'old' },
  { key: 'z', type: T.BOOL, value: true },
];

describe('editGGUF', () => {
  it('replaces keys in place, appends new ones in order, deletes, renames', () => {
    const reads: string[] = [];
    const { header, tensors } = editGGUF(fakeFile(META, reads), {
      set: [
        { key: 'new2', type: T.INT32, value: 7 },
        { key: 'y', type: T.UINT32, value: 9 },
        { key: 'new1', type: T.STRING, value: 'n' },
      ],
      delete: ['z'],
      renameTensors: { b: 'c' },
    });
    expect(header.metadata).toEqual([
      { key: 'x', type: T.UINT8, value: 1 },
      { key: 'y', type: T.UINT32, value: 9 },
      { key: 'new2', type: T.INT32, value: 7 },
      { key: 'new1', type: T.STRING, value: 'n' },
    ]);
    expect(header.version).toBe(3);
    expect(header.bigEndian).toBe(false);
    expect(tensors.map((t) => [t.name, t.ne, t.type])).toEqual([['a', [2], GGMLType.F32], ['c', [4], GGMLType.I8]]);
    expect(reads).toEqual([]);
  });

  it('writes the edited file, reading tensor data only while writing', async () => {
    const reads: string[] = [];
    const { header, tensors } = editGGUF(fakeFile(META.slice(0, 1), reads), { renameTensors: { a: 'w' }, set: [{ key: 'x', type: T.UINT8, value: 2 }] });
    const sink = memorySink();
    await writeGGUF(sink, header, tensors);
    expect(reads).toEqual(['a', 'b']);
    const expected = concat(
      padTo(
        hex(`
          47475546 03000000 0200000000000000 0100000000000000
          0100000000000000 78 00000000 02
          0100000000000000 77 01000000 0200000000000000 00000000 0000000000000000
          0100000000000000 62 01000000 0400000000000000 18000000 2000000000000000
        `),
        32,
      ),
      padTo(hex('0000803f 000000c0'), 32),
      padTo(hex('01020304'), 32),
    );
    expect(toHex(sink.bytes())).toBe(toHex(expected));
  });

  it('follows an edited general.alignment', async () => {
    const { header, tensors } = editGGUF(fakeFile([], []), { set: [{ key: 'general.alignment', type: T.UINT32, value: 64 }] });
    const result = await writeGGUF(memorySink(), header, tensors);
    expect(result.alignment).toBe(64);
    expect(result.tensors.map((t) => t.offset)).toEqual([0, 64]);
  });

  it('with no edits gives the file back unchanged', () => {
    const file = fakeFile(META, []);
    const { header, tensors } = editGGUF(file, {});
    expect(header.metadata).toEqual(META);
    expect(tensors.map((t) => t.name)).toEqual(['a', 'b']);
  });

  const bad: Array<[string, Parameters<typeof editGGUF>[1], Function, RegExp]> = [
    ['deleting a missing key', { delete: ['nope'] }, GGUFMetadataError, /model\.gguf: cannot delete metadata key "nope": not present/],
    ['setting and deleting one key', { delete: ['x'], set: [{ key: 'x', type: T.UINT8, value: 0 }] }, GGUFMetadataError, /"x" is both set and deleted/],
    ['setting a key twice', { set: [{ key: 'k', type: T.UINT8, value: 0 }, { key: 'k', type: T.UINT8, value: 1 }] }, GGUFMetadataError, /"k" is set twice/],
    ['renaming a missing tensor', { renameTensors: { q: 'r' } }, GGUFTensorError, /cannot rename tensor "q": not present/],
    ['renaming onto an existing name', { renameTensors: { a: 'b' } }, GGUFTensorError, /two tensors the name "b"/],
    ['renaming a tensor named like an Object method', { renameTensors: { constructor: 'x' } }, GGUFTensorError, /"constructor": not present/],
  ];
  for (const [what, edits, type, message] of bad) {
    it(`rejects ${what}`, () => {
      const run = () => editGGUF(fakeFile(META, []), edits);
      expect(run).toThrow(type as never);
      expect(run).toThrow(message);
    });
  }

  it('allows swapping two tensor names', () => {
    const { tensors } = editGGUF(fakeFile(META, []), { renameTensors: { a: 'b', b: 'a' } });
    expect(tensors.map((t) => t.name)).toEqual(['b', 'a']);
  });
});
