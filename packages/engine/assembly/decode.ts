// Weight row decoding. Every quantized row is unpacked once into a uniform form that one
// integer dot-product kernel per family understands:
//   32-value block types (Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 IQ4_NL): i8 values, f32 d and m per block
//     (value = q * d + m; m is 0 for the symmetric types)
//   256-value K types (Q2_K..Q6_K): i8 values, f32 d and dmin per super-block, i32 scale and
//     min per 16-value group (value = (d * scale) * q - dmin * min)
//   float types (F32 F16 BF16): f32 values
// The integers are exactly those ggml's dot products use, so results follow ggml's math.
import { T_Q4_0_PACKED, T_Q4_K_PACKED, q40pQuants, q40pScale, q4kpD, q4kpDmin, q4kpQuants, q4kpScales } from './packed';
import { loadF16, loadF16x4 } from './f16';

export const T_F32: i32 = 0;
export const T_F16: i32 = 1;
export const T_Q4_0: i32 = 2;
export const T_Q4_1: i32 = 3;
export const T_Q5_0: i32 = 6;
export const T_Q5_1: i32 = 7;
export const T_Q8_0: i32 = 8;
export const T_Q2_K: i32 = 10;
export const T_Q3_K: i32 = 11;
export const T_Q4_K: i32 = 12;
export const T_Q5_K: i32 = 13;
export const T_Q6_K: i32 = 14;
export const T_IQ4_NL: i32 = 20;
export const T_BF16: i32 = 30;

export const FAMILY_FLOAT: i32 = 0;
export const FAMILY_B32: i32 = 1;
export const FAMILY_K: i32 = 2;

/** -0 is the identity of f32 addition (x + -0 == x for every x, +0 included). */
const NO_MIN: f32 = -0.0;

const IQ4NL_VALUES: usize = memory.data<i8>([-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]);

/** Which decoded form a weight type unpacks to, or -1 when unsupported. */
export function typeFamily(t: i32): i32 {
  if (t == T_F32 || t == T_F16 || t == T_BF16) return FAMILY_FLOAT;
  if (t == T_Q4_0 || t == T_Q4_1 || t == T_Q5_0 || t == T_Q5_1 || t == T_Q8_0 || t == T_IQ4_NL || t == T_Q4_0_PACKED) return FAMILY_B32;
  if ((t >= T_Q2_K && t <= T_Q6_K) || t == T_Q4_K_PACKED) return FAMILY_K;
  return -1;
}

// Offsets of the parts of a decoded row of n values inside its scratch area.
// @ts-ignore: decorator
@inline export function decodedValues(base: usize): usize { return base; }
// @ts-ignore: decorator
@inline export function decodedD(base: usize, n: i32): usize { return base + ((<usize>n + 15) & ~15); }
// @ts-ignore: decorator
@inline export function decodedM(base: usize, n: i32): usize { return decodedD(base, n) + ((<usize>(n >> 5) * 4 + 15) & ~15); }
// @ts-ignore: decorator
@inline export function decodedSc(base: usize, n: i32): usize { return decodedM(base, n) + ((<usize>(n >> 5) * 4 + 15) & ~15); }
// @ts-ignore: decorator
@inline export function decodedMn(base: usize, n: i32): usize { return decodedSc(base, n) + ((<usize>(n >> 4) * 4 + 15) & ~15); }

/** Bytes of scratch a decoded row of n values needs (any family). */
export function decodedBytes(n: i32): i32 {
  const ints = <i32>(decodedMn(0, n) + ((<usize>(n >> 4) * 4 + 15) & ~15));
  const floats = n * 4;
  return ints > floats ? ints : floats;
}

/** Unpacks one row of `n` values of type `t` at `src` into `dst`. */
export function decodeRow(t: i32, src: usize, n: i32, dst: usize): void {
  switch (t) {
    case T_F16: decodeF16(src, n, dst); break;
    case T_BF16: decodeBF16(src, n, dst); break;
    case T_F32: memory.copy(dst, src, <usize>n << 2); break;
    case T_Q4_0: decodeQ4(src, n, dst, false); break;
    case T_Q4_0_PACKED: decodeQ4(src, n, dst, false, true); break;
    case T_Q4_1: decodeQ4(src, n, dst, true); break;
    case T_Q5_0: decodeQ5(src, n, dst, false); break;
    case T_Q5_1: decodeQ5(src, n, dst, true); break;
    case T_Q8_0: decodeQ8_0(src, n, dst); break;
    case T_IQ4_NL: decodeIQ4NL(src, n, dst); break;
    case T_Q2_K: decodeQ2K(src, n, dst); break;
    case T_Q3_K: decodeQ3K(src, n, dst); break;
    case T_Q4_K: decodeQ4K(src, n, dst, false); break;
    case T_Q4_K_PACKED: decodeQ4K(src, n, dst, true); break;
    case T_Q5_K: decodeQ5K(src, n, dst); break;
    case T_Q6_K: decodeQ6K(src, n, dst); break;
    default: unreachable();
  }
}

function decodeF16(src: usize, n: i32, dst: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), loadF16x4(src + (<usize>i << 1)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), loadF16(src + (<usize>i << 1)));
}

function decodeBF16(src: usize, n: i32, dst: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), i32x4.shl(v128.load16x4_u(src + (<usize>i << 1)), 16));
  for (; i < n; i++) store<u32>(dst + (<usize>i << 2), (<u32>load<u16>(src + (<usize>i << 1))) << 16);
}

function decodeQ4(src: usize, n: i32, dst: usize, withMin: bool, packed: bool = false): void {
  const nb = n >> 5, nb4 = nb & ~3;
  const bytes: usize = withMin ? 20 : 18;
  const dOut = decodedD(dst, n), mOut = decodedM(dst, n);
  const low = i8x16.splat(0x0f);
  const off = i8x16.splat(withMin ? 0 : 8);
  for (let b = 0; b < nb; b++) {
    const blk = src + <usize>b * bytes;
    const qs = v128.load(packed ? q40pQuants(src, nb4, b) : blk + (withMin ? 4 : 2));
    const out = dst + (<usize>b << 5);
    v128.store(out, i8x16.sub(v128.and(qs, low), off));
    v128.store(out, i8x16.sub(i8x16.shr_u(qs, 4), off), 16);
    store<f32>(dOut + (<usize>b << 2), loadF16(packed ? q40pScale(src, nb4, b) : blk));
    store<f32>(mOut + (<usize>b << 2), withMin ? loadF16(blk + 2) : NO_MIN);
  }
}

/** Byte i of the result is 0x10 when bit (first + i) of `bits` is set. */
// @ts-ignore: decorator
@inline
function highBits16(bits: u32, first: i32): v128 {
  const v = i32x4.splat(<i32>(bits >> first));
  const spread = i8x16.swizzle(v, i8x16(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1));
  const masks = i8x16(1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128);
  return v128.and(i8x16.ne(v128.and(spread, masks), i8x16.splat(0)), i8x16.splat(0x10));
}

function decodeQ5(src: usize, n: i32, dst: usize, withMin: bool): void {
  const nb = n >> 5;
  const bytes: usize = withMin ? 24 : 22;
  const dOut = decodedD(dst, n), mOut = decodedM(dst, n);
  const low = i8x16.splat(0x0f);
  const off = i8x16.splat(withMin ? 0 : 16);
  for (let b = 0; b < nb; b++) {
    const blk = src + <usize>b * bytes;
    const hoff: usize = withMin ? 4 : 2;
    const qh = load<u32>(blk + hoff);
    const qs = v128.load(blk + hoff + 4);
    const out = dst + (<usize>b << 5);
    v128.store(out, i8x16.sub(v128.or(v128.and(qs, low), highBits16(qh, 0)), off));
    v128.store(out, i8x16.sub(v128.or(i8x16.shr_u(qs, 4), highBits16(qh, 16)), off), 16);
    store<f32>(dOut + (<usize>b << 2), loadF16(blk));
    store<f32>(mOut + (<usize>b << 2), withMin ? loadF16(blk + 2) : NO_MIN);
  }
}

function decodeQ8_0(src: usize, n: i32, dst: usize): void {
  const nb = n >> 5;
  const dOut = decodedD(dst, n), mOut = decodedM(dst, n);
  for (let b = 0; b < nb; b++) {
    const blk = src + <usize>b * 34;
    const out = dst + (<usize>b << 5);
    v128.store(out, v128.load(blk + 2));
    v128.store(out, v128.load(blk + 18), 16);
    store<f32>(dOut + (<usize>b << 2), loadF16(blk));
    store<f32>(mOut + (<usize>b << 2), NO_MIN);
  }
}

function decodeIQ4NL(src: usize, n: i32, dst: usize): void {
  const nb = n >> 5;
  const dOut = decodedD(dst, n), mOut = decodedM(dst, n);
  const table = v128.load(IQ4NL_VALUES);
  const low = i8x16.splat(0x0f);
  for (let b = 0; b < nb; b++) {
    const blk = src + <usize>b * 18;
    const qs = v128.load(blk + 2);
    const out = dst + (<usize>b << 5);
    v128.store(out, i8x16.swizzle(table, v128.and(qs, low)));
    v128.store(out, i8x16.swizzle(table, i8x16.shr_u(qs, 4)), 16);
    store<f32>(dOut + (<usize>b << 2), loadF16(blk));
    store<f32>(mOut + (<usize>b << 2), NO_MIN);
  }
}

/** The 6-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K scales field. */
// @ts-ignore: decorator
@inline
function scaleMinK4(j: i32, q: usize, wantMin: bool): i32 {
  if (j < 4) {
    return wantMin ? <i32>(load<u8>(q + <usize>(j + 4)) & 63) : <i32>(load<u8>(q + <usize>j) & 63);
  }
  if (wantMin) return <i32>((load<u8>(q + <usize>(j + 4)) >> 4) | ((load<u8>(q + <usize>j) >> 6) << 4));
  return <i32>((load<u8>(q + <usize>(j + 4)) & 0xf) | ((load<u8>(q + <usize>(j - 4)) >> 6) << 4));
}

/** Q4_K in GGUF's layout, or (`packed`) in the layout of packed.ts. */
// @ts-ignore: decorator
@inline
function decodeQ4K(src: usize, n: i32, dst: usize, packed: bool): void {
  const nb = n >> 8, nb4 = nb & ~3;
  const dOut = decodedD(dst, n), mOut = decodedM(dst, n), scOut = decodedSc(dst, n), mnOut = decodedMn(dst, n);
  const low = i8x16.splat(0x0f);
  for (let b = 0; b < nb; b++) {
    const blk = src + <usize>b * 144;
    if (packed) {
      store<f32>(dOut + (<usize>b << 2), load<f32>(q4kpD(src, nb4, b)));
      store<f32>(mOut + (<usize>b << 2), load<f32>(q4kpDmin(src, nb4, b)));
    } else {
      store<f32>(dOut + (<usize>b << 2), loadF16(blk));
      store<f32>(mOut + (<usize>b << 2), loadF16(blk + 2));
    }
    const qs = packed ? q4kpQuants(src, nb4, b) : blk + 16;
    const sm: usize = packed ? q4kpScales(src, nb4, b) : 0;
    const out = dst + (<usize>b << 8);
    for (let j = 0; j < 4; j++) {
      const q = qs + (<usize>j << 5);
      const a = v128.load(q), c = v128.load(q, 16);
      const o = out + (<usize>j << 6);
      v128.store(o, v128.and(a, low));
      v128.store(o, v128.and(c, low), 16);
      v128.store(o, i8x16.shr_u(a, 4), 32);
      v128.store(o, i8x16.shr_u(c, 4), 48);
      const g = (b << 4) + (j << 2);
      let sc0: i32, m0: i32, sc1: i32, m1: i32;
      if (packed) {
        sc0 = load<u8>(sm + <usize>(2 * j)); m0 = load<u8>(sm + <usize>(2 * j + 8));
        sc1 = load<u8>(sm + <usize>(2 * j + 1)); m1 = load<u8>(sm + <usize>(2 * j + 9));
      } else {
        sc0 = scaleMinK4(2 * j, blk + 4, false); m0 = scaleMinK4(2 * j, blk + 4, true);
        sc1 = scaleMinK4(2 * j + 1, blk + 4, false); m1 = scaleMinK4(2 * j + 1, blk + 4, true);
      }
      v128.store(scOut + (<usize>g << 2), i32x4(sc0, sc0, sc1, sc1));
      v128.store(mnOut + (<usize>g << 2), i32x4(m0, m0, m1, m1));
    }
  }
}

function decodeQ5K(src: usize, n: i32, dst: usize): void {
  const nb = n >> 8;
  const dOut = decodedD(dst, n), mOut = decodedM(dst, n), scOut = decodedSc(dst, n), mnOut = decodedMn(dst, n);
  const low = i8x16.splat(0x0f);
  const sixteen = i8x16.splat(16);
  for (let b = 0; b < nb; b++) {
    const blk = src + <usize>b * 176;
    store<f32>(dOut + (<usize>b << 2), loadF16(blk));
    store<f32>(mOut + (<usize>b << 2), loadF16(blk + 2));
    const qh0 = v128.load(blk + 16), qh1 = v128.load(blk + 32);
    const out = dst + (<usize>b << 8);
    for (let j = 0; j < 4; j++) {
      const q = blk + 48 + (<usize>j << 5);
      const a = v128.load(q), c = v128.load(q, 16);
      const u1 = i8x16.splat(<i8>(<i32>1 << (2 * j))), u2 = i8x16.splat(<i8>(<i32>1 << (2 * j + 1)));
      const h0 = v128.and(i8x16.ne(v128.and(qh0, u1), i8x16.splat(0)), sixteen);
      const h1 = v128.and(i8x16.ne(v128.and(qh1, u1), i8x16.splat(0)), sixteen);
      const h2 = v128.and(i8x16.ne(v128.and(qh0, u2), i8x16.splat(0)), sixteen);
      const h3 = v128.and(i8x16.ne(v128.and(qh1, u2), i8x16.splat(0)), sixteen);
      const o = out + (<usize>j << 6);
      v128.store(o, v128.or(v128.and(a, low), h0));
      v128.store(o, v128.or(v128.and(c, low), h1), 16);
      v128.store(o, v128.or(i8x16.shr_u(a, 4), h2), 32);
      v128.store(o, v128.or(i8x16.shr_u(c, 4), h3), 48);
      const g = (b << 4) + (j << 2);
      const sc0 = scaleMinK4(2 * j, blk + 4, false), m0 = scaleMinK4(2 * j, blk + 4, true);
      const sc1 = scaleMinK4(2 * j + 1, blk + 4, false), m1 = scaleMinK4(2 * j + 1, blk + 4, true);
      v128.store(scOut + (<usize>g << 2), i32x4(sc0, sc0, sc1, sc1));
      v128.store(mnOut + (<usize>g << 2), i32x4(m0, m0, m1, m1));
    }
  }
}

function decodeQ6K(src: usize, n: i32, dst: usize): void {
  const nb = n >> 8;
  const dOut = decodedD(dst, n), mOut = decodedM(dst, n), scOut = decodedSc(dst, n), mnOut = decodedMn(dst, n);
  const low = i8x16.splat(0x0f);
  const three = i8x16.splat(3);
  const off = i8x16.splat(32);
  for (let b = 0; b < nb; b++) {
    const blk = src + <usize>b * 210;
    store<f32>(dOut + (<usize>b << 2), loadF16(blk + 208));
    store<f32>(mOut + (<usize>b << 2), 0);
    const out = dst + (<usize>b << 8);
    for (let h = 0; h < 2; h++) {
      const ql = blk + (<usize>h << 6);
      const qh = blk + 128 + (<usize>h << 5);
      const o = out + (<usize>h << 7);
      for (let k = 0; k < 2; k++) {
        const kk = <usize>k << 4;
        const l0 = v128.load(ql + kk), l1 = v128.load(ql + 32 + kk), hh = v128.load(qh + kk);
        v128.store(o + kk, i8x16.sub(v128.or(v128.and(l0, low), i8x16.shl(v128.and(hh, three), 4)), off));
        v128.store(o + 32 + kk, i8x16.sub(v128.or(v128.and(l1, low), i8x16.shl(v128.and(i8x16.shr_u(hh, 2), three), 4)), off));
        v128.store(o + 64 + kk, i8x16.sub(v128.or(i8x16.shr_u(l0, 4), i8x16.shl(v128.and(i8x16.shr_u(hh, 4), three), 4)), off));
        v128.store(o + 96 + kk, i8x16.sub(v128.or(i8x16.shr_u(l1, 4), i8x16.shl(i8x16.shr_u(hh, 6), 4)), off));
      }
    }
    for (let g = 0; g < 16; g++) {
      const gi = (b << 4) + g;
      store<i32>(scOut + (<usize>gi << 2), <i32>load<i8>(blk + 192 + <usize>g));
      store<i32>(mnOut + (<usize>gi << 2), 0);
    }
  }
}

function decodeQ3K(src: usize, n: i32, dst: usize): void {
  const nb = n >> 8;
  const dOut = decodedD(dst, n), mOut = decodedM(dst, n), scOut = decodedSc(dst, n), mnOut = decodedMn(dst, n);
  const three = i8x16.splat(3);
  const four = i8x16.splat(4);
  const zero = i8x16.splat(0);
  for (let b = 0; b < nb; b++) {
    const blk = src + <usize>b * 110;
    store<f32>(dOut + (<usize>b << 2), loadF16(blk + 108));
    store<f32>(mOut + (<usize>b << 2), 0);
    const hm0 = v128.load(blk), hm1 = v128.load(blk + 16);
    const out = dst + (<usize>b << 8);
    for (let h = 0; h < 2; h++) {
      const q = blk + 32 + (<usize>h << 5);
      const q0 = v128.load(q), q1 = v128.load(q, 16);
      for (let j = 0; j < 4; j++) {
        const m = i8x16.splat(<i8>(<i32>1 << (4 * h + j)));
        const s = 2 * j;
        // 4 is subtracted where the high bit is clear
        const sub0 = v128.and(i8x16.eq(v128.and(hm0, m), zero), four);
        const sub1 = v128.and(i8x16.eq(v128.and(hm1, m), zero), four);
        const o = out + (<usize>h << 7) + (<usize>j << 5);
        v128.store(o, i8x16.sub(v128.and(i8x16.shr_u(q0, s), three), sub0));
        v128.store(o, i8x16.sub(v128.and(i8x16.shr_u(q1, s), three), sub1), 16);
      }
    }
    // 16 six-bit scales: low 4 bits from bytes 0..7, high 2 bits from bytes 8..11
    const sp = blk + 96;
    const a0 = load<u32>(sp), a1 = load<u32>(sp + 4), tmp = load<u32>(sp + 8);
    const k1: u32 = 0x03030303, k2: u32 = 0x0f0f0f0f;
    const s0 = (a0 & k2) | (((tmp >> 0) & k1) << 4);
    const s1 = (a1 & k2) | (((tmp >> 2) & k1) << 4);
    const s2 = ((a0 >> 4) & k2) | (((tmp >> 4) & k1) << 4);
    const s3 = ((a1 >> 4) & k2) | (((tmp >> 6) & k1) << 4);
    for (let g = 0; g < 16; g++) {
      const gi = (b << 4) + g;
      const word = g < 4 ? s0 : g < 8 ? s1 : g < 12 ? s2 : s3;
      const sc = <i32>((word >> (8 * (g & 3))) & 0xff);
      store<i32>(scOut + (<usize>gi << 2), <i32>(<i8>sc) - 32);
      store<i32>(mnOut + (<usize>gi << 2), 0);
    }
  }
}

function decodeQ2K(src: usize, n: i32, dst: usize): void {
  const nb = n >> 8;
  const dOut = decodedD(dst, n), mOut = decodedM(dst, n), scOut = decodedSc(dst, n), mnOut = decodedMn(dst, n);
  const three = i8x16.splat(3);
  for (let b = 0; b < nb; b++) {
    const blk = src + <usize>b * 84;
    store<f32>(dOut + (<usize>b << 2), loadF16(blk + 80));
    store<f32>(mOut + (<usize>b << 2), loadF16(blk + 82));
    const out = dst + (<usize>b << 8);
    for (let h = 0; h < 2; h++) {
      const q = blk + 16 + (<usize>h << 5);
      const q0 = v128.load(q), q1 = v128.load(q, 16);
      for (let j = 0; j < 4; j++) {
        const o = out + (<usize>h << 7) + (<usize>j << 5);
        v128.store(o, v128.and(i8x16.shr_u(q0, 2 * j), three));
        v128.store(o, v128.and(i8x16.shr_u(q1, 2 * j), three), 16);
      }
    }
    for (let g = 0; g < 16; g++) {
      const gi = (b << 4) + g;
      const sc = <i32>load<u8>(blk + <usize>g);
      store<i32>(scOut + (<usize>gi << 2), sc & 0xf);
      store<i32>(mnOut + (<usize>gi << 2), sc >> 4);
    }
  }
}

/**
 * Dequantizes `rows` rows of `n` values of type `t` at `src` (row stride `rowBytes`) into f32
 * at `dst`, bit-exact with ggml's `dequantize_row_*`. `scratch` holds one decoded row.
 */
export function dequantizeRows(t: i32, src: usize, rowBytes: usize, n: i32, rows: i32, dst: usize, scratch: usize): void {
  const fam = typeFamily(t);
  for (let r = 0; r < rows; r++) {
    const out = dst + (<usize>r * <usize>n << 2);
    const row = src + <usize>r * rowBytes;
    if (fam == FAMILY_FLOAT) {
      decodeRow(t, row, n, out);
      continue;
    }
    decodeRow(t, row, n, scratch);
    const dv = decodedD(scratch, n), mv = decodedM(scratch, n);
    if (fam == FAMILY_B32) {
      for (let i = 0; i < n; i++) {
        const b = <usize>(i >> 5) << 2;
        const q = <f32>load<i8>(scratch + <usize>i);
        store<f32>(out + (<usize>i << 2), q * load<f32>(dv + b) + load<f32>(mv + b));
      }
    } else {
      const sv = decodedSc(scratch, n), nv = decodedMn(scratch, n);
      for (let i = 0; i < n; i++) {
        const b = <usize>(i >> 8) << 2, g = <usize>(i >> 4) << 2;
        const q = <f32>load<i8>(scratch + <usize>i);
        const dl = load<f32>(dv + b) * <f32>load<i32>(sv + g);
        const ml = load<f32>(mv + b) * <f32>load<i32>(nv + g);
        store<f32>(out + (<usize>i << 2), dl * q - ml);
      }
    }
  }
}
