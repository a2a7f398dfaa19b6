// The C float behaviour ggml's quantizers depend on, as x86-64 computes it, in f32
// WebAssembly arithmetic (one IEEE-754 rounding per operation, no fused multiply-add).

/** ggml's `GROUP_MAX_EPS`: a group whose largest magnitude is below this counts as all zero. */
export const GROUP_MAX_EPS: f32 = 1e-15;

/** 1.5·2^23: adding it leaves the rounded integer in the low mantissa bits. */
const MAGIC: f32 = 12582912.0;

/**
 * ggml's `nearest_int`: round to nearest, ties to even, read from the mantissa of
 * `v + 1.5·2^23`. Out-of-range, infinite and NaN inputs give the same garbage as ggml.
 */
// @ts-ignore: decorator
@inline
export function nearestInt(v: f32): i32 {
  return (reinterpret<i32>(v + MAGIC) & 0x007fffff) - 0x00400000;
}

/**
 * `(int)v` as x86's `cvttss2si` computes it: truncation toward zero, and INT32_MIN
 * ("integer indefinite") for NaN and values outside the int32 range. Wasm's own
 * conversions trap or saturate there, so the range is checked first.
 */
// @ts-ignore: decorator
@inline
export function truncToInt32(v: f64): i32 {
  return v >= -2147483648.0 && v < 2147483648.0 ? <i32>v : i32.MIN_VALUE;
}

/** `(int8_t)v` for a float: truncate to int32 as x86 does, keep the low byte, signed. */
// @ts-ignore: decorator
@inline
export function truncToInt8(v: f64): i32 {
  return <i32>(<i8>truncToInt32(v));
}

/**
 * `roundf`: nearest integer, halfway cases away from zero. Computed in f64, where adding
 * 0.5 to an f32 value is exact, so no value just below a half rounds up.
 */
// @ts-ignore: decorator
@inline
export function roundHalfAway(v: f32): f64 {
  const a = floor(<f64>abs<f32>(v) + 0.5);
  return v < 0 ? -a : a;
}

/** The NaN x86 SSE produces for an invalid operation without NaN operands (inf·0, inf−inf). */
export const DEFAULT_NAN_BITS: u32 = 0xffc00000;

/** The f32 bits ggml's f16 → f32 conversion gives for an f16 NaN: same sign and payload, quieted. */
// @ts-ignore: decorator
@inline
export function f16NanBits(h: u32): u32 {
  return ((h & 0x8000) << 16) | 0x7fc00000 | ((h & 0x3ff) << 13);
}

/** The bits of a NaN product `k · f16(h)`: the NaN operand propagates, otherwise (inf·0) the default NaN. */
// @ts-ignore: decorator
@inline
export function nanBitsOfScaledF16(h: u32): u32 {
  return (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0 ? f16NanBits(h) : DEFAULT_NAN_BITS;
}
