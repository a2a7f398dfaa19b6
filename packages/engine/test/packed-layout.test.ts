/**
 * The packed Q4_K layout of assembly/packed.ts: packing keeps every value (dequantizing the
 * packed rows gives the bits of dequantizing the GGUF rows, for any f16 scale including
 * zero, subnormal, negative, infinite and NaN), packing in place (the GGUF bytes at the end
 * of the packed region, as loading does) gives the same bytes as packing from elsewhere, and
 * the loader's size estimate agrees with the kernels.
 */
import { GGMLType, rowBytes, tensorBytes } from '@ggufkit/tensor-layout';
import { EngineMemory } from '../src/wasm/memory.js';
import { enableRelaxedSimd } from '../src/node.js';
import { loadedMatrixBytes } from '../src/model/weights.js';
import { mulberry32 } from '../../../test-support/mulberry32.js';

const Q4_K = GGMLType.Q4_K;
/** f16 bit patterns the scales take: zero, subnormal, normal, negative, largest, infinity, NaN. */
const SCALES = [0x0000, 0x0001, 0x03ff, 0x0400, 0x1c00, 0x3c00, 0x8000, 0xbc00, 0x7bff, 0x7c00, 0xfc00, 0x7e00];

function randomQ4K(rows: number, n: number, seed: number): Uint8Array {
  const rand = mulberry32(seed);
  const out = new Uint8Array(rows * rowBytes(Q4_K, n));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rand() * 256);
  const view = new DataView(out.buffer);
  for (let b = 0; b < out.length / 144; b++) {
    view.setUint16(b * 144, SCALES[b % SCALES.length]!, true);
    view.setUint16(b * 144 + 2, SCALES[(b * 5 + 3) % SCALES.length]!, true);
  }
  return out;
}

describe.each([
  ['SIMD128', false],
  ['relaxed SIMD', true],
])('packed Q4_K (%s build)', (_name, relaxed) => {
  let mem: EngineMemory;
  beforeAll(async () => {
    expect(enableRelaxedSimd()).toBe(true);
    mem = await EngineMemory.create(8 * 1024 * 1024, undefined, false, relaxed);
  });

  it('is a type of its own, 152 bytes per 256 values, and only for Q4_K', () => {
    const k = mem.kernels;
    const packed = k.packedType(Q4_K);
    expect(packed).not.toBe(Q4_K);
    expect(k.hasDirectKernel(packed)).toBe(1);
    for (const n of [256, 1024, 2816, 5632]) {
      expect(k.packedRowBytes(Q4_K, n)).toBe((n / 256) * 152);
      expect(loadedMatrixBytes(Q4_K, [n, 3])).toBe(3 * k.packedRowBytes(Q4_K, n));
    }
    for (const t of [GGMLType.F32, GGMLType.F16, GGMLType.Q4_0, GGMLType.Q8_0, GGMLType.Q5_K, GGMLType.Q6_K]) {
      expect(k.packedType(t)).toBe(t);
      expect(loadedMatrixBytes(t, [256, 3])).toBe(tensorBytes(t, [256, 3]));
    }
  });

  it.each([256, 1024, 1792, 2816])('keeps every value of rows of %i values', (n) => {
    const k = mem.kernels;
    const rows = 5;
    const raw = randomQ4K(rows, n, n);
    const rb = rowBytes(Q4_K, n), prb = k.packedRowBytes(Q4_K, n);
    const src = mem.alloc(raw.length);
    mem.u8(src, raw.length).set(raw);
    const dst = mem.alloc(prb * rows);
    k.packRows(Q4_K, src, rb, n, rows, dst, mem.alloc(rb));
    const scratch = mem.alloc(k.decodedBytes(n));
    const want = mem.alloc(rows * n * 4), got = mem.alloc(rows * n * 4);
    k.dequantizeRows(Q4_K, src, rb, n, rows, want, scratch);
    k.dequantizeRows(k.packedType(Q4_K), dst, prb, n, rows, got, scratch);
    const a = mem.u8(want, rows * n * 4).slice(), b = mem.u8(got, rows * n * 4).slice();
    expect(Buffer.compare(a, b)).toBe(0);
    // the data covers what it claims to: non-finite and subnormal results occur
    const values = new Float32Array(a.buffer);
    expect(values.some((v) => Number.isNaN(v))).toBe(true);
    expect(values.some((v) => v !== 0 && Math.abs(v) < 2 ** -14)).toBe(true);
  });

  it('packs in place as loading does', () => {
    const k = mem.kernels;
    const rows = 6, n = 2816;
    const raw = randomQ4K(rows, n, 7);
    const rb = rowBytes(Q4_K, n), prb = k.packedRowBytes(Q4_K, n);
    const scratch = mem.alloc(rb);
    const apart = mem.alloc(prb * rows);
    const src = mem.alloc(raw.length);
    mem.u8(src, raw.length).set(raw);
    k.packRows(Q4_K, src, rb, n, rows, apart, scratch);
    const inPlace = mem.alloc(prb * rows);
    const tail = inPlace + prb * rows - raw.length;
    mem.u8(tail, raw.length).set(raw);
    k.packRows(Q4_K, tail, rb, n, rows, inPlace, scratch);
    expect(Buffer.compare(mem.u8(apart, prb * rows), mem.u8(inPlace, prb * rows))).toBe(0);
  });
});
