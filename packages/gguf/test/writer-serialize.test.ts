/**
 * serializeHeader against bytes written out by hand from the GGUF layout (ggml's
 * gguf_write_to_buf): every value type, nested and string arrays, tensor infos with
 * aligned offsets, big-endian and v1 headers, and the input checks.
 */
import { GGMLType, GGUFValueType } from '@ggufkit/tensor-layout';
import { GGUFWriteError, layoutGGUF, serializeHeader, type GGUFMetadataEntry, type GGUFStringList } from '@ggufkit/gguf';
import { concat, hex, padTo, toHex } from './writer-bytes.js';

const T = GGUFValueType;

function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(toHex(actual)).toBe(toHex(expected));
}

/** A GGUFStringList over raw byte items, like the reader returns. */
function stringList(items: Uint8Array[]): GGUFStringList {
  const dec = new TextDecoder();
  return {
    length: items.length,
    get: (i) => dec.decode(items[i]!),
    bytes: (i) => items[i]!,
    toArray: () => items.map((b) => dec.decode(b)),
    [Symbol.iterator]: function* () {
      for (const b of items) yield dec.decode(b);
    },
  };
}

describe('serializeHeader: empty file', () => {
  it('writes magic, version 3, zero counts and pads to 32', () => {
    expectBytes(
      serializeHeader({ metadata: [] }, []),
      hex(`47475546 03000000 0000000000000000 0000000000000000 0000000000000000`),
    );
  });

  it('writes version 2 with the same layout', () => {
    expectBytes(
      serializeHeader({ version: 2, metadata: [] }, []),
      hex(`47475546 02000000 0000000000000000 0000000000000000 0000000000000000`),
    );
  });
});

describe('serializeHeader: every scalar value type (v3, little-endian)', () => {
  const metadata: GGUFMetadataEntry[] = [
    { key: 'a', type: T.UINT8, value: 200 },
    { key: 'b', type: T.INT8, value: -2 },
    { key: 'c', type: T.UINT16, value: 0x1234 },
    { key: 'd', type: T.INT16, value: -2 },
    { key: 'e', type: T.UINT32, value: 0xdeadbeef },
    { key: 'f', type: T.INT32, value: -1 },
    { key: 'g', type: T.FLOAT32, value: 1.5 },
    { key: 'h', type: T.BOOL, value: true },
    { key: 'i', type: T.STRING, value: 'hé' },
    { key: 'j', type: T.UINT64, value: 0xffffffffffffffffn },
    { key: 'k', type: T.INT64, value: -2n },
    { key: 'l', type: T.FLOAT64, value: -2 },
    { key: 'm', type: T.STRING, value: new Uint8Array([0xff, 0xfe]) },
  ];
  it('matches the hand-written bytes', () => {
    const expected = padTo(
      hex(`
        47475546 03000000 0000000000000000 0d00000000000000
        0100000000000000 61 00000000 c8
        0100000000000000 62 01000000 fe
        0100000000000000 63 02000000 3412
        0100000000000000 64 03000000 feff
        0100000000000000 65 04000000 efbeadde
        0100000000000000 66 05000000 ffffffff
        0100000000000000 67 06000000 0000c03f
        0100000000000000 68 07000000 01
        0100000000000000 69 08000000 0300000000000000 68c3a9
        0100000000000000 6a 0a000000 ffffffffffffffff
        0100000000000000 6b 0b000000 feffffffffffffff
        0100000000000000 6c 0c000000 00000000000000c0
        0100000000000000 6d 08000000 0200000000000000 fffe
      `),
      32,
    );
    expectBytes(serializeHeader({ metadata }, []), expected);
  });

  it('accepts a safe-integer number for 64-bit types', () => {
    const a = serializeHeader({ metadata: [{ key: 'j', type: T.UINT64, value: 5 }] }, []);
    const b = serializeHeader({ metadata: [{ key: 'j', type: T.UINT64, value: 5n }] }, []);
    expectBytes(a, b);
  });
});

describe('serializeHeader: arrays', () => {
  it('writes numeric, string, string-list, bool and nested arrays', () => {
    const metadata: GGUFMetadataEntry[] = [
      { key: 'm', type: T.ARRAY, value: { itemType: T.INT32, values: new Int32Array([1, -1]) } },
      { key: 'n', type: T.ARRAY, value: { itemType: T.STRING, values: ['x', new Uint8Array([0xff])] } },
      { key: 'o', type: T.ARRAY, value: { itemType: T.ARRAY, values: [{ itemType: T.UINT8, values: new Uint8Array([7]) }, { itemType: T.BOOL, values: [false, true] }] } },
      { key: 'p', type: T.ARRAY, value: { itemType: T.STRING, values: stringList([new Uint8Array([0x61, 0x62]), new Uint8Array([0xc3])]) } },
      { key: 'q', type: T.ARRAY, value: { itemType: T.FLOAT32, values: new Float32Array([1, -2]) } },
      { key: 'r', type: T.ARRAY, value: { itemType: T.UINT64, values: new BigUint64Array([1n]) } },
      { key: 's', type: T.ARRAY, value: { itemType: T.UINT16, values: new Uint16Array(0) } },
    ];
    const expected = padTo(
      hex(`
        47475546 03000000 0000000000000000 0700000000000000
        0100000000000000 6d 09000000 05000000 0200000000000000 01000000 ffffffff
        0100000000000000 6e 09000000 08000000 0200000000000000 0100000000000000 78 0100000000000000 ff
        0100000000000000 6f 09000000 09000000 0200000000000000
            00000000 0100000000000000 07
            07000000 0200000000000000 00 01
        0100000000000000 70 09000000 08000000 0200000000000000 0200000000000000 6162 0100000000000000 c3
        0100000000000000 71 09000000 06000000 0200000000000000 0000803f 000000c0
        0100000000000000 72 09000000 0a000000 0100000000000000 0100000000000000
        0100000000000000 73 09000000 02000000 0000000000000000
      `),
      32,
    );
    expectBytes(serializeHeader({ metadata }, []), expected);
  });

  it('accepts plain number arrays for numeric item types', () => {
    const typed = serializeHeader({ metadata: [{ key: 'q', type: T.ARRAY, value: { itemType: T.INT16, values: new Int16Array([3, -3]) } }] }, []);
    const plain = serializeHeader({ metadata: [{ key: 'q', type: T.ARRAY, value: { itemType: T.INT16, values: [3, -3] as unknown as Int16Array } }] }, []);
    expectBytes(plain, typed);
  });
});

describe('serializeHeader: UTF-8 strings', () => {
  // Every kind of UTF-16 input, on both sides of the 64-unit limit of the hand-written encoder.
  const strings = [
    '', 'a', 'Ġthe', 'ĊĊ', 'é', '\u07ff', '\u0800', '你好', '\uffff', '😀', 'a😀b', '\ud83d', 'x\ude00', '\ude00\ud83d',
    'ab'.repeat(32), 'é'.repeat(64), 'é'.repeat(65), '你'.repeat(64) + 'a', 'ab'.repeat(31) + '😀', 'a'.repeat(63) + '\ud83d', 'Ġ'.repeat(200),
  ];
  it.each(strings.map((v, i) => [i, v]))('writes string %i as TextEncoder encodes it', (_, v) => {
    const utf8 = new TextEncoder().encode(v);
    const len = new Uint8Array(8);
    new DataView(len.buffer).setUint32(0, utf8.length, true);
    const expected = padTo(concat(hex('47475546 03000000 0000000000000000 0100000000000000 0100000000000000 6b 08000000'), len, utf8), 32);
    expectBytes(serializeHeader({ metadata: [{ key: 'k', type: T.STRING, value: v }] }, []), expected);
  });

  it('writes a string array of mixed strings as TextEncoder encodes each', () => {
    const items = strings.map((v) => new TextEncoder().encode(v));
    const parts = items.flatMap((u) => {
      const len = new Uint8Array(8);
      new DataView(len.buffer).setUint32(0, u.length, true);
      return [len, u];
    });
    const count = new Uint8Array(8);
    new DataView(count.buffer).setUint32(0, items.length, true);
    const expected = padTo(concat(hex('47475546 03000000 0000000000000000 0100000000000000 0100000000000000 6b 09000000 08000000'), count, ...parts), 32);
    expectBytes(serializeHeader({ metadata: [{ key: 'k', type: T.ARRAY, value: { itemType: T.STRING, values: strings } }] }, []), expected);
  });
});

describe('serializeHeader: tensor infos', () => {
  const tensors = [
    { name: 'w', ne: [3], type: GGMLType.F32 },
    { name: 'q', ne: [32, 2], type: GGMLType.Q8_0 },
  ];

  it('assigns aligned offsets in order and pads the header', () => {
    const expected = padTo(
      hex(`
        47475546 03000000 0200000000000000 0000000000000000
        0100000000000000 77 01000000 0300000000000000 00000000 0000000000000000
        0100000000000000 71 02000000 2000000000000000 0200000000000000 08000000 2000000000000000
      `),
      32,
    );
    const layout = layoutGGUF({ metadata: [] }, tensors);
    expectBytes(layout.bytes, expected);
    expect(layout.headerLength).toBe(98);
    expect(layout.dataOffset).toBe(128);
    expect(layout.tensors.map((t) => [t.offset, t.byteLength])).toEqual([[0, 12], [32, 68]]);
    expect(layout.dataLength).toBe(32 + 96);
    expect(layout.fileSize).toBe(256);
  });

  it('uses general.alignment for the header padding and every offset', () => {
    const layout = layoutGGUF({ metadata: [{ key: 'general.alignment', type: T.UINT32, value: 64 }] }, tensors);
    expect(layout.alignment).toBe(64);
    expect(layout.dataOffset % 64).toBe(0);
    expect(layout.tensors.map((t) => t.offset)).toEqual([0, 64]);
    expect(layout.dataLength).toBe(64 + 128);
  });

  it('appends general.alignment when an alignment other than 32 is asked for without the key', () => {
    const layout = layoutGGUF({ metadata: [], alignment: 16 }, tensors);
    expect(layout.metadata).toEqual([{ key: 'general.alignment', type: T.UINT32, value: 16 }]);
    expect(layout.tensors.map((t) => t.offset)).toEqual([0, 16]);
    expect(layoutGGUF({ metadata: [], alignment: 32 }, tensors).metadata).toEqual([]);
  });

  it('writes the dimensions given, including trailing 1s and zero dimensions', () => {
    const bytes = serializeHeader({ metadata: [] }, [{ name: 'z', ne: [4, 1], type: GGMLType.I8 }]);
    expectBytes(
      bytes,
      padTo(hex(`47475546 03000000 0100000000000000 0000000000000000 0100000000000000 7a 02000000 0400000000000000 0100000000000000 18000000 0000000000000000`), 32),
    );
  });
});

describe('serializeHeader: byte order and version 1', () => {
  it('writes every header number big-endian and swaps typed array items', () => {
    const bytes = serializeHeader(
      {
        bigEndian: true,
        metadata: [
          { key: 'c', type: T.UINT16, value: 0x1234 },
          { key: 'g', type: T.FLOAT32, value: 1.5 },
          { key: 'q', type: T.ARRAY, value: { itemType: T.FLOAT32, values: new Float32Array([1]) } },
          { key: 'u', type: T.ARRAY, value: { itemType: T.UINT8, values: new Uint8Array([1, 2]) } },
        ],
      },
      [{ name: 'w', ne: [3], type: GGMLType.F32 }],
    );
    expectBytes(
      bytes,
      padTo(
        hex(`
          47475546 00000003 0000000000000001 0000000000000004
          0000000000000001 63 00000002 1234
          0000000000000001 67 00000006 3fc00000
          0000000000000001 71 00000009 00000006 0000000000000001 3f800000
          0000000000000001 75 00000009 00000000 0000000000000002 0102
          0000000000000001 77 00000001 0000000000000003 00000000 0000000000000000
        `),
        32,
      ),
    );
  });

  it('writes version 1 with 32-bit counts, lengths and dimensions', () => {
    const bytes = serializeHeader(
      { version: 1, metadata: [{ key: 'n', type: T.ARRAY, value: { itemType: T.STRING, values: ['x'] } }] },
      [{ name: 'w', ne: [3], type: GGMLType.F32 }],
    );
    expectBytes(
      bytes,
      padTo(
        hex(`
          47475546 01000000 01000000 01000000
          01000000 6e 09000000 08000000 01000000 01000000 78
          01000000 77 01000000 03000000 00000000 0000000000000000
        `),
        32,
      ),
    );
  });
});

describe('serializeHeader: rejects what llama.cpp could not load', () => {
  const f32 = (name: string, ne: number[] = [4]) => ({ name, ne, type: GGMLType.F32 });
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['duplicate tensor names', () => serializeHeader({ metadata: [] }, [f32('a'), f32('a')]), /"a" appears twice/],
    ['unknown tensor type', () => serializeHeader({ metadata: [] }, [{ name: 't', ne: [4], type: 99 }]), /"t".*unknown ggml type id 99/],
    ['removed tensor type', () => serializeHeader({ metadata: [] }, [{ name: 't', ne: [32], type: 31 }]), /no longer supported/],
    ['row not a whole number of blocks', () => serializeHeader({ metadata: [] }, [{ name: 't', ne: [48, 2], type: GGMLType.Q4_K }]), /"t".*48 is not a multiple of Q4_K's block size 256/],
    ['alignment not a power of two', () => serializeHeader({ metadata: [], alignment: 24 }, []), /alignment 24 is not a power of two/],
    ['general.alignment not a power of two', () => serializeHeader({ metadata: [{ key: 'general.alignment', type: T.UINT32, value: 48 }] }, []), /not a power of two/],
    ['general.alignment of the wrong type', () => serializeHeader({ metadata: [{ key: 'general.alignment', type: T.UINT64, value: 32n }] }, []), /must be UINT32/],
    ['alignment disagreeing with general.alignment', () => serializeHeader({ metadata: [{ key: 'general.alignment', type: T.UINT32, value: 64 }], alignment: 32 }, []), /disagrees/],
    ['duplicate keys', () => serializeHeader({ metadata: [{ key: 'k', type: T.BOOL, value: true }, { key: 'k', type: T.BOOL, value: false }] }, []), /"k" appears twice/],
    ['empty key', () => serializeHeader({ metadata: [{ key: '', type: T.BOOL, value: true }] }, []), /key is empty/],
    ['value out of range', () => serializeHeader({ metadata: [{ key: 'k', type: T.UINT8, value: 256 }] }, []), /"k".*256 is not a valid UINT8/],
    ['non-integer', () => serializeHeader({ metadata: [{ key: 'k', type: T.INT32, value: 1.5 }] }, []), /"k".*not a valid INT32/],
    ['u64 out of range', () => serializeHeader({ metadata: [{ key: 'k', type: T.UINT64, value: -1n }] }, []), /"k".*out of range/],
    ['wrong value kind', () => serializeHeader({ metadata: [{ key: 'k', type: T.STRING, value: 3 }] }, []), /"k".*not a valid STRING/],
    ['bad array item', () => serializeHeader({ metadata: [{ key: 'k', type: T.ARRAY, value: { itemType: T.BOOL, values: [1 as unknown as boolean] } }] }, []), /"k".*not a valid BOOL/],
    ['unknown value type', () => serializeHeader({ metadata: [{ key: 'k', type: 13 as never, value: 1 }] }, []), /"k".*unknown value type 13/],
    ['version 4', () => serializeHeader({ version: 4, metadata: [] }, []), /version 4/],
    ['too many dimensions', () => serializeHeader({ metadata: [] }, [f32('t', [1, 1, 1, 1, 1])]), /at most 4 dimensions/],
    ['negative dimension', () => serializeHeader({ metadata: [] }, [f32('t', [4, -1])]), /-1 is not a non-negative integer/],
    ['name too long for llama.cpp', () => serializeHeader({ metadata: [] }, [f32('x'.repeat(64))]), /64 bytes/],
  ];
  for (const [what, run, message] of cases) {
    it(what, () => {
      expect(run).toThrow(GGUFWriteError);
      expect(run).toThrow(message);
    });
  }

  it('accepts a 63-byte tensor name', () => {
    expect(() => serializeHeader({ metadata: [] }, [f32('x'.repeat(63))])).not.toThrow();
  });
});
