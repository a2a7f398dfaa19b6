/**
 * The direct quantized dot products of assembly/qdot.ts (Q4_0, Q8_0, Q4_K, Q6_K) against the
 * scalar reference `vecDot` of @ggufkit/quants, which follows ggml's generic C code.
 *
 * - Exact: weight scales and activation scales are powers of two and the activations small
 *   integers times a power of two, so every float operation of both implementations is
 *   exact and their results must be identical whatever order they sum in. This checks the
 *   integer dot products (nibble and 6-bit unpacking, sub-block scales and mins, the i16
 *   activation layouts) bit for bit, including subnormal f16 scales.
 * - Random: random weight bytes (finite f16 scales) and Gaussian activations; the results
 *   differ from the reference only by float summation order.
 *
 * Both builds of the kernels run: SIMD128 only, and relaxed SIMD (8-bit dot products, its
 * own activation layout), which must give the same bits as the first on any data.
 */
import { GGMLType, f32ToF16, rowBytes } from '@ggufkit/tensor-layout';
import { getCodec } from '@ggufkit/quants';
import { EngineMemory } from '../src/wasm/memory.js';
import { enableRelaxedSimd } from '../src/node.js';
import { engineMatmul as runMatmul } from './helpers/matmul.js';
import { mulberry32 } from '../../../test-support/mulberry32.js';

interface Layout {
  /** Values and bytes per block. */
  values: number;
  block: number;
  /** Byte offsets of the f16 scales to overwrite (d first). */
  f16At: number[];
  /** The activation format: the weight type's partner (q8_0 or q8_K). */
  partner: number;
}

const LAYOUTS = new Map<number, Layout>([
  [GGMLType.Q4_0, { values: 32, block: 18, f16At: [0], partner: GGMLType.Q8_0 }],
  [GGMLType.Q8_0, { values: 32, block: 34, f16At: [0], partner: GGMLType.Q8_0 }],
  [GGMLType.Q4_K, { values: 256, block: 144, f16At: [0, 2], partner: GGMLType.Q8_K }],
  [GGMLType.Q6_K, { values: 256, block: 210, f16At: [208], partner: GGMLType.Q8_K }],
]);

/** Random weight rows: random bytes, with the f16 scales replaced by `scale(i)` for scale slot i. */
function randomRows(type: number, rows: number, n: number, rand: () => number, scale: (slot: number) => number): Uint8Array {
  const { block, f16At } = LAYOUTS.get(type)!;
  const out = new Uint8Array(rows * rowBytes(type, n));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rand() * 256);
  const view = new DataView(out.buffer);
  for (let b = 0; b < out.length / block; b++) {
    f16At.forEach((o, slot) => view.setUint16(b * block + o, scale(slot), true));
  }
  return out;
}

/**
 * Activations whose q8_0 and q8_K quantizations are exact: integers in [-lim, lim] times
 * 2^-3, the first value of each 32 -127 * 2^-3, so every block scale is 2^-3 and the quants
 * are the integers.
 */
function exactActivations(n: number, lim: number, rand: () => number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = (i % 32 === 0 ? -127 : Math.round((rand() * 2 - 1) * lim)) / 8;
  return x;
}

function gaussian(n: number, rand: () => number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return x;
}

type Build = 'baseline' | 'relaxed';
const BUILDS: Build[] = ['baseline', 'relaxed'];
const memories = new Map<Build, EngineMemory>();
beforeAll(async () => {
  // Node 20 has relaxed SIMD behind a V8 flag
  expect(enableRelaxedSimd()).toBe(true);
  for (const build of BUILDS) memories.set(build, await EngineMemory.create(16 * 1024 * 1024, undefined, false, build === 'relaxed'));
});

/** The engine's matmul in one of its builds (see helpers/matmul.ts). */
function engineMatmul(build: Build, type: number, w: Uint8Array, rows: number, n: number, x: Float32Array, nTok: number): Float32Array {
  return runMatmul(memories.get(build)!, type, w, rows, n, x, nTok);
}

/** The reference: the codec's vecDot of each weight row with the partner quantization of each activation row. */
function referenceMatmul(type: number, w: Uint8Array, rows: number, n: number, x: Float32Array, nTok: number): Float32Array {
  const codec = getCodec(type);
  const partner = LAYOUTS.get(type)!.partner;
  const yBytes = rowBytes(partner, n);
  const y = new Uint8Array(yBytes * nTok);
  getCodec(partner).quantize(x, y, nTok, n);
  const rb = rowBytes(type, n);
  const out = new Float32Array(rows * nTok);
  for (let t = 0; t < nTok; t++) {
    for (let r = 0; r < rows; r++) out[t * rows + r] = codec.vecDot(n, w, r * rb, y, t * yBytes);
  }
  return out;
}

const f16 = (v: number): number => f32ToF16(v);

describe.each([
  ['Q4_0', 'baseline', GGMLType.Q4_0],
  ['Q8_0', 'baseline', GGMLType.Q8_0],
  ['Q4_K', 'baseline', GGMLType.Q4_K],
  ['Q6_K', 'baseline', GGMLType.Q6_K],
  ['Q4_0', 'relaxed', GGMLType.Q4_0],
  ['Q8_0', 'relaxed', GGMLType.Q8_0],
  ['Q4_K', 'relaxed', GGMLType.Q4_K],
  ['Q6_K', 'relaxed', GGMLType.Q6_K],
] as const)('%s direct dot product (%s build)', (_name, build, type) => {
  it.each([
    ['normal scales', 1, (slot: number) => f16(slot === 0 ? 2 ** -8 : 2 ** -9)],
    ['subnormal scales', 2, (slot: number) => f16(slot === 0 ? 2 ** -20 : 2 ** -22)],
    ['mixed signs', 3, (slot: number) => f16(slot === 0 ? -(2 ** -6) : 2 ** -7)],
  ])('equals the reference exactly on exact data (%s)', (_label, seed, scale) => {
    const rand = mulberry32(seed);
    // 1056 values (33 blocks) and 1792 (7 super-blocks): rows end with blocks outside the
    // kernels' groups of four
    const rows = 7, n = LAYOUTS.get(type)!.values === 32 ? 1056 : 1792, nTok = 5;
    const w = randomRows(type, rows, n, rand, scale);
    const x = new Float32Array(nTok * n);
    for (let t = 0; t < nTok; t++) x.set(exactActivations(n, 31, rand), t * n);
    const got = engineMatmul(build, type, w, rows, n, x, nTok);
    const want = referenceMatmul(type, w, rows, n, x, nTok);
    expect(Array.from(got)).toEqual(Array.from(want));
    // the data must not be degenerate
    expect(want.some((v) => v !== 0)).toBe(true);
  });

  it('matches the reference up to float summation order on random data', () => {
    const rand = mulberry32(10 + type);
    const rows = 9, n = LAYOUTS.get(type)!.values === 32 ? 2080 : 2816, nTok = 2;
    // f16 scales with random exponents, normal and subnormal
    const w = randomRows(type, rows, n, rand, () => Math.floor(rand() * 0x3c00));
    const x = gaussian(nTok * n, rand);
    const got = engineMatmul(build, type, w, rows, n, x, nTok);
    const want = referenceMatmul(type, w, rows, n, x, nTok);
    const deq = new Float32Array(rows * n);
    getCodec(type).dequantize(w, deq, rows, n);
    for (let t = 0; t < nTok; t++) {
      for (let r = 0; r < rows; r++) {
        let mag = 0;
        for (let i = 0; i < n; i++) mag += Math.abs(deq[r * n + i]! * x[t * n + i]!);
        expect(Math.abs(got[t * rows + r]! - want[t * rows + r]!)).toBeLessThanOrEqual(1e-5 * mag);
      }
    }
  });
});

describe.each([
  ['Q4_0', GGMLType.Q4_0],
  ['Q8_0', GGMLType.Q8_0],
  ['Q4_K', GGMLType.Q4_K],
  ['Q6_K', GGMLType.Q6_K],
])('%s: relaxed-SIMD and SIMD128 kernels', (_name, type) => {
  // seven activation rows: the relaxed build multiplies four at a time, then the rest one by one
  it('give the same bits on random data', () => {
    const rand = mulberry32(40 + type);
    const rows = 33, n = LAYOUTS.get(type)!.values === 32 ? 2080 : 2816, nTok = 7;
    const w = randomRows(type, rows, n, rand, () => Math.floor(rand() * 0x3c00));
    // large activations too: the relaxed instruction must not saturate on extreme quants
    const x = gaussian(nTok * n, rand).map((v, i) => (i % 97 === 0 ? v * 1e3 : v));
    const base = engineMatmul('baseline', type, w, rows, n, x, nTok);
    const relaxed = engineMatmul('relaxed', type, w, rows, n, x, nTok);
    expect(Array.from(new Uint32Array(relaxed.buffer))).toEqual(Array.from(new Uint32Array(base.buffer)));
  });
});
