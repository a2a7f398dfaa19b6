/**
 * The WebAssembly SIMD bf16 -> f16 kernel: the embedded module is the assembled
 * `bf16-to-f16.wat`; in a kernel buffer it gives NumPy's bits (the fixture's float32
 * patterns that are exact bf16 values, and every bf16 pattern against the table lookup,
 * which f16.test.ts checks against widening and NumPy rounding), at any length and
 * offset, and reports the first overflowing value exactly as the table lookup does.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bf16ArrayToF16Numpy, bf16ToF16InPlace } from '../src/tensors/f16.js';
import { allocateKernelBuffer, BF16_TO_F16_WASM_BASE64, bf16ToF16InPlaceFast, hasKernel } from '../src/tensors/bf16-to-f16-wasm.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const wat = path.join(repoRoot, 'packages/convert/src/tensors/bf16-to-f16.wat');
const wasmAs = path.join(repoRoot, 'node_modules/.bin/wasm-as');
const fixture = JSON.parse(fs.readFileSync(path.join(here, 'fixtures/f16-numpy.json'), 'utf8')) as { f32: number[]; f16: number[] };

/** `values` copied into a kernel buffer at element offset `at` (views the copy). */
function inKernelBuffer(values: Uint16Array, at = 0): Uint16Array {
  const buf = allocateKernelBuffer((values.length + at) * 2);
  const words = new Uint16Array(buf.buffer, buf.byteOffset + at * 2, values.length);
  words.set(values);
  return words;
}

const haveWasmAs = fs.existsSync(wasmAs);
if (!haveWasmAs) console.warn(`bf16-to-f16.wat assembly check skipped: ${wasmAs} (binaryen, from assemblyscript) not found`);

(haveWasmAs ? it : it.skip)('the embedded module is bf16-to-f16.wat assembled by binaryen', () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-wat-')), 'k.wasm');
  try {
    execFileSync(wasmAs, ['--enable-simd', wat, '-o', out]);
    const assembled = fs.readFileSync(out).toString('base64');
    if (assembled !== BF16_TO_F16_WASM_BASE64) throw new Error(`the embedded module is stale; assembled from the .wat:\n${assembled}`);
  } finally {
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
});

describe('bf16ToF16InPlaceFast in a kernel buffer', () => {
  it('runs the SIMD kernel there (this host has WebAssembly SIMD), and not on ordinary arrays', () => {
    expect(hasKernel(allocateKernelBuffer(64))).toBe(true);
    expect(hasKernel(new Uint8Array(64))).toBe(false);
  });

  it('gives NumPy\'s float16 bits for every fixture pattern that is a bf16 value', () => {
    const picked = fixture.f32.map((bits, i) => [bits, fixture.f16[i]!] as const).filter(([bits]) => (bits & 0xffff) === 0);
    // 64 of them: subnormal results (rounded), normals, overflows, infinities and NaNs
    expect(picked.length).toBeGreaterThanOrEqual(64);
    const words = inKernelBuffer(Uint16Array.from(picked, ([bits]) => bits >>> 16));
    expect(bf16ToF16InPlaceFast(words, false)).toBe(-1);
    const bad = picked.filter(([, want], i) => words[i] !== want).map(([bits, want]) => `0x${bits.toString(16)}: numpy 0x${want.toString(16)}`);
    expect(bad).toEqual([]);
  });

  it('gives the table lookup\'s bits for all 65536 bf16 patterns, at every offset and tail length', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const want = bf16ArrayToF16Numpy(all);
    for (const [at, len] of [[0, 65536], [8, 65531], [3, 65533], [0, 15], [8, 9], [0, 1]] as const) {
      const words = inKernelBuffer(all.subarray(0, len), at);
      expect(bf16ToF16InPlaceFast(words, false)).toBe(-1);
      expect(Buffer.from(words.buffer, words.byteOffset, words.byteLength).equals(Buffer.from(want.buffer, 0, len * 2))).toBe(true);
    }
  });

  it('stops at the first finite value that overflows f16, at the same index as the table lookup', () => {
    const base = Uint16Array.from({ length: 100 }, (_, i) => (i % 2 ? 0xbf80 : 0x3f80)); // +-1
    base[7] = 0x7f80; // inf passes
    base[20] = 0xffc1; // NaN passes
    for (const at of [0, 5, 8, 15, 16, 63, 95, 99]) {
      for (const big of [0x4780, 0xc780, 0x7f7f]) { // 65536, -65536, the largest finite bf16
        const values = base.slice();
        values[at] = big;
        const table = values.slice();
        const fast = inKernelBuffer(values);
        const i = bf16ToF16InPlace(table, true);
        expect([at, big, bf16ToF16InPlaceFast(fast, true)]).toEqual([at, big, i]);
        expect(i).toBe(at);
        // the values before it are converted, it is left as it was
        expect(Array.from(fast.subarray(0, at))).toEqual(Array.from(table.subarray(0, at)));
        expect(fast[at]).toBe(big);
      }
    }
  });

  it('converts overflowing values to infinity when not checking', () => {
    const words = inKernelBuffer(Uint16Array.from([0x4780, 0xc780, 0x477f, 0x3f80, 0, 0, 0, 0, 0x4780]));
    expect(bf16ToF16InPlaceFast(words, false)).toBe(-1);
    expect(Array.from(words)).toEqual([0x7c00, 0xfc00, 0x7bf8, 0x3c00, 0, 0, 0, 0, 0x7c00]);
  });
});
