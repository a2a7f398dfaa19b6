/**
 * K-quant codecs against ggml's reference outputs in ../shared/golden/quants: quantized
 * bytes and dequantized values bit for bit (per block, so a failure names the first
 * differing block), and the Q8_K dot products within the golden README's tolerance.
 */
import { GGMLType } from '@ggufkit/tensor-layout';
import { getCodec } from '../src/registry.js';
import { quantizeRowQ8K } from '../src/kquants/q8_k.js';
import { nearestInt } from '../src/scale-search.js';
import { caseName, goldenDir, goldenManifest, haveGolden, readGoldenBytes, readGoldenF32 } from './golden-cases.js';

if (!haveGolden) console.warn(`kquants.test: ${goldenDir} not found; skipping the ggml golden comparisons`);
const dGolden = haveGolden ? describe : describe.skip;

const K_TYPES = ['q2_K', 'q3_K', 'q4_K', 'q5_K', 'q6_K'];

/** Index of the first block whose bytes differ, or -1. */
function firstBadBlock(a: Uint8Array, b: Uint8Array, blockBytes: number): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return Math.floor(i / blockBytes);
  return a.length === b.length ? -1 : Math.floor(Math.min(a.length, b.length) / blockBytes);
}

const kCases = goldenManifest.cases.filter((c) => K_TYPES.includes(c.type));
const kVecDots = goldenManifest.vecdot.filter((c) => K_TYPES.includes(c.type));

dGolden('K-quant codecs vs ggml golden outputs', () => {
  it('the manifest lists K-quant cases', () => {
    expect(kCases.length).toBeGreaterThanOrEqual(K_TYPES.length * 2);
    expect(kVecDots.length).toBe(K_TYPES.length);
  });

  it.each(kCases.map((c) => [caseName(c), c] as const))('%s', (_name, c) => {
    const codec = getCodec(c.type);
    const src = readGoldenF32(c.input);
    const imatrix = c.imatrix ? readGoldenF32(c.imatrix) : null;
    const expected = readGoldenBytes(c.quantized);
    const out = new Uint8Array(expected.length);
    codec.quantize(src, out, c.rows, c.cols, imatrix);
    const blockBytes = codec.type.typeSize;
    const bad = firstBadBlock(out, expected, blockBytes);
    expect({ firstDifferingBlock: bad }).toEqual({ firstDifferingBlock: -1 });

    const deqExpected = readGoldenF32(c.dequantized);
    const deq = new Float32Array(c.rows * c.cols);
    codec.dequantize(expected, deq, c.rows, c.cols);
    const got = new Uint8Array(deq.buffer);
    const want = new Uint8Array(deqExpected.buffer, deqExpected.byteOffset, deqExpected.byteLength);
    expect({ firstDifferingValue: firstBadBlock(got, want, 4) }).toEqual({ firstDifferingValue: -1 });
  });

  it.each(kVecDots.map((c) => [c.type, c] as const))('%s x q8_K dot product', (_name, c) => {
    const codec = getCodec(c.type);
    expect(codec.vecDotType).toBe(GGMLType.Q8_K);
    const weights = readGoldenBytes(c.weights);
    const activation = readGoldenF32(c.activation);

    // The stored weight row is ggml's own quantization of weights_f32.
    const requantized = new Uint8Array(weights.length);
    codec.quantize(readGoldenF32(c.weights_f32), requantized, 1, c.cols, null);
    expect(firstBadBlock(requantized, weights, codec.type.typeSize)).toBe(-1);

    const q8 = new Uint8Array((c.cols / 256) * 292);
    quantizeRowQ8K(activation, 0, q8, 0, c.cols);
    const got = codec.vecDot(c.cols, weights, 0, q8, 0);

    const w = new Float32Array(c.cols);
    codec.dequantize(weights, w, 1, c.cols);
    let sumAbs = 0;
    for (let i = 0; i < c.cols; i++) sumAbs += Math.abs(w[i] * activation[i]);
    expect(Math.abs(got - c.expected)).toBeLessThanOrEqual(1e-5 * sumAbs);
  });
});

describe('K-quant argument checks', () => {
  it.each(K_TYPES)('%s rejects rows that are not a multiple of 256 values', (type) => {
    const codec = getCodec(type);
    expect(() => codec.quantize(new Float32Array(320), new Uint8Array(1024), 1, 320)).toThrow(RangeError);
    expect(() => codec.dequantize(new Uint8Array(1024), new Float32Array(320), 1, 320)).toThrow(RangeError);
  });

  it.each(K_TYPES)('%s rejects a destination that is too small', (type) => {
    const codec = getCodec(type);
    expect(() => codec.quantize(new Float32Array(512), new Uint8Array(codec.type.typeSize), 2, 256)).toThrow(/destination/);
  });

  it('Q8_K has no weight dot product', () => {
    expect(() => getCodec('q8_K').vecDot(256, new Uint8Array(292), 0, new Uint8Array(292), 0)).toThrow(TypeError);
  });
});

describe('nearestInt (ggml nearest_int)', () => {
  it('rounds half to even, as the 1.5*2^23 trick does', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.49, -3.51].map(nearestInt)).toEqual([0, 2, 2, 0, -2, -2, 3, -4]);
  });

  it('returns what ggml release builds return for inf and NaN (no assert there)', () => {
    // inf keeps an all-zero mantissa; the quiet NaN has only the top mantissa bit set.
    expect(nearestInt(Infinity)).toBe(-0x400000);
    expect(nearestInt(-Infinity)).toBe(-0x400000);
    expect(nearestInt(NaN)).toBe(0);
  });
});
