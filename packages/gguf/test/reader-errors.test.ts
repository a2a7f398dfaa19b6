import { GGUFError, GGUFFormatError, GGUFUnsupportedError, openGGUF, type ByteSource } from '@ggufkit/gguf';
import { ByteBuilder, T, buildGGUF, type BFile } from './reader-builder.js';

const BASE: BFile = {
  kv: [
    ['general.architecture', T.STRING, 'llama'],
    ['n', T.UINT32, 7],
    ['tokens', T.ARRAY, { itemType: T.STRING, items: ['a', 'bb', 'ccc', 'Ġd'] }],
    ['scores', T.ARRAY, { itemType: T.FLOAT32, items: [1, 2, 3, 4] }],
    ['nested', T.ARRAY, { itemType: T.ARRAY, items: [{ itemType: T.UINT8, items: [1] }] }],
  ],
  tensors: [
    { name: 'a', ne: [32, 2], type: 8, nbytes: 68 },
    { name: 'b', ne: [4], type: 0, nbytes: 16 },
  ],
};

async function failure(bytes: Uint8Array | ByteSource, opts = {}): Promise<GGUFError> {
  try {
    await openGGUF(bytes, opts);
  } catch (e) {
    if (e instanceof GGUFError) return e;
    throw e;
  }
  throw new Error('expected openGGUF to fail');
}

/** A v3 LE header written by hand: magic, version, counts, then `body`. */
function header(nTensors: bigint, nKv: bigint, body: (w: ByteBuilder) => void = () => {}): Uint8Array {
  const w = new ByteBuilder(true, true);
  w.raw(new Uint8Array([0x47, 0x47, 0x55, 0x46])).u32(3).u64(nTensors).u64(nKv);
  body(w);
  return w.bytes();
}

describe('reader: truncated files', () => {
  for (const version of [1, 3]) {
    for (const bigEndian of [false, true]) {
      it(`every cut point of a v${version}${bigEndian ? ' BE' : ''} file fails with a GGUFFormatError and an offset`, async () => {
        const full = buildGGUF({ ...BASE, version, bigEndian });
        const whole = await openGGUF(full);
        const dataEnd = whole.dataOffset + whole.tensors[1]!.offset + 16;
        for (let cut = 0; cut < dataEnd; cut++) {
          const e = await failure(full.subarray(0, cut), { initialReadBytes: 16 });
          expect(e).toBeInstanceOf(GGUFFormatError);
          expect(e.offset).toEqual(expect.any(Number));
          expect(e.message).toContain('<bytes>');
          if (cut < whole.headerLength) {
            expect(e.offset!).toBeLessThanOrEqual(cut);
            expect(e.message).toMatch(/truncated: .* but the file ends at \d+|needs at least \d+ bytes/);
          } else {
            expect(e.message).toMatch(/tensor "[ab]" data .* extends past the end of the file|data section starts at/);
          }
        }
      });
    }
  }

  it('names what was expected and where the file ends', async () => {
    const one = header(0n, 1n, (w) => w.str('general.name').u32(T.STRING).str('abc'));
    const e = await failure(one.subarray(0, 40));
    expect(e.message).toBe('<bytes> at offset 24: truncated: key of metadata entry 0: length 12 at offset 32 but the file ends at 40');
    const e2 = await failure(one.subarray(0, 10));
    expect(e2.message).toMatch(/truncated: expected tensor and metadata counts \(16 bytes\)/);
  });

  it('tensor data past the end of the file', async () => {
    const full = buildGGUF(BASE);
    const e = await failure(full.subarray(0, full.length - 40));
    expect(e).toBeInstanceOf(GGUFFormatError);
    expect(e.message).toMatch(/tensor "b" data .* extends past the end of the file/);
  });
});

describe('reader: hostile counts fail fast, before allocating', () => {
  const reads = (bytes: Uint8Array) => {
    const log: number[] = [];
    const src: ByteSource = {
      name: 'hostile',
      size: async () => bytes.length,
      read: async (o, n) => {
        log.push(n);
        if (o + n > bytes.length) throw new Error('unexpected read past the end');
        return bytes.subarray(o, o + n);
      },
    };
    return { src, log };
  };

  it('2^63-1 tensors', async () => {
    const e = await failure(header(0x7fffffffffffffffn, 0n));
    expect(e).toBeInstanceOf(GGUFFormatError);
    expect(e.offset).toBe(8);
    expect(e.message).toMatch(/tensor infos: count 9223372036854775807 needs at least 221360928884514619368 bytes/);
  });

  it('negative counts', async () => {
    expect((await failure(header(0xffffffffffffffffn, 0n))).message).toMatch(/tensor count is negative/);
    expect((await failure(header(0n, 1n << 63n))).message).toMatch(/metadata entry count is negative/);
  });

  it('2^40 metadata entries', async () => {
    const e = await failure(header(0n, 1n << 40n));
    expect(e.offset).toBe(16);
    expect(e.message).toMatch(/metadata entries: count 1099511627776/);
  });

  it('a 4 GB string', async () => {
    const bytes = header(0n, 1n, (w) => w.u64(1n << 32n).zeros(16));
    const { src, log } = reads(bytes);
    const e = await failure(src);
    expect(e).toBeInstanceOf(GGUFFormatError);
    expect(e.offset).toBe(24);
    expect(e.message).toMatch(/truncated: key of metadata entry 0: length 4294967296 at offset 32 but the file ends at 48/);
    expect(Math.max(...log)).toBeLessThanOrEqual(bytes.length);
  });

  it('an array claiming 2^60 items of each item type', async () => {
    for (const itemType of [T.UINT8, T.INT32, T.FLOAT64, T.BOOL, T.STRING, T.ARRAY]) {
      const bytes = header(0n, 1n, (w) => w.str('k').u32(T.ARRAY).u32(itemType).u64(1n << 60n).zeros(64));
      const e = await failure(bytes);
      expect(e).toBeInstanceOf(GGUFFormatError);
      expect(e.offset).toBe(41);
      expect(e.message).toMatch(/array "k" of \w+: count 1152921504606846976 needs at least/);
    }
  });

  it('a string array whose item lengths run past the end', async () => {
    const bytes = header(0n, 1n, (w) => w.str('k').u32(T.ARRAY).u32(T.STRING).u64(3n).str('ok').u64(1n << 50n).zeros(20));
    const e = await failure(bytes);
    expect(e.message).toMatch(/at offset 59: truncated: array "k" of STRING item 1: length 1125899906842624 at offset 67 but the file ends at 87/);
  });

  it('a header larger than maxHeaderBytes', async () => {
    const bytes = buildGGUF({ kv: [['big', T.STRING, 'x'.repeat(5000)]] });
    const e = await failure(bytes, { maxHeaderBytes: 1000 });
    expect(e).toBeInstanceOf(GGUFUnsupportedError);
    expect(e.message).toMatch(/maxHeaderBytes/);
  });

  it('arrays nested beyond the depth limit', async () => {
    const bytes = header(0n, 1n, (w) => {
      w.str('deep').u32(T.ARRAY);
      for (let i = 0; i < 40; i++) w.u32(T.ARRAY).u64(1n);
      w.u32(T.UINT8).u64(0n);
    });
    expect((await failure(bytes)).message).toMatch(/nested deeper than 32/);
  });
});

describe('reader: invalid headers', () => {
  const kvFile = (kv: BFile['kv'], extra: Partial<BFile> = {}) => buildGGUF({ kv, ...extra });

  it('magic and version', async () => {
    const good = buildGGUF(BASE);
    const bad = good.slice();
    bad[0] = 0x4e;
    expect((await failure(bad)).message).toMatch(/magic is "NGUF", expected "GGUF"/);
    const v0 = good.slice();
    v0.set([0, 0, 0, 0], 4);
    expect((await failure(v0)).message).toMatch(/version 0/);
    const v4 = good.slice();
    v4.set([4, 0, 0, 0], 4);
    expect(await failure(v4)).toBeInstanceOf(GGUFUnsupportedError);
    // 0x00030001 read either way is not a small version: not big-endian, just unsupported
    const odd = good.slice();
    odd.set([1, 0, 3, 0], 4);
    expect((await failure(odd)).message).toMatch(/version 196609 is not supported/);
  });

  it('unknown value types, empty and duplicate keys', async () => {
    expect((await failure(header(0n, 1n, (w) => w.str('k').u32(13).u8(0)))).message).toMatch(/"k" has unknown value type 13/);
    expect((await failure(header(0n, 1n, (w) => w.str('k').u32(T.ARRAY).u32(99).u64(0n)))).message).toMatch(/unknown item type 99/);
    expect((await failure(header(0n, 1n, (w) => w.str('').u32(T.UINT8).u8(0)))).message).toMatch(/empty key/);
    expect((await failure(kvFile([['k', T.UINT8, 1], ['k', T.UINT8, 2]]))).message).toMatch(/duplicate metadata key "k"/);
  });

  it('general.alignment must be a UINT32 power of two', async () => {
    expect((await failure(kvFile([['general.alignment', T.UINT64, 32n]]))).message).toMatch(/general.alignment must be UINT32 but is UINT64/);
    expect((await failure(kvFile([['general.alignment', T.UINT32, 0]]))).message).toMatch(/not a non-zero power of two/);
    expect((await failure(kvFile([['general.alignment', T.UINT32, 48]]))).message).toMatch(/alignment 48 is not a non-zero power of two/);
  });

  it('tensor infos', async () => {
    const t = (tensor: { name: string; ne: number[]; type: number; nbytes: number; offset?: number }, more: BFile['tensors'] = []) =>
      buildGGUF({ kv: [], tensors: [tensor, ...more] });
    expect((await failure(t({ name: 'x', ne: [1, 1, 1, 1, 1], type: 0, nbytes: 4 }))).message).toMatch(/"x" has 5 dimensions; at most 4/);
    expect((await failure(t({ name: 'x', ne: [4], type: 4, nbytes: 4 }))).message).toMatch(/"x" has unknown ggml type 4/);
    expect((await failure(t({ name: 'x', ne: [4], type: 99, nbytes: 4 }))).message).toMatch(/unknown ggml type 99/);
    expect((await failure(t({ name: 'x', ne: [100], type: 12, nbytes: 4 }))).message).toMatch(/rows of 100 values, not a multiple of the block size 256/);
    expect((await failure(t({ name: 'x', ne: [4], type: 0, nbytes: 16, offset: 8 }))).message).toMatch(/offset 8 is not a multiple of the alignment 32/);
    expect((await failure(t({ name: 'x', ne: [4], type: 0, nbytes: 16 }, [{ name: 'x', ne: [4], type: 0, nbytes: 16 }]))).message).toMatch(/duplicate tensor name "x"/);
    expect((await failure(t({ name: 'x', ne: [2 ** 40, 2 ** 40], type: 0, nbytes: 0 }))).message).toMatch(/more elements than can be addressed/);
    const neg = header(1n, 0n, (w) => w.str('n').u32(1).u64(0xffffffffffffffffn).u32(0).u64(0n));
    expect((await failure(neg)).message).toMatch(/"n" dimension 0 is negative/);
  });

  it('strict mode rejects what llama.cpp rejects', async () => {
    const v1 = buildGGUF({ ...BASE, version: 1 });
    await expect(openGGUF(v1)).resolves.toBeDefined();
    expect((await failure(v1, { strict: true })).message).toMatch(/version 1 is not accepted by llama.cpp/);
    const nested = buildGGUF(BASE);
    expect((await failure(nested, { strict: true })).message).toMatch(/nested arrays are not accepted/);
    const longName = buildGGUF({ kv: [], tensors: [{ name: 'n'.repeat(64), ne: [4], type: 0, nbytes: 16 }] });
    await expect(openGGUF(longName)).resolves.toBeDefined();
    expect((await failure(longName, { strict: true })).message).toMatch(/name is 64 bytes; llama.cpp allows at most 63/);
    const gap = buildGGUF({ kv: [], tensors: [{ name: 'a', ne: [4], type: 0, nbytes: 16, offset: 64 }] });
    await expect(openGGUF(gap)).resolves.toBeDefined();
    expect((await failure(gap, { strict: true })).message).toMatch(/tensor "a" has data offset 64, expected 0/);
    const removed = buildGGUF({ kv: [], tensors: [{ name: 'a', ne: [32], type: 31, nbytes: 18 }] });
    await expect(openGGUF(removed)).resolves.toBeDefined();
    expect((await failure(removed, { strict: true })).message).toMatch(/Q4_0_4_4, which llama.cpp no longer accepts/);
  });

  it('big-endian is detected from the version only', async () => {
    const be = buildGGUF({ ...BASE, bigEndian: true });
    expect(Array.from(be.subarray(4, 8))).toEqual([0, 0, 0, 3]);
    const f = await openGGUF(be);
    expect(f.bigEndian).toBe(true);
    // a little-endian file whose counts look byte-swapped is still little-endian
    const le = header(0n, 0n);
    le.set([0, 0, 0, 1], 8);
    const e = await failure(le);
    expect(e.message).toMatch(/tensor infos: count 16777216 needs at least/);
  });
});
