/**
 * f32 -> f16 as NumPy converts (gguf-py's f16 output). The fixture holds 3000 float32 bit
 * patterns (boundaries, halfway cases, subnormals, NaN payloads, random) and the float16
 * bits NumPy 2.4.6 `astype(np.float16)` gave for them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { f32ToF16 } from '@ggufkit/tensor-layout';
import { f32BitsToF16Numpy, f32ArrayToF16Numpy } from '../src/tensors/f16.js';

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
