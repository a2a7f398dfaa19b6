// Half-precision and bfloat16 conversions, bit-exact with ggml's portable versions for
// every finite value (the kernels never meet inf/NaN in valid weights).

/** 2^112: moves an f16 exponent field, shifted into f32 position, to its true scale. */
const F16_EXP_SHIFT: f32 = reinterpret<f32>(<u32>0x77800000);

/** The f32 value of an f16 bit pattern. */
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

/** Reads the f16 at `p` as f32. */
// @ts-ignore: decorator
@inline
export function loadF16(p: usize): f32 {
  return f16ToF32(<u32>load<u16>(p));
}

/** Four f16 values at `p` widened to an f32x4 (finite values only). */
// @ts-ignore: decorator
@inline
export function loadF16x4(p: usize): v128 {
  const h = v128.load16x4_u(p);
  const em = v128.and(h, i32x4.splat(0x7fff));
  const mag = f32x4.mul(i32x4.shl(em, 13), f32x4.splat(F16_EXP_SHIFT));
  return v128.or(mag, i32x4.shl(v128.and(h, i32x4.splat(0x8000)), 16));
}

/** Rounds an f32 to the nearest f16 (ties to even) and returns the 16-bit pattern. */
export function f32ToF16(x: f32): u32 {
  const w = reinterpret<u32>(x);
  const shl1 = w << 1;
  const sign = w & 0x80000000;
  let bias = shl1 & 0xff000000;
  if (bias < 0x71000000) bias = 0x71000000;
  // 2^112 then 2^-110 scale the value so that adding the biased exponent rounds it at f16 precision.
  let base: f32 = (abs<f32>(x) * reinterpret<f32>(<u32>0x77800000)) * reinterpret<f32>(<u32>0x08800000);
  base = reinterpret<f32>((bias >> 1) + 0x07800000) + base;
  const bits = reinterpret<u32>(base);
  const expBits = (bits >> 13) & 0x7c00;
  const mantBits = bits & 0x0fff;
  return (sign >> 16) | (shl1 > 0xff000000 ? 0x7e00 : expBits + mantBits);
}

/** `x` rounded to the nearest f16 value, as f32. */
// @ts-ignore: decorator
@inline
export function roundF16(x: f32): f32 {
  return f16ToF32(f32ToF16(x));
}

/** Rounds an f32 to bf16 (ties to even, NaN quieted) and returns the 16-bit pattern. */
export function f32ToBF16(x: f32): u32 {
  const u = reinterpret<u32>(x);
  if ((u & 0x7fffffff) > 0x7f800000) return ((u >> 16) | 64) & 0xffff;
  return ((u + (0x7fff + ((u >> 16) & 1))) >> 16) & 0xffff;
}

/** The f32 value of a bf16 bit pattern. */
// @ts-ignore: decorator
@inline
export function bf16ToF32(h: u32): f32 {
  return reinterpret<f32>(h << 16);
}
