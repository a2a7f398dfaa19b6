/**
 * f32 -> f16 as NumPy converts (gguf-py's f16 output). The fixture holds 3000 float32 bit
 * patterns (boundaries, halfway cases, subnormals, NaN payloads, random) and the float16
 * bits NumPy 2.4.6 `astype(np.float16)` gave for them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bf16ArrayToF32, f32ToF16 } from '@ggufkit/tensor-layout';
import { bf16ArrayToF16Numpy, f32BitsToF16Numpy, f32ArrayToF16Numpy, firstBF16ToF16Overflow } from '../src/tensors/f16.js';

const fixture = JSON.parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/f16-numpy.json'), 'utf8')) as { f32: number[]; f16: number[] };

describe('f32 -> f16 (NumPy rounding)', () => {
  it('reproduces NumPy on every fixture pattern', () => {
    const bad: string[] = [];
    fixture.f32.forEach((bits, i) => {
      const got = f32BitsToF16Numpy(bits);
      if (got !== fixture.f16[i]) bad.push(`0x${bits.toString(16)} -> 0x${got.toString(16)} (numpy 0x${fixture.f16[i]!.toString(16)})`);
    });
    expect(bad).toEqual([]);
  });

  it('array form equals the scalar form', () => {
    const src = new Float32Array(new Uint32Array(fixture.f32).buffer);
    expect(Array.from(f32ArrayToF16Numpy(src))).toEqual(fixture.f16);
  });

  it('agrees with ggml for every non-NaN value, and keeps NaN payloads where ggml canonicalises', () => {
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    for (const bits of fixture.f32) {
      u[0] = bits;
      if (Number.isNaN(f[0])) continue;
      expect([bits, f32BitsToF16Numpy(bits)]).toEqual([bits, f32ToF16(f[0]!)]);
    }
    u[0] = 0x7fa00000;
    expect(f32BitsToF16Numpy(0x7fa00000)).toBe(0x7d00);
    expect(f32ToF16(f[0]!)).toBe(0x7e00);
  });
});

describe('bf16ArrayToF16Numpy', () => {
  it('gives, for all 65536 bf16 patterns, the bits of widening to f32 and rounding as NumPy does', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const viaF32 = f32ArrayToF16Numpy(bf16ArrayToF32(all));
    expect(Buffer.from(bf16ArrayToF16Numpy(all).buffer).equals(Buffer.from(viaF32.buffer))).toBe(true);
  });

  it('finds the first finite value that overflows f16', () => {
    const src = Uint16Array.from([0x3f80, 0x7f80, 0x4780, 0x477f]); // 1, inf, 65536, 65280
    expect(firstBF16ToF16Overflow(src, bf16ArrayToF16Numpy(src))).toBe(2);
    expect(firstBF16ToF16Overflow(src.subarray(0, 2), bf16ArrayToF16Numpy(src.subarray(0, 2)))).toBe(-1);
  });
});
