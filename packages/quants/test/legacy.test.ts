/**
 * The 32-value block codecs beyond the golden files: C conversion semantics on hand-worked
 * blocks (Q8_0/Q8_1 have no ggml quantization golden for `roundf` ties or the Q8_1 sum),
 * the shared scale-search helpers on hand-worked groups, argument checks, and the
 * `quantizeRows`/`dequantizeRows` helpers against ggml's outputs.
 */
import { GGMLType } from '@ggufkit/tensor-layout';
import { dequantizeRows, getCodec, quantizeRows } from '../src/index.js';
import { roundHalfAway, truncToInt32, truncToInt8 } from '../src/legacy/c-numeric.js';
import { makeQkx3Quants, makeQxQuants } from '../src/scale-search.js';
import { goldenDir, goldenManifest, haveGolden, readGoldenBytes, readGoldenF32 } from './golden-cases.js';

const LEGACY = ['q4_0', 'q4_1', 'q5_0', 'q5_1', 'q8_0', 'q8_1', 'iq4_nl'];

describe('C conversions as x86-64 performs them', () => {
  it('roundf rounds halfway cases away from zero', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, 126.5].map(roundHalfAway)).toEqual([1, 2, 3, -1, -2, -3, 0, 127]);
  });

  it('float to int8 truncates to int32 (INT32_MIN when invalid) and keeps the low byte', () => {
    expect([8.99, -0.7, 127.9, 128.5, 255, 300].map(truncToInt8)).toEqual([8, 0, 127, -128, -1, 44]);
    expect([NaN, Infinity, -Infinity, 3e9].map(truncToInt32)).toEqual([-2147483648, -2147483648, -2147483648, -2147483648]);
    expect(truncToInt8(NaN)).toBe(0);
  });
});

describe('Q8_0 and Q8_1 activation blocks (hand-worked)', () => {
  // amax 127 gives d = 1 exactly; 0.5 and -0.5 are roundf ties.
  const x = new Float32Array(32);
  x.set([127, 0.5, -0.5, 1.5, -2.5]);

  it('Q8_0: f16 d = 1, levels roundf(x)', () => {
    const out = quantizeRows('q8_0', x, 1, 32);
    expect(Array.from(out.subarray(0, 7))).toEqual([0x00, 0x3c, 127, 1, 0xff, 2, 0xfd]);
    expect(out.subarray(7).every((b) => b === 0)).toBe(true);
  });

  it('Q8_1: also stores s = f16(d * sum) = f16(127 + 1 - 1 + 2 - 3)', () => {
    const out = quantizeRows('q8_1', x, 1, 32);
    // 126 = 1.96875 * 2^6: exponent 21, mantissa 0.96875 * 1024 = 992 -> 0x57e0.
    expect(Array.from(out.subarray(0, 9))).toEqual([0x00, 0x3c, 0xe0, 0x57, 127, 1, 0xff, 2, 0xfd]);
  });

  it('Q8_1 has no weight dot product', () => {
    expect(() => getCodec('q8_1').vecDot(32, new Uint8Array(36), 0, new Uint8Array(36), 0)).toThrow(TypeError);
  });
});

describe('dequantization NaN patterns follow x86', () => {
  it('a NaN scale propagates its payload; an infinite scale times level zero gives the default NaN', () => {
    const block = new Uint8Array(18);
    block.fill(0x88, 2); // every Q4_0 level 8, i.e. value 0
    block[0] = 0x01;
    block[1] = 0x7e; // f16 NaN 0x7e01 -> f32 0x7fc02000
    expect(new Uint32Array(dequantizeRows('q4_0', block, 1, 32).buffer)[0]).toBe(0x7fc02000);
    block[0] = 0x00;
    block[1] = 0x7c; // f16 +inf; inf * 0 -> 0xffc00000
    expect(new Uint32Array(dequantizeRows('q4_0', block, 1, 32).buffer)[0]).toBe(0xffc00000);
  });
});

describe('shared scale search (hand-worked groups)', () => {
  it('makeQxQuants, plain rounding: scale max/-nmax, levels biased by nmax and clamped', () => {
    const L = new Int8Array(4);
    // max 4 -> iscale -2: levels round(-2x) = -2, 4, -1, -8, stored +8.
    expect(makeQxQuants(4, 8, Float32Array.of(1, -2, 0.5, 4), 0, L, 0, 0, null)).toBe(-0.5);
    expect(Array.from(L)).toEqual([6, 12, 7, 0]);
  });

  it('makeQxQuants leaves an all-zero group at scale 0', () => {
    const L = new Uint8Array(4).fill(9);
    expect(makeQxQuants(4, 8, new Float32Array(4), 0, L, 0, 1, null)).toBe(0);
    expect(Array.from(L)).toEqual([0, 0, 0, 0]);
  });

  it('makeQkx3Quants without search steps: the min..max grid', () => {
    const L = new Uint8Array(4);
    const mins = new Float32Array(1).fill(7);
    expect(makeQkx3Quants(4, 3, Float32Array.of(-1, 0, 1, 2), 0, null, L, 0, mins, 0, new Uint8Array(4), -0.5, 0.1, 0, false)).toBe(1);
    expect(Array.from(L)).toEqual([0, 1, 2, 3]);
    expect(mins[0]).toBe(1);
  });
});

describe('legacy codec argument checks', () => {
  it.each(LEGACY)('%s rejects rows that are not a multiple of 32 values', (type) => {
    const codec = getCodec(type);
    expect(() => codec.quantize(new Float32Array(48), new Uint8Array(1024), 1, 48)).toThrow(RangeError);
    expect(() => codec.dequantize(new Uint8Array(1024), new Float32Array(48), 1, 48)).toThrow(RangeError);
  });

  it.each(LEGACY)('%s rejects a destination that is too small', (type) => {
    const codec = getCodec(type);
    expect(() => codec.quantize(new Float32Array(64), new Uint8Array(codec.type.typeSize), 2, 32)).toThrow(/destination/);
  });

  it('vecDot rejects rows that run past the buffer', () => {
    const codec = getCodec('q4_0');
    expect(codec.vecDotType).toBe(GGMLType.Q8_0);
    expect(() => codec.vecDot(64, new Uint8Array(35), 0, new Uint8Array(68), 0)).toThrow(/offset 0 runs past/);
    expect(() => codec.vecDot(32, new Uint8Array(18), 0, new Uint8Array(34), 1)).toThrow(RangeError);
  });

  it('the partner formats are those ggml-cpu uses', () => {
    expect(['q4_0', 'q5_0', 'q8_0', 'iq4_nl'].map((t) => getCodec(t).vecDotType)).toEqual(Array(4).fill(GGMLType.Q8_0));
    expect(['q4_1', 'q5_1'].map((t) => getCodec(t).vecDotType)).toEqual([GGMLType.Q8_1, GGMLType.Q8_1]);
  });

  it('quantizeRows/dequantizeRows reject unknown types and partial blocks', () => {
    expect(() => quantizeRows('q9_9', new Float32Array(32), 1, 32)).toThrow(RangeError);
    expect(() => quantizeRows('q4_0', new Float32Array(40), 1, 40)).toThrow(RangeError);
    expect(() => dequantizeRows('q4_0', new Uint8Array(18), 1, 40)).toThrow(RangeError);
    expect(() => quantizeRows('q4_0', new Float32Array(32), -1, 32)).toThrow(RangeError);
  });
});

if (!haveGolden) console.warn(`legacy.test: ${goldenDir} not found; skipping the quantizeRows golden checks`);
(haveGolden ? describe : describe.skip)('quantizeRows/dequantizeRows against ggml outputs', () => {
  const picks = goldenManifest.cases.filter((c) => c.dist === 'weights' && ['q4_0', 'q5_1', 'iq4_nl', 'q4_K'].includes(c.type));

  it.each(picks.map((c) => [`${c.type}${c.imatrix ? ' imatrix' : ''}`, c] as const))('%s', (_name, c) => {
    const q = quantizeRows(c.type, readGoldenF32(c.input), c.rows, c.cols, c.imatrix ? readGoldenF32(c.imatrix) : undefined);
    expect(Buffer.from(q).equals(Buffer.from(readGoldenBytes(c.quantized)))).toBe(true);
    const deq = dequantizeRows(c.type, q, c.rows, c.cols);
    expect(Buffer.from(deq.buffer).equals(Buffer.from(readGoldenF32(c.dequantized).slice().buffer))).toBe(true);
  });
});
