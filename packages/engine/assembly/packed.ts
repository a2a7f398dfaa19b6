// Weight layouts the kernels multiply, rearranged from GGUF's at load time.
//
// Q4_K: GGUF stores each super-block's 8 scales and 8 mins as 6-bit fields packed into 12
// bytes and its d, dmin as f16, which a dot product would unpack and widen for every
// super-block of every row on every token. The packed layout does that once: per row, the
// super-blocks are taken four at a time (a group, 608 bytes):
//     +0   d of the four super-blocks, f32
//     +16  dmin of the four, f32
//     +32  per super-block k, 16 bytes at +32 + 16k: its 8 scales, then its 8 mins (u8)
//     +96  per super-block k, its 128 quant bytes at +96 + 128k, as in GGUF
// and the super-blocks past the last whole group (n/256 mod 4 of them) follow one by one
// (152 bytes each): d f32, dmin f32, 8 scales, 8 mins, 128 quant bytes. A row of n values
// takes n/256 x 152 bytes (GGUF: 144). The f32 values are the f16 ones exactly, so every
// product keeps its bits.
//
// Q4_0: per row, the 32-value blocks are taken four at a time (72 bytes, as in GGUF): the
// four f16 d first, then the four blocks' 16 quant bytes. The blocks past the last whole
// group stay as GGUF has them (18 bytes each). Rows keep their size; the kernels convert four
// d with one load instead of four.
import { loadF16 } from './f16';
import { T_Q4_0, T_Q4_K } from './decode';

/** Q4_K in the packed layout (a type id outside ggml's). */
export const T_Q4_K_PACKED: i32 = 0x10c;
/** Q4_0 in the packed layout. */
export const T_Q4_0_PACKED: i32 = 0x102;

/** Bytes of a group of four Q4_0 blocks (packed or not). */
export const Q40_GROUP: usize = 72;

const Q4K_BLOCK: usize = 144;
/** Bytes of one packed Q4_K super-block, in a group or alone. */
export const Q4KP_BLOCK: usize = 152;
/** Bytes of one group of four packed Q4_K super-blocks. */
export const Q4KP_GROUP: usize = 608;

/** Address of the group holding Q4_K super-block b (b in a whole group). */
// @ts-ignore: decorator
@inline
export function q4kpGroup(row: usize, b: i32): usize {
  return row + <usize>(b >> 2) * Q4KP_GROUP;
}

/** Address of the 8 scales and 8 mins of super-block k (0-3) of the Q4_K group at g. */
// @ts-ignore: decorator
@inline
export function q4kpGroupScales(g: usize, k: i32): usize {
  return g + 32 + (<usize>k << 4);
}

/** Address of the 128 quant bytes of super-block k (0-3) of the Q4_K group at g. */
// @ts-ignore: decorator
@inline
export function q4kpGroupQuants(g: usize, k: i32): usize {
  return g + 96 + (<usize>k << 7);
}

/** Address of super-block b's 8 scales and 8 mins (nb4: the super-blocks in whole groups). */
// @ts-ignore: decorator
@inline
export function q4kpScales(row: usize, nb4: i32, b: i32): usize {
  return b < nb4 ? q4kpGroupScales(q4kpGroup(row, b), b & 3) : row + <usize>b * Q4KP_BLOCK + 8;
}

/** Address of super-block b's 128 quant bytes. */
// @ts-ignore: decorator
@inline
export function q4kpQuants(row: usize, nb4: i32, b: i32): usize {
  return b < nb4 ? q4kpGroupQuants(q4kpGroup(row, b), b & 3) : row + <usize>b * Q4KP_BLOCK + 24;
}

/** Address of super-block b's d (f32). */
// @ts-ignore: decorator
@inline
export function q4kpD(row: usize, nb4: i32, b: i32): usize {
  return b < nb4 ? q4kpGroup(row, b) + (<usize>(b & 3) << 2) : row + <usize>b * Q4KP_BLOCK;
}

/** Address of super-block b's dmin (f32). */
// @ts-ignore: decorator
@inline
export function q4kpDmin(row: usize, nb4: i32, b: i32): usize {
  return q4kpD(row, nb4, b) + (b < nb4 ? 16 : 4);
}

/**
 * The 6-bit scales (bytes 0-7) and mins (bytes 8-15) of a Q4_K super-block, unpacked from
 * the 12 bytes u0, u1, u2 at blk + 4: scales 0-3 and mins 0-3 are the low 6 bits of u0 and
 * u1; scales 4-7 and mins 4-7 the low and high nibbles of u2 with the top 2 bits of u0 and
 * u1 above them.
 */
// @ts-ignore: decorator
@inline
function scalesMinsQ4K(blk: usize): v128 {
  const v = v128.load(blk, 4);
  const a = i32x4.shuffle(v, v, 0, 2, 1, 2);
  const low = v128.bitselect(i32x4.shr_u(a, 4), a, i32x4(0, 0, 0, -1));
  const top = i32x4.shr_u(i32x4.shuffle(v, v, 0, 0, 1, 1), 2);
  return v128.or(
    v128.and(low, i32x4(0x3f3f3f3f, 0x0f0f0f0f, 0x3f3f3f3f, 0x0f0f0f0f)),
    v128.and(top, i32x4(0, 0x30303030, 0, 0x30303030)));
}

/** Address of the group holding Q4_0 block b (b in a whole group): its four f16 d, then the blocks' quants. */
// @ts-ignore: decorator
@inline
export function q40pGroup(row: usize, b: i32): usize {
  return row + <usize>(b >> 2) * Q40_GROUP;
}

/** Address of the 16 quant bytes of block k (0-3) of the Q4_0 group at g (its four d are at g). */
// @ts-ignore: decorator
@inline
export function q40pGroupQuants(g: usize, k: i32): usize {
  return g + 8 + (<usize>k << 4);
}

/** Address of the quant bytes of Q4_0 block b of a packed row (nb4: the blocks in whole groups). */
// @ts-ignore: decorator
@inline
export function q40pQuants(row: usize, nb4: i32, b: i32): usize {
  return b < nb4 ? q40pGroupQuants(q40pGroup(row, b), b & 3) : row + <usize>b * 18 + 2;
}

/** Address of the f16 d of Q4_0 block b of a packed row. */
// @ts-ignore: decorator
@inline
export function q40pScale(row: usize, nb4: i32, b: i32): usize {
  return b < nb4 ? q40pGroup(row, b) + (<usize>(b & 3) << 1) : row + <usize>b * 18;
}

/** The layout the kernels want weights of type t in (t itself when they take GGUF's). */
export function packedType(t: i32): i32 {
  if (t == T_Q4_K) return T_Q4_K_PACKED;
  if (t == T_Q4_0) return T_Q4_0_PACKED;
  return t;
}

/** Bytes of one row of n values of type t in the layout of packedType(t). */
export function packedRowBytes(t: i32, n: i32): i32 {
  if (t == T_Q4_K) return (n >> 8) * <i32>Q4KP_BLOCK;
  if (t == T_Q4_0) return (n >> 5) * 18;
  return 0;
}

/**
 * Rewrites `rows` rows of n values of type t (GGUF layout at src, `srcRowBytes` apart) into
 * the layout of packedType(t) at dst (rows packedRowBytes apart). Each source row is copied
 * to `scratch` (srcRowBytes) first, so the source may lie inside the destination as long
 * as it does not start before it: loading places a tensor's GGUF bytes at the end of its
 * packed region and packs it in place, row by row.
 */
export function packRows(t: i32, src: usize, srcRowBytes: usize, n: i32, rows: i32, dst: usize, scratch: usize): void {
  if (t != T_Q4_K && t != T_Q4_0) unreachable();
  const outRow = <usize>packedRowBytes(t, n);
  for (let r = 0; r < rows; r++) {
    memory.copy(scratch, src + <usize>r * srcRowBytes, srcRowBytes);
    if (t == T_Q4_K) packRowQ4K(scratch, n, dst + <usize>r * outRow);
    else packRowQ4_0(scratch, n, dst + <usize>r * outRow);
  }
}

function packRowQ4K(src: usize, n: i32, out: usize): void {
  const nb = n >> 8, nb4 = nb & ~3;
  for (let b = 0; b < nb; b++) {
    const blk = src + <usize>b * Q4K_BLOCK;
    store<f32>(q4kpD(out, nb4, b), loadF16(blk));
    store<f32>(q4kpDmin(out, nb4, b), loadF16(blk + 2));
    v128.store(q4kpScales(out, nb4, b), scalesMinsQ4K(blk));
    memory.copy(q4kpQuants(out, nb4, b), blk + 16, 128);
  }
}

function packRowQ4_0(src: usize, n: i32, out: usize): void {
  const nb = n >> 5, nb4 = nb & ~3;
  for (let b = 0; b < nb; b++) {
    const blk = src + <usize>b * 18;
    store<u16>(q40pScale(out, nb4, b), load<u16>(blk));
    v128.store(q40pQuants(out, nb4, b), v128.load(blk, 2));
  }
}
