// Q6_K (210-byte super-blocks of 256 values): ql[128] at 0, qh[64] at 128, int8
// scales[16] at 192, f16 d at 208. `quantize_q6_K` and `dequantize_row_q6_K`.

import { loadF16, storeF16 } from '../common/f16';
import { MINUS_OFFSET, SCALE_ONLY, expand16 } from '../common/expand';
import { GROUP_MAX_EPS, nearestInt } from '../common/numeric';
import { SCALE8, WT, XT, gather8, searchSym8 } from '../common/lanes';

const L: usize = memory.data(256);
const SCALES: usize = memory.data(16 * 4, 16);

function block(x: usize, qw: usize, bo: usize): void {
  // Sub-blocks 8h..8h+7 are searched together, one per lane.
  for (let h = 0; h < 2; h++) {
    gather8(x + (<usize>h << 9), 64, 16, XT);
    if (qw) gather8(qw + (<usize>h << 9), 64, 16, WT);
    searchSym8(16, 32, qw != 0, L + (<usize>h << 7), 16);
    memory.copy(SCALES + (<usize>h << 5), SCALE8, 32);
  }
  let maxScale: f32 = 0;
  let maxAbsScale: f32 = 0;
  for (let ib = 0; ib < 16; ib++) {
    const s = load<f32>(SCALES + (<usize>ib << 2));
    const a = abs<f32>(s);
    if (a > maxAbsScale) {
      maxAbsScale = a;
      maxScale = s;
    }
  }
  if (maxAbsScale < GROUP_MAX_EPS) {
    memory.fill(bo, 0, 210);
    return;
  }
  const iscale: f32 = <f32>-128 / maxScale;
  storeF16(bo + 208, <f32>1 / iscale);
  for (let ib = 0; ib < 16; ib++) {
    const l = nearestInt(iscale * load<f32>(SCALES + (<usize>ib << 2)));
    store<i8>(bo + 192 + ib, <i8>(l < 127 ? l : 127)); // int8_t store: wraps below -128 as in ggml
  }
  const d0 = loadF16(bo + 208);
  for (let j = 0; j < 16; j++) {
    const d: f32 = d0 * <f32>load<i8>(bo + 192 + j);
    if (d == 0) continue;
    for (let ii = 0; ii < 16; ii++) {
      const l = nearestInt(load<f32>(x + (<usize>(16 * j + ii) << 2)) / d);
      store<u8>(L + 16 * j + ii, <u8>((l < -32 ? -32 : l > 31 ? 31 : l) + 32));
    }
  }
  let ql = bo;
  let qh = bo + 128;
  for (let j = 0; j < 256; j += 128) {
    for (let l = 0; l < 32; l++) {
      const l0 = <u32>load<u8>(L + j + l);
      const l1 = <u32>load<u8>(L + j + l + 32);
      const l2 = <u32>load<u8>(L + j + l + 64);
      const l3 = <u32>load<u8>(L + j + l + 96);
      store<u8>(ql + l, <u8>((l0 & 0xf) | ((l2 & 0xf) << 4)));
      store<u8>(ql + l + 32, <u8>((l1 & 0xf) | ((l3 & 0xf) << 4)));
      store<u8>(qh + l, <u8>((l0 >> 4) | ((l1 >> 4) << 2) | ((l2 >> 4) << 4) | ((l3 >> 4) << 6)));
    }
    ql += 64;
    qh += 32;
  }
}

/** Quantizes `nrows` rows of `ncols` values to Q6_K; `qw` the imatrix (used as-is as weights) or 0. */
export function quantizeQ6K(x: usize, y: usize, nrows: i32, ncols: i32, qw: usize): void {
  const nb = ncols >> 8;
  for (let r = 0; r < nrows; r++) {
    for (let i = 0; i < nb; i++) {
      const xo = x + ((<usize>r * <usize>ncols + (<usize>i << 8)) << 2);
      block(xo, qw ? qw + (<usize>i << 10) : 0, y + (<usize>r * <usize>nb + <usize>i) * 210);
    }
  }
}

/** Dequantizes `nblocks` Q6_K super-blocks: d·sc·(q − 32). */
export function dequantizeQ6K(src: usize, dst: usize, nblocks: i32): void {
  for (let i = 0; i < nblocks; i++) {
    const bo = src + <usize>i * 210;
    const d = loadF16(bo + 208);
    let yo = dst + (<usize>i << 10);
    let ql = bo;
    let qh = bo + 128;
    let sc = bo + 192;
    for (let n = 0; n < 256; n += 128) {
      for (let half: usize = 0; half < 32; half += 16) {
        const is = half >> 4;
        const a = v128.load(ql + half);
        const b = v128.load(ql + half + 32);
        const h = v128.load(qh + half);
        const m4 = i8x16.splat(0x0f);
        const m2 = i8x16.splat(3);
        const bias = i8x16.splat(32);
        const q1 = i8x16.sub(v128.or(v128.and(a, m4), i8x16.shl(v128.and(h, m2), 4)), bias);
        const q2 = i8x16.sub(v128.or(v128.and(b, m4), i8x16.shl(v128.and(i8x16.shr_u(h, 2), m2), 4)), bias);
        const q3 = i8x16.sub(v128.or(i8x16.shr_u(a, 4), i8x16.shl(v128.and(i8x16.shr_u(h, 4), m2), 4)), bias);
        const q4 = i8x16.sub(v128.or(i8x16.shr_u(b, 4), i8x16.shl(i8x16.shr_u(h, 6), 4)), bias);
        const s1 = f32x4.splat(d * <f32>load<i8>(sc + is));
        const s2 = f32x4.splat(d * <f32>load<i8>(sc + is + 2));
        const s3 = f32x4.splat(d * <f32>load<i8>(sc + is + 4));
        const s4 = f32x4.splat(d * <f32>load<i8>(sc + is + 6));
        const o = yo + (half << 2);
        expand16(q1, s1, s1, SCALE_ONLY, o);
        expand16(q2, s2, s2, SCALE_ONLY, o + 128);
        expand16(q3, s3, s3, SCALE_ONLY, o + 256);
        expand16(q4, s4, s4, SCALE_ONLY, o + 384);
      }
      yo += 512;
      ql += 64;
      qh += 32;
      sc += 8;
    }
  }
}
