// Q2_K (84-byte super-blocks of 256 values): scales[16] (scale low nibble, min high) at 0,
// qs[64] at 16, f16 d at 80, f16 dmin at 82. `quantize_q2_K` and `dequantize_row_q2_K`.

import { loadF16, storeF16 } from '../common/f16';
import { MINUS_OFFSET, SCALE_ONLY, expand16 } from '../common/expand';
import { nearestInt } from '../common/numeric';
import { MIN8, SCALE8, WT, XT, gather8, searchAsym8 } from '../common/lanes';
import { makeQpQuants } from './search-k';

const L: usize = memory.data(256);
const MINS: usize = memory.data(16 * 4, 16);
const SCALES: usize = memory.data(16 * 4, 16);
const SW: usize = memory.data(16 * 4, 16);
const LS: usize = memory.data(16);
const LM: usize = memory.data(16);

/** Final pass of both quantizers: 2-bit levels from the stored scales, then packing. */
function requantizeAndPack(x: usize, bo: usize): void {
  const d0 = loadF16(bo + 80);
  const m0 = loadF16(bo + 82);
  for (let j = 0; j < 16; j++) {
    const sc = <i32>load<u8>(bo + j);
    const d: f32 = d0 * <f32>(sc & 0xf);
    if (d == 0) continue;
    const dm: f32 = m0 * <f32>(sc >> 4);
    for (let ii = 0; ii < 16; ii++) {
      const l = nearestInt((load<f32>(x + (<usize>(16 * j + ii) << 2)) + dm) / d);
      store<u8>(L + 16 * j + ii, <u8>(l < 0 ? 0 : l > 3 ? 3 : l));
    }
  }
  for (let j = 0; j < 256; j += 128) {
    for (let l = 0; l < 32; l++) {
      const a = <u32>load<u8>(L + j + l);
      const b = <u32>load<u8>(L + j + l + 32);
      const c = <u32>load<u8>(L + j + l + 64);
      const e = <u32>load<u8>(L + j + l + 96);
      store<u8>(bo + 16 + (j >> 2) + l, <u8>(a | (b << 2) | (c << 4) | (e << 6)));
    }
  }
}

function blockRef(x: usize, bo: usize): void {
  // Sub-blocks 8h..8h+7 are searched together, one per lane.
  for (let h = 0; h < 2; h++) {
    gather8(x + (<usize>h << 9), 64, 16, XT);
    for (let l = 0; l < 32; l++) v128.store(WT + (<usize>l << 4), f32x4.abs(v128.load(XT + (<usize>l << 4))));
    searchAsym8(16, 3, -0.5, 0.1, 15, true, true, L + (<usize>h << 7), 16);
    memory.copy(SCALES + (<usize>h << 5), SCALE8, 32);
    memory.copy(MINS + (<usize>h << 5), MIN8, 32);
  }
  let maxScale: f32 = 0;
  let maxMin: f32 = 0;
  for (let j = 0; j < 16; j++) {
    const s = load<f32>(SCALES + (<usize>j << 2));
    const m = load<f32>(MINS + (<usize>j << 2));
    if (s > maxScale) maxScale = s;
    if (m > maxMin) maxMin = m;
  }
  const q4scale: f32 = 15;
  if (maxScale > 0) {
    const iscale: f32 = q4scale / maxScale;
    for (let j = 0; j < 16; j++) store<u8>(bo + j, <u8>nearestInt(iscale * load<f32>(SCALES + (<usize>j << 2))));
    storeF16(bo + 80, maxScale / q4scale);
  } else {
    memory.fill(bo, 0, 16);
    storeF16(bo + 80, 0);
  }
  if (maxMin > 0) {
    const iscale: f32 = q4scale / maxMin;
    for (let j = 0; j < 16; j++) {
      store<u8>(bo + j, load<u8>(bo + j) | <u8>(nearestInt(iscale * load<f32>(MINS + (<usize>j << 2))) << 4));
    }
    storeF16(bo + 82, maxMin / q4scale);
  } else {
    storeF16(bo + 82, 0);
  }
  requantizeAndPack(x, bo);
}

function blockWeighted(x: usize, qw: usize, bo: usize): void {
  let sumx2: f32 = 0;
  for (let j = 0; j < 256; j++) {
    const v = load<f32>(x + (<usize>j << 2));
    sumx2 += v * v;
  }
  const sigma2 = f32x4.splat(sumx2 / 256);
  // Sub-blocks 8h..8h+7 are searched together, one per lane.
  for (let h = 0; h < 2; h++) {
    gather8(x + (<usize>h << 9), 64, 16, XT);
    gather8(qw + (<usize>h << 9), 64, 16, WT);
    let sumA = f32x4.splat(0);
    let sumB = f32x4.splat(0);
    for (let l = 0; l < 16; l++) {
      const o = <usize>l << 5;
      const va = v128.load(XT + o);
      const vb = v128.load(XT + o + 16);
      const wa = f32x4.mul(v128.load(WT + o), f32x4.sqrt(f32x4.add(sigma2, f32x4.mul(va, va))));
      const wb = f32x4.mul(v128.load(WT + o + 16), f32x4.sqrt(f32x4.add(sigma2, f32x4.mul(vb, vb))));
      v128.store(WT + o, wa);
      v128.store(WT + o + 16, wb);
      sumA = f32x4.add(sumA, wa);
      sumB = f32x4.add(sumB, wb);
    }
    v128.store(SW + (<usize>h << 5), sumA);
    v128.store(SW + (<usize>h << 5) + 16, sumB);
    searchAsym8(16, 3, -0.9, 0.05, 36, false, false, L + (<usize>h << 7), 16);
    memory.copy(SCALES + (<usize>h << 5), SCALE8, 32);
    memory.copy(MINS + (<usize>h << 5), MIN8, 32);
  }
  const dm = makeQpQuants(16, 15, SCALES, LS, SW);
  const mm = makeQpQuants(16, 15, MINS, LM, SW);
  // requantize reads the f16-rounded super-block scales back, as ggml does.
  storeF16(bo + 80, dm);
  storeF16(bo + 82, mm);
  for (let j = 0; j < 16; j++) store<u8>(bo + j, load<u8>(LS + j) | (load<u8>(LM + j) << 4));
  requantizeAndPack(x, bo);
}

/** Quantizes `nrows` rows of `ncols` values to Q2_K; `qw` the imatrix or 0. */
export function quantizeQ2K(x: usize, y: usize, nrows: i32, ncols: i32, qw: usize): void {
  const nb = ncols >> 8;
  for (let r = 0; r < nrows; r++) {
    for (let i = 0; i < nb; i++) {
      const xo = x + ((<usize>r * <usize>ncols + (<usize>i << 8)) << 2);
      const bo = y + (<usize>r * <usize>nb + <usize>i) * 84;
      if (qw) blockWeighted(xo, qw + (<usize>i << 10), bo);
      else blockRef(xo, bo);
    }
  }
}

/** Dequantizes `nblocks` Q2_K super-blocks: d·sc·q − dmin·m. */
export function dequantizeQ2K(src: usize, dst: usize, nblocks: i32): void {
  let yo = dst;
  for (let i = 0; i < nblocks; i++) {
    const bo = src + <usize>i * 84;
    const d = loadF16(bo + 80);
    const min = loadF16(bo + 82);
    let q = bo + 16;
    let is = 0;
    for (let n = 0; n < 256; n += 128) {
      for (let shift = 0; shift < 8; shift += 2) {
        for (let half = 0; half < 32; half += 16) {
          const sc = <i32>load<u8>(bo + is++);
          const dl: f32 = d * <f32>(sc & 0xf);
          const ml: f32 = min * <f32>(sc >> 4);
          const levels = v128.and(i8x16.shr_u(v128.load(q + half), <u32>shift), i8x16.splat(3));
          expand16(levels, f32x4.splat(dl), f32x4.splat(ml), MINUS_OFFSET, yo);
          yo += 64;
        }
      }
      q += 32;
    }
  }
}
