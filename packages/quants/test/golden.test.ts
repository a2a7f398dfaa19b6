/**
 * Every registered codec against ggml's reference outputs in ../shared/golden/quants:
 * - quantize gives the `.bin` bytes exactly, with or without the case's importance weights;
 * - dequantizing the `.bin` gives the `.deq.f32` bit patterns exactly (NaN included);
 * - the dot product with the activation quantized to the partner format is within the
 *   golden README's tolerance (1e-5 of the sum of |products|: SIMD summation order differs).
 * A case whose type has no registered codec fails: nothing in the manifest is skipped.
 */
import { createHash } from 'node:crypto';
import { parseGGMLType, rowBytes } from '@ggufkit/tensor-layout';
import { getCodec, hasCodec } from '../src/registry.js';
import { caseName, goldenDir, goldenManifest, haveGolden, readGoldenBytes, readGoldenF32 } from './golden-cases.js';
import type { GoldenCase, GoldenVecDot } from './golden-cases.js';

if (!haveGolden) console.warn(`golden.test: ${goldenDir} not found; skipping the ggml golden comparisons`);
const dGolden = haveGolden ? describe : describe.skip;

const registered = (type: string): boolean => hasCodec(parseGGMLType(type).id);
const cases = goldenManifest.cases;
const vecdots = goldenManifest.vecdot;

/** Index of the first differing element, or -1 when equal (length differences count). */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function checkQuantize(c: GoldenCase): void {
  const codec = getCodec(c.type);
  const src = readGoldenF32(c.input);
  const imatrix = c.imatrix ? readGoldenF32(c.imatrix) : null;
  const expected = readGoldenBytes(c.quantized);
  const rb = rowBytes(codec.type.id, c.cols);
  expect(expected.length).toBe(c.rows * rb);
  const out = new Uint8Array(expected.length);
  // Overflowing inputs (outOfF16Range) too: the codecs reproduce ggml's inf/NaN scales rather than refuse.
  codec.quantize(src, out, c.rows, c.cols, imatrix);
  const at = firstDifference(out, expected);
  if (at >= 0) {
    const block = Math.floor(at / codec.type.typeSize);
    const bo = block * codec.type.typeSize;
    const span = (b: Uint8Array): string => hex(b.subarray(bo, bo + codec.type.typeSize));
    expect({ row: Math.floor(at / rb), block, got: span(out), want: span(expected) }).toEqual({ row: -1, block: -1, got: '', want: '' });
  }
  expect(createHash('sha256').update(out).digest('hex')).toBe(c.sha256);
}

function checkDequantize(c: GoldenCase): void {
  const codec = getCodec(c.type);
  const q = readGoldenBytes(c.quantized);
  const want = new Uint32Array(readGoldenF32(c.dequantized).slice().buffer);
  const deq = new Float32Array(c.rows * c.cols);
  codec.dequantize(q, deq, c.rows, c.cols);
  const got = new Uint32Array(deq.buffer);
  const at = firstDifference(got, want);
  if (at >= 0) {
    const bits = (u: Uint32Array): string => (u[at] ?? 0).toString(16).padStart(8, '0');
    expect({ index: at, got: bits(got), want: bits(want) }).toEqual({ index: -1, got: '', want: '' });
  }
  expect(got.length).toBe(want.length);
}

function checkVecDot(c: GoldenVecDot): void {
  const codec = getCodec(c.type);
  const weights = readGoldenBytes(c.weights);
  const activation = readGoldenF32(c.activation);

  // The stored weight row is ggml's own quantization of weights_f32.
  const requantized = new Uint8Array(weights.length);
  codec.quantize(readGoldenF32(c.weights_f32), requantized, 1, c.cols, null);
  expect(firstDifference(requantized, weights)).toBe(-1);

  const partner = getCodec(codec.vecDotType);
  const act = new Uint8Array(rowBytes(partner.type.id, c.cols));
  partner.quantize(activation, act, 1, c.cols, null);
  const got = codec.vecDot(c.cols, weights, 0, act, 0);

  const w = new Float32Array(c.cols);
  codec.dequantize(weights, w, 1, c.cols);
  let sumAbs = 0;
  for (let i = 0; i < c.cols; i++) sumAbs += Math.abs(w[i] * activation[i]);
  expect(sumAbs).toBeGreaterThan(0);
  expect(Math.abs(got - c.expected)).toBeLessThanOrEqual(1e-5 * sumAbs);
}

dGolden('block codecs vs ggml golden outputs', () => {
  it('the manifest lists cases and dot products', () => {
    expect(cases.length).toBeGreaterThan(0);
    expect(vecdots.length).toBeGreaterThan(0);
  });

  it('every type in the manifest has a registered codec', () => {
    const missing = [...new Set([...cases, ...vecdots].map((c) => c.type).filter((t) => !registered(t)))];
    expect(missing).toEqual([]);
  });

  // getCodec throws for an unregistered type, so such a case fails rather than being skipped.
  describe('quantize gives ggml bytes', () => {
    for (const c of cases) it(caseName(c), () => checkQuantize(c));
  });

  describe('dequantize gives ggml bits', () => {
    for (const c of cases) it(caseName(c), () => checkDequantize(c));
  });

  describe('dot product with the partner activation format', () => {
    for (const c of vecdots) it(`${c.type} x ${c.cols}`, () => checkVecDot(c));
  });
});
