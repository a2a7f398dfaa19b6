/**
 * The WebAssembly codecs against the scalar TypeScript reference on many random rows
 * (fixed seeds): varied distributions, with and without importance weights, for every
 * type; and dequantization of random block bytes, where f16 scales also take inf and
 * NaN patterns. Both paths must agree byte for byte and bit for bit.
 */
import { rowBytes } from '@ggufkit/tensor-layout';
import { getCodec } from '../src/registry.js';
import { dequantizeFast, getFastCodec, hasFastCodec, quantizeFast } from '../src/fast/index.js';
import { mulberry32 } from '../../../test-support/mulberry32.js';

const TYPES = ['q4_0', 'q4_1', 'q5_0', 'q5_1', 'q8_0', 'q8_1', 'iq4_nl', 'q2_K', 'q3_K', 'q4_K', 'q5_K', 'q6_K', 'q8_K'];

function gauss(r: () => number): number {
  const u = r() || 1e-12;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

/** Value generators, each a kind of row ggml meets (or must survive). */
const DISTRIBUTIONS: Record<string, (r: () => number, i: number) => number> = {
  gaussian: (r) => gauss(r),
  weights: (r) => 0.02 * gauss(r),
  outliers: (r) => (r() < 0.01 ? (r() < 0.5 ? -1 : 1) * (50 + 950 * r()) : 1) * 0.02 * gauss(r),
  uniform: (r) => 2 * r() - 1,
  positive: (r) => r() * 3,
  negativeMax: (r) => (r() < 0.05 ? -4 : gauss(r)),
  heavyTail: (r) => gauss(r) / Math.max(1e-3, Math.abs(gauss(r))),
  sparse: (r) => (r() < 0.9 ? 0 : gauss(r)),
  halves: (r) => Math.round(gauss(r) * 8) / 2,
  smallInts: (r) => Math.floor(r() * 16) - 8,
  tiny: (r) => 1e-30 * gauss(r),
  subnormal: (r) => 1e-40 * gauss(r),
  mixedBlocks: (r, i) => [0, 1e-20, 1, 1e4][(i >> 5) & 3]! * gauss(r),
  nearF16Max: (r) => 60000 + 8000 * r() * (r() < 0.5 ? -1 : 1),
  huge: (r) => 1e30 * gauss(r),
  constant: () => 0.375,
  zeros: () => 0,
};

function makeRows(dist: string, seed: number, n: number): Float32Array {
  const r = mulberry32(seed);
  const gen = DISTRIBUTIONS[dist]!;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = gen(r, i);
  return out;
}

function makeImatrix(seed: number, n: number): Float32Array {
  const r = mulberry32(seed);
  const out = new Float32Array(n);
  // Importance weights are sums of squared activations: positive, a few large, some zero.
  for (let i = 0; i < n; i++) out[i] = r() < 0.03 ? 0 : r() < 0.05 ? 100 * r() : r() * r() * 2;
  return out;
}

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

describe('fast codecs agree with the scalar reference on random rows', () => {
  it('cover every type the scalar registry quantizes', () => {
    expect(TYPES.filter((t) => !hasFastCodec(getCodec(t).type.id))).toEqual([]);
  });

  const dists = Object.keys(DISTRIBUTIONS);
  for (const type of TYPES) {
    it.each(dists.map((d, i) => [d, i] as const))(`${type} %s`, (dist, di) => {
      const scalar = getCodec(type);
      const fast = getFastCodec(type);
      const block = scalar.type.blockSize;
      // Two shapes per distribution: a few long rows, and several rows whose block count
      // leaves a remainder after the fast path's groups of four and eight blocks.
      for (const [rows, cols] of [
        [3, block * (block === 256 ? 3 : 16)],
        [5, block * (block === 256 ? 1 : 11)],
      ] as const) {
        const seed = 1000 * di + rows + cols + type.length;
        const src = makeRows(dist, seed, rows * cols);
        const ims = scalar.acceptsImatrix ? [null, makeImatrix(seed + 7, cols)] : [null];
        for (const im of ims) {
          const want = new Uint8Array(rows * rowBytes(scalar.type.id, cols));
          const got = new Uint8Array(want.length);
          scalar.quantize(src, want, rows, cols, im);
          fast.quantize(src, got, rows, cols, im);
          const at = firstDifference(got, want);
          expect({ shape: `${rows}x${cols}`, imatrix: im !== null, firstDifferingByte: at }).toEqual({
            shape: `${rows}x${cols}`,
            imatrix: im !== null,
            firstDifferingByte: -1,
          });
        }
      }
    });
  }
});

describe('fast dequantization agrees with the scalar reference on random blocks', () => {
  it.each(TYPES)('%s', (type) => {
    const scalar = getCodec(type);
    const r = mulberry32(type.length * 7919 + type.charCodeAt(1));
    const nblocks = 64;
    const bytes = new Uint8Array(nblocks * scalar.type.typeSize);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(r() * 256);
    if (type === 'q8_K') {
      // Keep Q8_K's f32 scale finite: its NaN payloads are not defined by ggml either.
      const view = new DataView(bytes.buffer);
      for (let b = 0; b < nblocks; b++) view.setFloat32(b * scalar.type.typeSize, gauss(r), true);
    }
    const cols = scalar.type.blockSize * 4;
    const nrows = nblocks / 4;
    const want = new Float32Array(nrows * cols);
    scalar.dequantize(bytes, want, nrows, cols);
    const got = dequantizeFast(type, bytes, nrows, cols);
    const at = firstDifference(new Uint32Array(got.buffer), new Uint32Array(want.buffer));
    expect({ firstDifferingValue: at, got: got[at], want: want[at] }).toEqual({ firstDifferingValue: -1, got: undefined, want: undefined });
  });
});

describe('fast codec API', () => {
  it('quantizeFast/dequantizeFast check shapes like the scalar helpers', () => {
    expect(() => quantizeFast('q4_K', new Float32Array(320), 1, 320)).toThrow(RangeError);
    expect(() => quantizeFast('q4_0', new Float32Array(32), -1, 32)).toThrow(RangeError);
    expect(() => quantizeFast('q4_0', new Float32Array(31), 1, 32)).toThrow(/source/);
    expect(() => dequantizeFast('q6_K', new Uint8Array(100), 1, 256)).toThrow(RangeError);
    expect(() => getFastCodec('f16')).toThrow(RangeError);
  });

  it('a fast codec keeps the scalar dot product and partner type', () => {
    const fast = getFastCodec('q4_K');
    expect(fast.vecDotType).toBe(getCodec('q4_K').vecDotType);
    const w = quantizeFast('q4_K', makeRows('gaussian', 5, 256), 1, 256);
    const a = quantizeFast('q8_K', makeRows('gaussian', 6, 256), 1, 256);
    expect(fast.vecDot(256, w, 0, a, 0)).toBe(getCodec('q4_K').vecDot(256, w, 0, a, 0));
  });

  it('rows larger than one transfer chunk come out whole', () => {
    // 1100 rows of 1024 values cross the 1 Mi-value chunk boundary with a partial last chunk.
    const src = makeRows('weights', 99, 1100 * 1024);
    const got = quantizeFast('q4_0', src, 1100, 1024);
    const want = new Uint8Array(got.length);
    getCodec('q4_0').quantize(src, want, 1100, 1024, null);
    expect(firstDifference(got, want)).toBe(-1);
    const back = dequantizeFast('q4_0', got, 1100, 1024);
    const ref = new Float32Array(back.length);
    getCodec('q4_0').dequantize(got, ref, 1100, 1024);
    expect(firstDifference(new Uint32Array(back.buffer), new Uint32Array(ref.buffer))).toBe(-1);
  });
});
