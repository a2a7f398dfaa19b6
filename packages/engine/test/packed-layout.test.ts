/**
 * The packed Q4_K and Q4_0 layouts of assembly/packed.ts: packing keeps every value
 * (dequantizing the packed rows gives the bits of dequantizing the GGUF rows, for any f16
 * scale including zero, subnormal, negative, infinite and NaN), packing in place (the GGUF
 * bytes at the end of the packed region, as loading does) gives the same bytes as packing
 * from elsewhere, the loader's size estimate agrees with the kernels, and GGUF-layout rows
 * still multiply (through the decoded path) to the same bits as the packed ones.
 */
import { GGMLType, rowBytes, tensorBytes } from '@ggufkit/tensor-layout';
import { EngineMemory } from '../src/wasm/memory.js';
import { enableRelaxedSimd } from '../src/node.js';
import { loadedMatrixBytes } from '../src/model/weights.js';
import { mulberry32 } from '../../../test-support/mulberry32.js';

const Q4_K = GGMLType.Q4_K;
const Q4_0 = GGMLType.Q4_0;
/** f16 bit patterns the scales take: zero, subnormal, normal, negative, largest, infinity, NaN. */
const SCALES = [0x0000, 0x0001, 0x03ff, 0x0400, 0x1c00, 0x3c00, 0x8000, 0xbc00, 0x7bff, 0x7c00, 0xfc00, 0x7e00];

/** Random rows of type t (Q4_K: d and dmin at 0 and 2 of 144-byte blocks; Q4_0: d at 0 of 18). */
function randomRows(t: number, rows: number, n: number, seed: number): Uint8Array {
  const rand = mulberry32(seed);
  const out = new Uint8Array(rows * rowBytes(t, n));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rand() * 256);
  const view = new DataView(out.buffer);
  const block = t === Q4_K ? 144 : 18;
  for (let b = 0; b < out.length / block; b++) {
    view.setUint16(b * block, SCALES[b % SCALES.length]!, true);
    if (t === Q4_K) view.setUint16(b * block + 2, SCALES[(b * 5 + 3) % SCALES.length]!, true);
  }
  return out;
}

/** Row lengths per type: whole groups of four blocks, and groups followed by 1-3 more blocks. */
const LENGTHS: [string, number, number][] = [
  ['Q4_K', 256, Q4_K], ['Q4_K', 1024, Q4_K], ['Q4_K', 1792, Q4_K], ['Q4_K', 2816, Q4_K],
  ['Q4_0', 32, Q4_0], ['Q4_0', 128, Q4_0], ['Q4_0', 224, Q4_0], ['Q4_0', 2080, Q4_0],
];

describe.each([
  ['SIMD128', false],
  ['relaxed SIMD', true],
])('packed layouts (%s build)', (_name, relaxed) => {
  let mem: EngineMemory;
  beforeAll(async () => {
    expect(enableRelaxedSimd()).toBe(true);
    mem = await EngineMemory.create(8 * 1024 * 1024, undefined, false, relaxed);
  });

  it('gives Q4_K (152 bytes per 256 values) and Q4_0 (rows of their GGUF size) types of their own, and no other type', () => {
    const k = mem.kernels;
    for (const t of [Q4_K, Q4_0]) {
      const packed = k.packedType(t);
      expect(packed).not.toBe(t);
      expect(k.hasDirectKernel(packed)).toBe(1);
      expect(k.hasDirectKernel(t)).toBe(0);
    }
    for (const n of [256, 1024, 2816, 5632]) {
      expect(k.packedRowBytes(Q4_K, n)).toBe((n / 256) * 152);
      expect(loadedMatrixBytes(Q4_K, [n, 3])).toBe(3 * k.packedRowBytes(Q4_K, n));
      expect(k.packedRowBytes(Q4_0, n)).toBe(rowBytes(Q4_0, n));
      expect(loadedMatrixBytes(Q4_0, [n, 3])).toBe(3 * k.packedRowBytes(Q4_0, n));
    }
    for (const t of [GGMLType.F32, GGMLType.F16, GGMLType.Q4_1, GGMLType.Q8_0, GGMLType.Q5_K, GGMLType.Q6_K]) {
      expect(k.packedType(t)).toBe(t);
      expect(loadedMatrixBytes(t, [256, 3])).toBe(tensorBytes(t, [256, 3]));
    }
  });

  it.each(LENGTHS)('keeps every value (%s, rows of %i values)', (_name, n, t) => {
    const k = mem.kernels;
    // at least as many blocks as SCALES has patterns
    const rows = 12;
    const raw = randomRows(t, rows, n, n);
    const rb = rowBytes(t, n), prb = k.packedRowBytes(t, n);
    const src = mem.alloc(raw.length);
    mem.u8(src, raw.length).set(raw);
    const dst = mem.alloc(prb * rows);
    k.packRows(t, src, rb, n, rows, dst, mem.alloc(rb));
    const scratch = mem.alloc(k.decodedBytes(n));
    const want = mem.alloc(rows * n * 4), got = mem.alloc(rows * n * 4);
    k.dequantizeRows(t, src, rb, n, rows, want, scratch);
    k.dequantizeRows(k.packedType(t), dst, prb, n, rows, got, scratch);
    const a = mem.u8(want, rows * n * 4).slice(), b = mem.u8(got, rows * n * 4).slice();
    expect(Buffer.compare(a, b)).toBe(0);
    // the data covers what it claims to: non-finite and subnormal results occur
    const values = new Float32Array(a.buffer);
    expect(values.some((v) => Number.isNaN(v))).toBe(true);
    expect(values.some((v) => v !== 0 && Math.abs(v) < 2 ** -14)).toBe(true);
  });

  it.each([['Q4_K', Q4_K, 2816], ['Q4_0', Q4_0, 2080]])('multiplies %s rows in GGUF layout to the bits of the packed rows', (_name, t, n) => {
    const k = mem.kernels;
    const rows = 6, nTok = 5;
    // finite scales: normal and subnormal f16
    const raw = randomRows(t, rows, n, 11);
    const view = new DataView(raw.buffer);
    const block = t === Q4_K ? 144 : 18;
    for (let b = 0; b < raw.length / block; b++) {
      view.setUint16(b * block, b % 3 === 0 ? 0x0123 : 0x1c00 + b, true);
      if (t === Q4_K) view.setUint16(b * block + 2, b % 2 ? 0x0321 : 0x1800 + b, true);
    }
    const rand = mulberry32(5);
    const x = new Float32Array(nTok * n).map(() => rand() * 2 - 1);
    const rb = rowBytes(t, n), prb = k.packedRowBytes(t, n);
    const w = mem.alloc(raw.length);
    mem.u8(w, raw.length).set(raw);
    const packed = mem.alloc(prb * rows);
    k.packRows(t, w, rb, n, rows, packed, mem.alloc(rb));
    const xp = mem.alloc(x.length * 4);
    mem.f32(xp, x.length).set(x);
    const scratch = mem.alloc(k.decodedBytes(n) + 256);
    const product = (type: number, ptr: number, rowB: number) => {
      const kind = k.activationKind(type);
      const stride = k.actRowBytes(kind, n);
      const act = mem.alloc(stride * nTok);
      k.convertActivations(kind, xp, n, nTok, act);
      const out = mem.alloc(rows * nTok * 4);
      k.matmul(type, ptr, rowB, n, 0, rows, act, stride, nTok, out, rows, scratch);
      return mem.f32(out, rows * nTok).slice();
    };
    const decoded = product(t, w, rb);
    const direct = product(k.packedType(t), packed, prb);
    expect(Array.from(decoded)).toEqual(Array.from(direct));
    expect(decoded.some((v) => v !== 0)).toBe(true);
  });

  it.each([['Q4_K', Q4_K, 2816], ['Q4_0', Q4_0, 2080]])('packs %s in place as loading does', (_name, t, n) => {
    const k = mem.kernels;
    const rows = 6;
    const raw = randomRows(t, rows, n, 7);
    const rb = rowBytes(t, n), prb = k.packedRowBytes(t, n);
    const scratch = mem.alloc(rb);
    const apart = mem.alloc(prb * rows);
    const src = mem.alloc(raw.length);
    mem.u8(src, raw.length).set(raw);
    k.packRows(t, src, rb, n, rows, apart, scratch);
    const inPlace = mem.alloc(prb * rows);
    const tail = inPlace + prb * rows - raw.length;
    mem.u8(tail, raw.length).set(raw);
    k.packRows(t, tail, rb, n, rows, inPlace, scratch);
    expect(Buffer.compare(mem.u8(apart, prb * rows), mem.u8(inPlace, prb * rows))).toBe(0);
  });
});
