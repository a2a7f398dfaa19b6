/**
 * f32 <-> f16 and f32 <-> bf16, bit-exact with ggml's portable conversions
 * (`ggml_compute_fp32_to_fp16`, `ggml_compute_fp32_to_bf16`): round to nearest even,
 * subnormals kept, overflow to infinity; NaN becomes a quiet NaN of the same sign.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function bitsOf(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

function floatOf(bits: number): number {
  u32[0] = bits;
  return f32[0]!;
}

const SCALE_TO_INF = 2 ** 112;
const SCALE_TO_ZERO = 2 ** -110;

/** Rounds an f32 value to the nearest f16 and returns its 16-bit pattern. */
export function f32ToF16(value: number): number {
  const w = bitsOf(value);
  const x = f32[0]!; // the value as f32 (value may arrive as a double)
  let base = Math.fround(Math.fround(Math.abs(x) * SCALE_TO_INF) * SCALE_TO_ZERO);
  const shl1w = (w << 1) >>> 0;
  const sign = w & 0x80000000;
  let bias = (shl1w & 0xff000000) >>> 0;
  if (bias < 0x71000000) bias = 0x71000000;
  base = Math.fround(floatOf(((bias >>> 1) + 0x07800000) >>> 0) + base);
  const bits = bitsOf(base);
  const expBits = (bits >>> 13) & 0x7c00;
  const mantissaBits = bits & 0x0fff;
  const nonsign = expBits + mantissaBits;
  return ((sign >>> 16) | (shl1w > 0xff000000 ? 0x7e00 : nonsign)) & 0xffff;
}

const F16_TABLE = /* @__PURE__ */ (() => {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) table[h] = sign * mant * 2 ** -24;
    else if (exp === 31) table[h] = mant === 0 ? sign * Infinity : NaN;
    else table[h] = sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  // NaN payloads: write the exact bit pattern ggml produces (sign, exponent, quieted mantissa).
  const bits = new Uint32Array(table.buffer);
  for (let h = 0; h < 65536; h++) {
    if (((h >>> 10) & 0x1f) === 31 && (h & 0x3ff) !== 0) {
      bits[h] = (((h & 0x8000) << 16) | 0x7f800000 | ((h & 0x3ff) << 13) | 0x00400000) >>> 0;
    }
  }
  return table;
})();

/** The f32 value of an f16 bit pattern (exact). */
export function f16ToF32(half: number): number {
  return F16_TABLE[half & 0xffff]!;
}

/** Converts f32 values to f16 bit patterns. */
export function f32ArrayToF16(src: ArrayLike<number>, dst: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  for (let i = 0; i < src.length; i++) dst[i] = f32ToF16(src[i]!);
  return dst;
}

/** Converts f16 bit patterns to f32 values. */
export function f16ArrayToF32(src: ArrayLike<number>, dst: Float32Array = new Float32Array(src.length)): Float32Array {
  for (let i = 0; i < src.length; i++) dst[i] = F16_TABLE[src[i]! & 0xffff]!;
  return dst;
}

/** Rounds an f32 value to bf16 (nearest even; NaN quieted) and returns its 16-bit pattern. */
export function f32ToBF16(value: number): number {
  const i = bitsOf(value);
  if ((i & 0x7fffffff) >>> 0 > 0x7f800000) return ((i >>> 16) | 64) & 0xffff;
  return (Math.floor((i + (0x7fff + ((i >>> 16) & 1))) / 65536)) & 0xffff;
}

/** The f32 value of a bf16 bit pattern (exact). */
export function bf16ToF32(half: number): number {
  return floatOf(((half & 0xffff) << 16) >>> 0);
}

/** Converts f32 values to bf16 bit patterns. */
export function f32ArrayToBF16(src: ArrayLike<number>, dst: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  for (let i = 0; i < src.length; i++) dst[i] = f32ToBF16(src[i]!);
  return dst;
}

/** Converts bf16 bit patterns to f32 values. */
export function bf16ArrayToF32(src: ArrayLike<number>, dst: Float32Array = new Float32Array(src.length)): Float32Array {
  // int32 stores keep the loop on small integers (a uint32 above 2^31 would be a heap number)
  const out = new Int32Array(dst.buffer, dst.byteOffset, dst.length);
  if (src instanceof Uint16Array) {
    for (let i = 0; i < src.length; i++) out[i] = src[i]! << 16;
  } else {
    for (let i = 0; i < src.length; i++) out[i] = (src[i]! & 0xffff) << 16;
  }
  return dst;
}
