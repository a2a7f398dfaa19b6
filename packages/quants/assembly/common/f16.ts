// IEEE half precision <-> f32, bit-exact with ggml's portable conversions
// (`ggml_compute_fp32_to_fp16` / `ggml_compute_fp16_to_fp32`), NaN payloads included.

/** 2^112: moves an f16 exponent field, shifted into f32 position, to its true scale. */
const F16_EXP_SHIFT: f32 = reinterpret<f32>(<u32>0x77800000);
/** 2^-110. */
const SCALE_TO_ZERO: f32 = reinterpret<f32>(<u32>0x08800000);

/** The f32 value of an f16 bit pattern (NaNs keep sign and payload and become quiet). */
// @ts-ignore: decorator
@inline
export function f16ToF32(h: u32): f32 {
  const em = h & 0x7fff;
  if (em >= 0x7c00) {
    return reinterpret<f32>(((h & 0x8000) << 16) | 0x7f800000 | ((em & 0x3ff) << 13) | (em > 0x7c00 ? 0x400000 : 0));
  }
  const mag = reinterpret<f32>(em << 13) * F16_EXP_SHIFT;
  return reinterpret<f32>(reinterpret<u32>(mag) | ((h & 0x8000) << 16));
}

/** Reads the little-endian f16 at `p` as f32. */
// @ts-ignore: decorator
@inline
export function loadF16(p: usize): f32 {
  return f16ToF32(<u32>load<u16>(p));
}

/** Rounds an f32 to the nearest f16 (ties to even, overflow to inf, NaN quieted) and returns the 16-bit pattern. */
export function f32ToF16(x: f32): u32 {
  const w = reinterpret<u32>(x);
  const shl1 = w << 1;
  const sign = w & 0x80000000;
  let bias = shl1 & 0xff000000;
  if (bias < 0x71000000) bias = 0x71000000;
  // Scaling by 2^112 then 2^-110 and adding the biased exponent rounds at f16 precision.
  let base: f32 = (abs<f32>(x) * F16_EXP_SHIFT) * SCALE_TO_ZERO;
  base = reinterpret<f32>((bias >> 1) + 0x07800000) + base;
  const bits = reinterpret<u32>(base);
  const expBits = (bits >> 13) & 0x7c00;
  const mantBits = bits & 0x0fff;
  return ((sign >> 16) | (shl1 > 0xff000000 ? 0x7e00 : expBits + mantBits)) & 0xffff;
}

/** Stores `x` rounded to f16 at `p`; returns the 16-bit pattern. */
// @ts-ignore: decorator
@inline
export function storeF16(p: usize, x: f32): u32 {
  const h = f32ToF16(x);
  store<u16>(p, <u16>h);
  return h;
}
