// Dequantization on v128: sixteen integer levels widened to f32 and scaled, in the
// scalar code's operations (level·scale, then ± offset) and operand order, so the values
// (and the NaN patterns x86 gives for inf/NaN scales) match the scalar path bit for bit.

/** Mode of `expand16`: level·scale only. */
export const SCALE_ONLY = 0;
/** Mode of `expand16`: level·scale + offset (Q4_1, Q5_1). */
export const PLUS_OFFSET = 1;
/** Mode of `expand16`: level·scale − offset (K-quant mins). */
export const MINUS_OFFSET = 2;

// @ts-ignore: decorator
@inline
function one(q: v128, scale: v128, offset: v128, mode: i32, dst: usize): void {
  const t = f32x4.mul(f32x4.convert_i32x4_s(q), scale);
  v128.store(dst, mode == PLUS_OFFSET ? f32x4.add(t, offset) : mode == MINUS_OFFSET ? f32x4.sub(t, offset) : t);
}

/** Writes the 16 signed byte levels of `b` as f32 values level·scale (± offset) to `dst`. */
// @ts-ignore: decorator
@inline
export function expand16(b: v128, scale: v128, offset: v128, mode: i32, dst: usize): void {
  const lo = i16x8.extend_low_i8x16_s(b);
  const hi = i16x8.extend_high_i8x16_s(b);
  one(i32x4.extend_low_i16x8_s(lo), scale, offset, mode, dst);
  one(i32x4.extend_high_i16x8_s(lo), scale, offset, mode, dst + 16);
  one(i32x4.extend_low_i16x8_s(hi), scale, offset, mode, dst + 32);
  one(i32x4.extend_high_i16x8_s(hi), scale, offset, mode, dst + 48);
}

/** Byte j (0..15) of the result is 0x10 when bit `first + j` of `bits` is set: the fifth bit of 5-bit levels. */
// @ts-ignore: decorator
@inline
export function fifthBits16(bits: u32, first: i32): v128 {
  const b = i32x4.splat(<i32>(bits >> first));
  // Bytes 0..7 see the low byte of the 16 selected bits, bytes 8..15 the next one.
  const spread = i8x16.swizzle(b, i8x16(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1));
  const picked = v128.and(spread, i8x16(1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128));
  return v128.and(v128.not(i8x16.eq(picked, i8x16.splat(0))), i8x16.splat(0x10));
}
