import { GGUFMetadataError, GGUFTensorError, LazyStringList, bytesSource, openGGUF, type GGUFArray, type GGUFFile, type GGUFStringList } from '@ggufkit/gguf';
import { T, buildGGUF, patternBytes, type BFile } from './reader-builder.js';

const enc = new TextEncoder();
const INVALID_UTF8 = new Uint8Array([0x61, 0xff, 0xfe, 0x62]);

/** One entry of every value type, plus arrays of every item type and nested arrays. */
const ALL_KV: BFile['kv'] = [
  ['u8', T.UINT8, 250],
  ['i8', T.INT8, -120],
  ['u16', T.UINT16, 65000],
  ['i16', T.INT16, -32000],
  ['u32', T.UINT32, 4000000000],
  ['i32', T.INT32, -2000000000],
  ['f32', T.FLOAT32, 0.1],
  ['bool.t', T.BOOL, true],
  ['bool.f', T.BOOL, false],
  ['str', T.STRING, 'héllo wörld ✓'],
  ['str.empty', T.STRING, ''],
  ['str.bom', T.STRING, '\uFEFFbom'],
  ['str.raw', T.STRING, INVALID_UTF8],
  ['u64', T.UINT64, 18446744073709551615n],
  ['i64', T.INT64, -9223372036854775808n],
  ['f64', T.FLOAT64, Math.PI],
  ['arr.u8', T.ARRAY, { itemType: T.UINT8, items: [0, 1, 255] }],
  ['arr.i8', T.ARRAY, { itemType: T.INT8, items: [-128, 0, 127] }],
  ['arr.u16', T.ARRAY, { itemType: T.UINT16, items: [1, 65535] }],
  ['arr.i16', T.ARRAY, { itemType: T.INT16, items: [-32768, 32767] }],
  ['arr.u32', T.ARRAY, { itemType: T.UINT32, items: [1, 4294967295] }],
  ['arr.i32', T.ARRAY, { itemType: T.INT32, items: [-5, 7, 2147483647] }],
  ['arr.f32', T.ARRAY, { itemType: T.FLOAT32, items: [1.5, -0.25, 3e38] }],
  ['arr.bool', T.ARRAY, { itemType: T.BOOL, items: [true, false, true] }],
  ['arr.str', T.ARRAY, { itemType: T.STRING, items: ['a', '', 'Ġthe', '日本語', INVALID_UTF8] }],
  ['arr.u64', T.ARRAY, { itemType: T.UINT64, items: [0n, 18446744073709551615n] }],
  ['arr.i64', T.ARRAY, { itemType: T.INT64, items: [-1n, 9223372036854775807n] }],
  ['arr.f64', T.ARRAY, { itemType: T.FLOAT64, items: [Math.E, -0] }],
  ['arr.empty', T.ARRAY, { itemType: T.FLOAT32, items: [] }],
  ['arr.nested', T.ARRAY, {
    itemType: T.ARRAY,
    items: [
      { itemType: T.INT32, items: [1, 2] },
      { itemType: T.STRING, items: ['x', 'yz'] },
      { itemType: T.ARRAY, items: [{ itemType: T.BOOL, items: [false] }] },
    ],
  }],
];

const TENSORS = [
  { name: 'tok.weight', ne: [256, 3], type: 12, nbytes: 144 * 3 }, // Q4_K: 256 values in 144 bytes
  { name: 'norm.weight', ne: [7], type: 0, nbytes: 28 }, // F32
  { name: 'q8.weight', ne: [64, 2, 2], type: 8, nbytes: 34 * 2 * 2 * 2 }, // Q8_0: 32 values in 34 bytes
  { name: 'empty.weight', ne: [0, 4], type: 1, nbytes: 0 }, // F16, no elements
  { name: 'h.weight', ne: [2, 2, 2, 2], type: 1, nbytes: 32 },
];

function file(version: number, bigEndian: boolean, extra: BFile['kv'] = []): Uint8Array {
  return buildGGUF({ version, bigEndian, kv: [...ALL_KV, ...extra], tensors: TENSORS });
}

function checkValues(f: GGUFFile): void {
  const v = (k: string) => f.get(k)!.value;
  expect(v('u8')).toBe(250);
  expect(v('i8')).toBe(-120);
  expect(v('u16')).toBe(65000);
  expect(v('i16')).toBe(-32000);
  expect(v('u32')).toBe(4000000000);
  expect(v('i32')).toBe(-2000000000);
  expect(v('f32')).toBe(Math.fround(0.1));
  expect(v('bool.t')).toBe(true);
  expect(v('bool.f')).toBe(false);
  expect(v('str')).toBe('héllo wörld ✓');
  expect(v('str.empty')).toBe('');
  expect(v('str.bom')).toBe('\uFEFFbom');
  expect(v('str.raw')).toEqual(INVALID_UTF8);
  expect(v('str.raw')).toBeInstanceOf(Uint8Array);
  expect(v('u64')).toBe(18446744073709551615n);
  expect(v('i64')).toBe(-9223372036854775808n);
  expect(v('f64')).toBe(Math.PI);
  const arr = (k: string) => f.getArray(k);
  expect(arr('arr.u8').values).toEqual(new Uint8Array([0, 1, 255]));
  expect(arr('arr.i8').values).toEqual(new Int8Array([-128, 0, 127]));
  expect(arr('arr.u16').values).toEqual(new Uint16Array([1, 65535]));
  expect(arr('arr.i16').values).toEqual(new Int16Array([-32768, 32767]));
  expect(arr('arr.u32').values).toEqual(new Uint32Array([1, 4294967295]));
  expect(arr('arr.i32').values).toEqual(new Int32Array([-5, 7, 2147483647]));
  expect(arr('arr.f32').values).toEqual(new Float32Array([1.5, -0.25, 3e38]));
  expect(arr('arr.bool').values).toEqual([true, false, true]);
  expect(arr('arr.u64').values).toEqual(new BigUint64Array([0n, 18446744073709551615n]));
  expect(arr('arr.i64').values).toEqual(new BigInt64Array([-1n, 9223372036854775807n]));
  expect(arr('arr.f64').values).toEqual(new Float64Array([Math.E, -0]));
  expect(Object.is((arr('arr.f64').values as Float64Array)[1], -0)).toBe(true);
  expect(arr('arr.empty')).toEqual({ itemType: T.FLOAT32, values: new Float32Array(0) });
  const strs = f.getStringArray('arr.str');
  expect(strs.length).toBe(5);
  expect(strs.toArray()).toEqual(['a', '', 'Ġthe', '日本語', 'a\uFFFD\uFFFDb']);
  expect([...strs]).toEqual(strs.toArray());
  expect(strs.bytes(4)).toEqual(INVALID_UTF8);
  expect(strs.bytes(2)).toEqual(enc.encode('Ġthe'));
  expect(strs.get(3)).toBe('日本語');
  const nested = arr('arr.nested');
  expect(nested.itemType).toBe(T.ARRAY);
  const inner = nested.values as readonly GGUFArray[];
  expect(inner[0]).toEqual({ itemType: T.INT32, values: new Int32Array([1, 2]) });
  expect(inner[1]!.itemType).toBe(T.STRING);
  expect((inner[1]!.values as GGUFStringList).toArray()).toEqual(['x', 'yz']);
  expect(inner[2]).toEqual({ itemType: T.ARRAY, values: [{ itemType: T.BOOL, values: [false] }] });
  expect(f.metadata.map((e) => e.key)).toEqual(ALL_KV.map((e) => e[0]));
  expect(f.metadata.map((e) => e.type)).toEqual(ALL_KV.map((e) => e[1]));
}

function checkTensors(f: GGUFFile): void {
  expect(f.tensors.map((t) => [t.name, t.ne, t.type, t.byteLength])).toEqual(TENSORS.map((t) => [t.name, t.ne, t.type, t.nbytes]));
  // packed in order, each padded to 32 bytes
  expect(f.tensors.map((t) => t.offset)).toEqual([0, 448, 480, 768, 768]);
  expect(f.dataOffset % 32).toBe(0);
  expect(f.dataOffset - f.headerLength).toBeLessThan(32);
  expect(f.dataOffset - f.headerLength).toBeGreaterThanOrEqual(0);
}

describe('reader: values of every type', () => {
  for (const version of [1, 2, 3]) {
    for (const bigEndian of [false, true]) {
      it(`GGUF v${version} ${bigEndian ? 'big' : 'little'}-endian`, async () => {
        const bytes = file(version, bigEndian);
        const f = await openGGUF(bytes);
        expect(f.version).toBe(version);
        expect(f.bigEndian).toBe(bigEndian);
        checkValues(f);
        checkTensors(f);
        for (let i = 0; i < TENSORS.length; i++) {
          expect(await f.readTensorData(TENSORS[i]!.name)).toEqual(patternBytes(i, TENSORS[i]!.nbytes));
        }
      });
    }
  }

  it('parses the same with a tiny initial window (many window growths)', async () => {
    const bytes = file(3, false);
    const a = await openGGUF(bytes);
    for (const initialReadBytes of [1, 7, 64]) {
      const b = await openGGUF(bytes, { initialReadBytes });
      checkValues(b);
      checkTensors(b);
      expect(b.headerLength).toBe(a.headerLength);
    }
  });

  it('honours general.alignment for the data offset and tensor offsets', async () => {
    const bytes = buildGGUF({
      alignment: 256,
      kv: [['general.alignment', T.UINT32, 256]],
      tensors: [
        { name: 'a', ne: [3], type: 0, nbytes: 12 },
        { name: 'b', ne: [5], type: 0, nbytes: 20 },
      ],
    });
    const f = await openGGUF(bytes);
    expect(f.alignment).toBe(256);
    expect(f.dataOffset).toBe(256);
    expect(f.tensors.map((t) => t.offset)).toEqual([0, 256]);
    expect(await f.readTensorData('b')).toEqual(patternBytes(1, 20));
  });

  it('a file without tensors', async () => {
    const f = await openGGUF(buildGGUF({ kv: [['general.name', T.STRING, 'x']] }));
    expect(f.tensors).toEqual([]);
    // magic, version, two u64 counts, key (u64 length + 12 bytes), type, value (u64 length + 1 byte)
    expect(f.headerLength).toBe(4 + 4 + 16 + 20 + 4 + 9);
    expect(f.dataOffset).toBe(64);
  });
});

describe('reader: accessors', () => {
  let f: GGUFFile;
  beforeAll(async () => {
    f = await openGGUF(file(3, false, [['general.architecture', T.STRING, 'llama']]));
  });

  it('typed getters', () => {
    expect(f.getU32('u32')).toBe(4000000000);
    expect(f.getNumber('i16')).toBe(-32000);
    expect(f.getNumber('f64')).toBe(Math.PI);
    expect(() => f.getNumber('i64')).toThrow(GGUFMetadataError);
    expect(f.getBigInt('u8')).toBe(250n);
    expect(f.getBigInt('u64')).toBe(18446744073709551615n);
    expect(f.getBool('bool.t')).toBe(true);
    expect(f.getString('str')).toBe('héllo wörld ✓');
    expect(f.getString('str.raw')).toBe('a\uFFFD\uFFFDb');
    expect(f.architecture).toBe('llama');
    expect(f.getNumericArray('arr.f32')).toEqual(new Float32Array([1.5, -0.25, 3e38]));
    expect(f.has('u8')).toBe(true);
    expect(f.has('nope')).toBe(false);
    expect(f.get('nope')).toBeUndefined();
  });

  it('typed getters fail with GGUFMetadataError naming the key and types', () => {
    expect(() => f.getU32('nope')).toThrow(GGUFMetadataError);
    expect(() => f.getU32('nope')).toThrow(/"nope" is missing/);
    expect(() => f.getU32('i32')).toThrow(/"i32" is INT32, expected UINT32/);
    expect(() => f.getString('u8')).toThrow(GGUFMetadataError);
    expect(() => f.getBool('u8')).toThrow(GGUFMetadataError);
    expect(() => f.getNumber('u64')).toThrow(/not exactly representable/);
    expect(() => f.getNumber('str')).toThrow(GGUFMetadataError);
    expect(() => f.getArray('u8')).toThrow(GGUFMetadataError);
    expect(() => f.getStringArray('arr.u8')).toThrow(/array of UINT8, expected an array of STRING/);
    expect(() => f.getNumericArray('arr.str')).toThrow(GGUFMetadataError);
  });

  it('tensor lookup and ranges', async () => {
    expect(f.tensor('norm.weight').ne).toEqual([7]);
    expect(f.hasTensor('norm.weight')).toBe(true);
    expect(() => f.tensor('missing')).toThrow(GGUFTensorError);
    const all = await f.readTensorData(f.tensor('tok.weight'));
    expect(await f.readTensorRange('tok.weight', 100, 250)).toEqual(all.subarray(100, 250));
    expect(await f.readTensorRange('tok.weight', 5, 5)).toEqual(new Uint8Array(0));
    await expect(f.readTensorRange('tok.weight', 0, 433)).rejects.toThrow(GGUFTensorError);
    await expect(f.readTensorRange('tok.weight', -1, 3)).rejects.toThrow(GGUFTensorError);
    await expect(f.readTensorRange('tok.weight', 3, 2)).rejects.toThrow(GGUFTensorError);
    await expect(f.readTensorData({ name: 'tok.weight', ne: [256, 3], type: 12, offset: 32, byteLength: 432 })).rejects.toThrow(GGUFTensorError);
    expect(await f.readTensorData('empty.weight')).toEqual(new Uint8Array(0));
  });

  it('reads only the bytes asked for', async () => {
    const bytes = file(3, false);
    const reads: Array<[number, number]> = [];
    const inner = bytesSource(bytes, 'counted');
    const src = { name: 'counted', size: inner.size, read: (o: number, n: number) => (reads.push([o, n]), inner.read(o, n)) };
    const g = await openGGUF(src);
    reads.length = 0;
    await g.readTensorRange('tok.weight', 10, 20);
    expect(reads).toEqual([[g.dataOffset + 10, 10]]);
    reads.length = 0;
    await g.readTensorData('q8.weight');
    expect(reads).toEqual([[g.dataOffset + 480, 272]]);
  });
});

describe('LazyStringList', () => {
  it('decodes on access and checks indices', () => {
    // two v3 items: "ab" and "\u00e9"
    const bytes = new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 0x61, 0x62, 2, 0, 0, 0, 0, 0, 0, 0, 0xc3, 0xa9]);
    const list = new LazyStringList(bytes, new Uint32Array([0, 10, 20]), 8);
    expect(list.length).toBe(2);
    expect(list.get(0)).toBe('ab');
    expect(list.get(1)).toBe('é');
    expect(() => list.get(2)).toThrow(RangeError);
    expect(() => list.get(-1)).toThrow(RangeError);
    expect(() => list.get(0.5)).toThrow(RangeError);
    expect(list.byteLength(1)).toBe(2);
  });
});
