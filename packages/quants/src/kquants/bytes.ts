/** Little-endian f16 fields inside block bytes (ggml's `ggml_half`). */
import { f16ToF32, f32ToF16 } from '@ggufkit/tensor-layout';

/** The f32 value of the f16 stored at `b[off]`, `b[off + 1]`. */
export function readF16(b: Uint8Array, off: number): number {
  return f16ToF32(b[off] | (b[off + 1] << 8));
}

/** Rounds `value` to f16 as `GGML_FP32_TO_FP16` does and stores it at `b[off]`; returns the 16-bit pattern. */
export function writeF16(b: Uint8Array, off: number, value: number): number {
  const h = f32ToF16(value);
  b[off] = h & 0xff;
  b[off + 1] = h >> 8;
  return h;
}
