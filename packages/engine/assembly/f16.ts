// Half-precision and bfloat16 conversions, bit-exact with ggml's portable versions for
// every finite value (the kernels never meet inf/NaN in valid weights).

// f16 -> f32 works on the bit patterns of normal numbers and converts subnormals through an
// integer multiply by 2^-24, so that no denormal f32 is ever an operand: x86 handles those
// with a microcode assist that costs ~100 cycles, and f16 subnormals are common in the block
// scales of K-quants (Q6_K `d` is often below 2^-14).

/** f32 bits of 2^-24, the value of the f16 subnormal step. */
const F16_SUBNORMAL_STEP: f32 = reinterpret<f32>(<u32>0x33800000);
/** (127 - 15) << 23: re-biases an f16 exponent field moved to f32 position. */
const F16_REBIAS: u32 = 0x38000000;

/** The f32 value of an f16 bit pattern. */
// @ts-ignore: decorator
@inline
export function f16ToF32(h: u32): f32 {
  const em = h & 0x7fff;
  const sign = (h & 0x8000) << 16;
  if (em >= 0x7c00) {
    return reinterpret<f32>(sign | 0x7f800000 | ((em & 0x3ff) << 13) | (em > 0x7c00 ? 0x400000 : 0));
  }
  if (em >= 0x400) return reinterpret<f32>(sign | ((em << 13) + F16_REBIAS));
  return reinterpret<f32>(sign | reinterpret<u32>(<f32>em * F16_SUBNORMAL_STEP));
}

/** Reads the f16 at `p` as f32. */
// @ts-ignore: decorator
@inline
export function loadF16(p: usize): f32 {
  return f16ToF32(<u32>load<u16>(p));
}

/** Four f16 bit patterns in the low halves of i32 lanes, widened to an f32x4 (finite values only). */
// @ts-ignore: decorator
@inline
export function f16x4ToF32(h: v128): v128 {
  const em = v128.and(h, i32x4.splat(0x7fff));
  const normal = i32x4.add(i32x4.shl(em, 13), i32x4.splat(F16_REBIAS));
  const subnormal = f32x4.mul(f32x4.convert_i32x4_s(em), f32x4.splat(F16_SUBNORMAL_STEP));
  const mag = v128.bitselect(subnormal, normal, i32x4.lt_s(em, i32x4.splat(0x400)));
  return v128.or(mag, i32x4.shl(v128.and(h, i32x4.splat(0x8000)), 16));
}

/** Four f16 values at `p` widened to an f32x4 (finite values only). */
// @ts-ignore: decorator
@inline
export function loadF16x4(p: usize): v128 {
  return f16x4ToF32(v128.load16x4_u(p));
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
