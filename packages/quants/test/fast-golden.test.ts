/**
 * The WebAssembly codecs against ggml's reference outputs in ../shared/golden/quants:
 * every case's quantized bytes (with and without importance weights) and dequantized
 * bit patterns (NaN included), exactly as the scalar codecs are held to them.
 */
import { createHash } from 'node:crypto';
import { parseGGMLType, rowBytes } from '@ggufkit/tensor-layout';
import { getFastCodec, hasFastCodec } from '../src/fast/index.js';
import { caseName, goldenDir, goldenManifest, haveGolden, readGoldenBytes, readGoldenF32 } from './golden-cases.js';
import type { GoldenCase } from './golden-cases.js';

if (!haveGolden) console.warn(`fast-golden.test: ${goldenDir} not found; skipping the ggml golden comparisons of the fast codecs`);
const dGolden = haveGolden ? describe : describe.skip;

const cases = goldenManifest.cases;
const supported = (type: string): boolean => hasFastCodec(parseGGMLType(type).id);

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

function checkQuantize(c: GoldenCase): void {
  const codec = getFastCodec(c.type);
  const expected = readGoldenBytes(c.quantized);
  const rb = rowBytes(codec.type.id, c.cols);
  expect(expected.length).toBe(c.rows * rb);
  const out = new Uint8Array(expected.length);
  codec.quantize(readGoldenF32(c.input), out, c.rows, c.cols, c.imatrix ? readGoldenF32(c.imatrix) : null);
  const at = firstDifference(out, expected);
  if (at >= 0) {
    const block = Math.floor(at / codec.type.typeSize);
    const bo = block * codec.type.typeSize;
    const span = (b: Uint8Array): string => Buffer.from(b.subarray(bo, bo + codec.type.typeSize)).toString('hex');
    expect({ row: Math.floor(at / rb), block, got: span(out), want: span(expected) }).toEqual({ row: -1, block: -1, got: '', want: '' });
  }
  expect(createHash('sha256').update(out).digest('hex')).toBe(c.sha256);
}

function checkDequantize(c: GoldenCase): void {
  const codec = getFastCodec(c.type);
  const want = new Uint32Array(readGoldenF32(c.dequantized).slice().buffer);
  const deq = new Float32Array(c.rows * c.cols);
  codec.dequantize(readGoldenBytes(c.quantized), deq, c.rows, c.cols);
  const got = new Uint32Array(deq.buffer);
  const at = firstDifference(got, want);
  if (at >= 0) {
    const bits = (u: Uint32Array): string => (u[at] ?? 0).toString(16).padStart(8, '0');
    expect({ index: at, got: bits(got), want: bits(want) }).toEqual({ index: -1, got: '', want: '' });
  }
  expect(got.length).toBe(want.length);
}

dGolden('fast (WebAssembly) codecs vs ggml golden outputs', () => {
  it('every golden type has a fast codec', () => {
    expect(cases.length).toBeGreaterThan(0);
    expect([...new Set(cases.map((c) => c.type))].filter((t) => !supported(t))).toEqual([]);
  });

  describe('quantize gives ggml bytes', () => {
    for (const c of cases) it(caseName(c), () => checkQuantize(c));
  });

  describe('dequantize gives ggml bits', () => {
    for (const c of cases) it(caseName(c), () => checkDequantize(c));
  });
});
