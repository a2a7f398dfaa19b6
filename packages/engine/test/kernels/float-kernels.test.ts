/**
 * Float-weight kernels: activations rounded through f16/bf16 bit-exactly as ggml's
 * converters do (checked against tensor-layout's codecs), and F32/F16/BF16 matrix products
 * against a float64 reference of the same rounded inputs.
 */
import { GGMLType, bf16ToF32, f16ToF32, f32ToBF16, f32ToF16 } from '@ggufkit/tensor-layout';
import { EngineMemory } from '../../src/wasm/memory.js';
import { ActKind } from '../../src/wasm/kernels.js';
import { engineMatmul } from '../helpers/matmul.js';

let mem: EngineMemory;
beforeAll(async () => {
  mem = await EngineMemory.create(16 * 1024 * 1024);
});

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function testValues(): Float32Array {
  const r = lcg(7);
  const v: number[] = [0, -0, 1, -1, 65504, 65520, -65519, 6e-8, 2.98e-8, 1e-5, 0.1, 1 / 3, 2049, 2051, 1e30, -1e-30];
  for (let i = 0; i < 4000; i++) v.push((r() - 0.5) * 10 ** Math.floor(r() * 12 - 8));
  return Float32Array.from(v);
}

describe('activation conversion', () => {
  it.each([
    ['F16', ActKind.F16, (x: number) => f16ToF32(f32ToF16(x))],
    ['BF16', ActKind.BF16, (x: number) => bf16ToF32(f32ToBF16(x))],
  ] as const)('%s rounding matches the tensor-layout codec bit for bit', (_n, kind, round) => {
    const x = testValues();
    const src = mem.alloc(x.length * 4);
    mem.f32(src, x.length).set(x);
    const dst = mem.alloc(mem.kernels.actRowBytes(kind, x.length));
    mem.kernels.convertActivations(kind, src, x.length, 1, dst);
    const got = new Uint32Array(mem.memory.buffer, dst, x.length);
    const want = new Uint32Array(Float32Array.from(x, round).buffer);
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it('stores KV rows as the f16 bit patterns ggml writes', () => {
    const x = testValues();
    const src = mem.alloc(x.length * 4);
    mem.f32(src, x.length).set(x);
    const dst = mem.alloc(x.length * 2);
    mem.kernels.toF16(src, x.length, dst);
    expect(Array.from(new Uint16Array(mem.memory.buffer, dst, x.length))).toEqual(Array.from(x, (v) => f32ToF16(v)));
  });
});

describe('float matrix products', () => {
  const rows = 7, cols = 96, nTok = 3;
  it.each([
    ['F32', GGMLType.F32, 4, (x: number) => Math.fround(x), (v: number, dv: DataView, o: number) => dv.setFloat32(o, v, true), (x: number) => Math.fround(x)],
    ['F16', GGMLType.F16, 2, (x: number) => f16ToF32(f32ToF16(x)), (v: number, dv: DataView, o: number) => dv.setUint16(o, f32ToF16(v), true), (x: number) => f16ToF32(f32ToF16(x))],
    ['BF16', GGMLType.BF16, 2, (x: number) => bf16ToF32(f32ToBF16(x)), (v: number, dv: DataView, o: number) => dv.setUint16(o, f32ToBF16(v), true), (x: number) => bf16ToF32(f32ToBF16(x))],
  ] as const)('%s weights', (_n, type, size, roundW, write, roundA) => {
    const r = lcg(type + 1);
    const w = Float32Array.from({ length: rows * cols }, () => (r() - 0.5) * 2);
    const a = Float32Array.from({ length: nTok * cols }, () => (r() - 0.5) * 4);
    const wBytes = new Uint8Array(rows * cols * size);
    const dv = new DataView(wBytes.buffer);
    w.forEach((v, i) => write(v, dv, i * size));
    const got = engineMatmul(mem, type, wBytes, rows, cols, a, nTok);
    for (let t = 0; t < nTok; t++) {
      for (let j = 0; j < rows; j++) {
        let sum = 0, mag = 0;
        for (let i = 0; i < cols; i++) {
          const p = roundW(w[j * cols + i]!) * roundA(a[t * cols + i]!);
          sum += p;
          mag += Math.abs(p);
        }
        expect(Math.abs(got[t * rows + j]! - sum)).toBeLessThanOrEqual(1e-6 * mag);
      }
    }
  });
});

describe('RMS norm', () => {
  it('follows ggml: f64 sum of f32 squares, f32 scale, x * scale * w', () => {
    const r = lcg(3);
    const n = 384;
    const x = Float32Array.from({ length: n }, () => (r() - 0.5) * 8);
    const w = Float32Array.from({ length: n }, () => r() * 2);
    const eps = Math.fround(1e-5);
    let sum = 0;
    for (const v of x) sum += Math.fround(v * v);
    const scale = Math.fround(1 / Math.fround(Math.sqrt(Math.fround(Math.fround(sum / n) + eps))));
    const want = Float32Array.from(x, (v, i) => Math.fround(Math.fround(v * scale) * w[i]!));
    const xp = mem.alloc(n * 4), wp = mem.alloc(n * 4), op = mem.alloc(n * 4);
    mem.f32(xp, n).set(x);
    mem.f32(wp, n).set(w);
    mem.kernels.rmsNorm(xp, wp, n, 1, eps, op);
    expect(Array.from(mem.f32(op, n))).toEqual(Array.from(want));
  });
});
