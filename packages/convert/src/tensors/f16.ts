/**
 * float32 -> float16 conversion as NumPy's `astype(np.float16)` does it (gguf-py's f16
 * output): round to nearest even, subnormals kept, overflow to infinity, and a NaN keeps
 * the top 10 bits of its payload (made non-zero) instead of becoming a canonical NaN.
 * Integer-only, so hot loops need no global lookups.
 */

/** NumPy's float32 -> float16 for one f32 bit pattern. */
export function f32BitsToF16Numpy(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) {
    if (mant === 0) return sign | 0x7c00;
    let h = 0x7c00 + (mant >>> 13);
    if (h === 0x7c00) h++;
    return sign | h;
  }
  const e = exp - 112; // rebias 127 -> 15
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1) === 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // a carry out of the mantissa correctly bumps the exponent (up to infinity)
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h++;
  return sign | h;
}

/** Converts f32 values to f16 bit patterns with NumPy's rounding. */
export function f32ArrayToF16Numpy(src: Float32Array, dst: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  // signed reads stay small integers; f32BitsToF16Numpy only shifts and masks them
  const bits = new Int32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < bits.length; i++) dst[i] = f32BitsToF16Numpy(bits[i]!);
  return dst;
}

let bf16ToF16Table: Uint16Array | undefined;

function bf16Table(): Uint16Array {
  if (!bf16ToF16Table) {
    bf16ToF16Table = new Uint16Array(65536);
    for (let b = 0; b < 65536; b++) bf16ToF16Table[b] = f32BitsToF16Numpy(b << 16);
  }
  return bf16ToF16Table;
}

/**
 * bf16 -> f16 as NumPy converts the bf16 value (exact in f32) to float16. A bf16 pattern
 * has 65536 values, so one table lookup per element gives the same bits as widening to
 * f32 and rounding, several times faster.
 */
export function bf16ArrayToF16Numpy(src: Uint16Array, dst: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  const table = bf16Table();
  for (let i = 0; i < src.length; i++) dst[i] = table[src[i]!]!;
  return dst;
}

/** True when a bf16 pattern is finite but becomes infinite in f16. */
function overflowsF16(b: number, table: Uint16Array): boolean {
  return (table[b]! & 0x7c00) === 0x7c00 && (b & 0x7f80) !== 0x7f80;
}

/**
 * {@link bf16ArrayToF16Numpy} in place (both are 2 bytes per value), two values per
 * 32-bit word. With `checkOverflow`, stops at the first finite value that would become
 * infinite and returns its index, leaving that value and the ones after it unconverted;
 * otherwise (or when none overflows) converts everything and returns -1.
 */
export function bf16ToF16InPlace(words: Uint16Array, checkOverflow: boolean): number {
  const table = bf16Table();
  const n = words.length;
  let i = 0;
  if (words.byteOffset % 4 === 0) {
    const pairs = new Uint32Array(words.buffer, words.byteOffset, n >>> 1);
    for (let k = 0; k < pairs.length; k++) {
      const w = pairs[k]!;
      // Adding 0x3880 to a 15-bit magnitude sets bit 15 from 0x4780 (65536, the smallest bf16
      // magnitude that overflows f16) up, inf and NaN included: only those words need a closer look.
      if (checkOverflow && (((w & 0x7fff7fff) + 0x38803880) & 0x80008000) !== 0) {
        if (overflowsF16(w & 0xffff, table)) return 2 * k;
        if (overflowsF16(w >>> 16, table)) return 2 * k + 1;
      }
      pairs[k] = table[w & 0xffff]! | (table[w >>> 16]! << 16);
    }
    i = pairs.length * 2;
  }
  for (; i < n; i++) {
    const b = words[i]!;
    if (checkOverflow && overflowsF16(b, table)) return i;
    words[i] = table[b]!;
  }
  return -1;
}

/** Index of the first element that is finite in bf16 but infinite in f16, or -1. */
export function firstBF16ToF16Overflow(src: Uint16Array, dst: Uint16Array): number {
  for (let i = 0; i < dst.length; i++) {
    if ((dst[i]! & 0x7c00) === 0x7c00 && (src[i]! & 0x7f80) !== 0x7f80) return i;
  }
  return -1;
}
