/**
 * The C conversions and x86 float behaviour the 32-value block quantizers depend on.
 * ggml writes `(int8_t)(x + 8.5f)`, `(uint8_t)(x + 0.5f)` and `roundf`; on x86-64 a
 * float-to-integer conversion truncates to int32 (out-of-range and NaN give INT32_MIN,
 * the "integer indefinite" value) and a narrower integer keeps the low bits. Reproducing
 * that keeps the bytes identical even for blocks whose scale overflowed.
 */
import { f16ToF32 } from '@ggufkit/tensor-layout';

/** `(int)v` as x86's `cvttss2si` computes it: truncation, INT32_MIN when NaN or out of range. */
export function truncToInt32(v: number): number {
  return v > -2147483649 && v < 2147483648 ? Math.trunc(v) | 0 : -2147483648;
}

/** `(int8_t)v` for a float `v`: truncate to int32, keep the low byte as a signed value. */
export function truncToInt8(v: number): number {
  return (truncToInt32(v) << 24) >> 24;
}

/** `roundf`: nearest integer, halfway cases away from zero (unlike `Math.round`). */
export function roundHalfAway(v: number): number {
  // Adding 0.5 to an f32 value is exact in double, so floor sees the true sum.
  return v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5);
}

/** The NaN x86 SSE produces for invalid operations with no NaN operand (inf·0, inf−inf): sign set, quiet. */
export const DEFAULT_NAN_BITS = 0xffc00000;

/** The f32 bit pattern ggml's f16 → f32 conversion gives for an f16 NaN (same sign and payload, quieted). */
export function f16NanBits(half: number): number {
  return (((half & 0x8000) << 16) | 0x7fc00000 | ((half & 0x3ff) << 13)) >>> 0;
}

/**
 * The f32 bit pattern of a product `k * f16ToF32(half)` when that product is NaN: the NaN
 * operand propagates, otherwise (inf times zero) the default NaN appears.
 */
export function nanBitsOfScaledF16(half: number): number {
  const v = f16ToF32(half);
  return v !== v ? f16NanBits(half) : DEFAULT_NAN_BITS;
}
