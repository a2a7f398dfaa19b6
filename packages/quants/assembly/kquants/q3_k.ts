// Q3_K (110-byte super-blocks of 256 values): hmask[32] at 0, qs[64] at 32, scales[12] at
// 96, f16 d at 108. `quantize_q3_K` and `dequantize_row_q3_K`.

import { loadF16, storeF16 } from '../common/f16';
import { MINUS_OFFSET, SCALE_ONLY, expand16 } from '../common/expand';
import { nearestInt } from '../common/numeric';
import { makeQxQuants } from '../common/search';
import { SCALE8, WT, XT, gather8, searchSym8 } from '../common/lanes';
import { makeQ3Quants } from './search-k';
import { getScaleQ3K, putScaleQ3K } from './scales';

const L: usize = memory.data(256);
const SCALES: usize = memory.data(16 * 4, 16);
const SW: usize = memory.data(16 * 4, 16);
const LS: usize = memory.data(16);

/** Final pass of both quantizers: 3-bit levels from the stored scales, then bit packing. */
function requantizeAndPack(x: usize, bo: usize): void {
  const d0 = loadF16(bo + 108);
  for (let j = 0; j < 16; j++) {
    const d: f32 = d0 * <f32>(getScaleQ3K(j, bo + 96) - 32);
    if (d == 0) continue;
    for (let ii = 0; ii < 16; ii++) {
      const l = nearestInt(load<f32>(x + (<usize>(16 * j + ii) << 2)) / d);
      store<i8>(L + 16 * j + ii, <i8>((l < -4 ? -4 : l > 3 ? 3 : l) + 4));
    }
  }
  // High bit of value j goes to bit j/32 of hmask[j % 32].
  memory.fill(bo, 0, 32);
  for (let j = 0; j < 256; j++) {
    const l = <i32>load<i8>(L + j);
    if (l > 3) {
      store<u8>(bo + (j & 31), <u8>(<i32>load<u8>(bo + (j & 31)) | (1 << (j >> 5))));
      store<i8>(L + j, <i8>(l - 4));
    }
  }
  for (let j = 0; j < 256; j += 128) {
    for (let l = 0; l < 32; l++) {
      const a = <i32>load<i8>(L + j + l);
      const b = <i32>load<i8>(L + j + l + 32);
      const c = <i32>load<i8>(L + j + l + 64);
      const e = <i32>load<i8>(L + j + l + 96);
      store<u8>(bo + 32 + (j >> 2) + l, <u8>(a | (b << 2) | (c << 4) | (e << 6)));
    }
  }
}

function blockRef(x: usize, bo: usize): void {
  let maxScale: f32 = 0;
  let amax: f32 = 0;
  for (let j = 0; j < 16; j++) {
    const s = makeQ3Quants(16, 4, x + (<usize>(16 * j) << 2), L + 16 * j, true);
    store<f32>(SCALES + (<usize>j << 2), s);
    const a = abs<f32>(s);
    if (a > amax) {
      amax = a;
      maxScale = s;
    }
  }
  memory.fill(bo + 96, 0, 12);
  if (maxScale != 0) {
    const iscale: f32 = <f32>-32 / maxScale;
    for (let j = 0; j < 16; j++) {
      // ggml holds the rounded scale in an int8_t before clamping.
      let l = <i32>(<i8>nearestInt(iscale * load<f32>(SCALES + (<usize>j << 2))));
      l = (l < -32 ? -32 : l > 31 ? 31 : l) + 32;
      putScaleQ3K(j, l, bo + 96);
    }
    storeF16(bo + 108, <f32>1 / iscale);
  } else {
    storeF16(bo + 108, 0);
  }
  requantizeAndPack(x, bo);
}

function blockWeighted(x: usize, qw: usize, bo: usize): void {
  let sumx2: f32 = 0;
  for (let j = 0; j < 256; j++) {
    const v = load<f32>(x + (<usize>j << 2));
    sumx2 += v * v;
  }
  const sigma2 = f32x4.splat((<f32>2 * sumx2) / 256);
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
    searchSym8(16, 4, true, L + (<usize>h << 7), 16);
    memory.copy(SCALES + (<usize>h << 5), SCALE8, 32);
  }
  memory.fill(bo + 96, 0, 12);
  const dBlock = makeQxQuants(16, 32, SCALES, LS, 1, SW);
  for (let j = 0; j < 16; j++) putScaleQ3K(j, <i32>load<i8>(LS + j), bo + 96);
  storeF16(bo + 108, dBlock);
  requantizeAndPack(x, bo);
}

/** Quantizes `nrows` rows of `ncols` values to Q3_K; `qw` the imatrix or 0. */
export function quantizeQ3K(x: usize, y: usize, nrows: i32, ncols: i32, qw: usize): void {
  const nb = ncols >> 8;
  for (let r = 0; r < nrows; r++) {
    for (let i = 0; i < nb; i++) {
      const xo = x + ((<usize>r * <usize>ncols + (<usize>i << 8)) << 2);
      const bo = y + (<usize>r * <usize>nb + <usize>i) * 110;
      if (qw) blockWeighted(xo, qw + (<usize>i << 10), bo);
      else blockRef(xo, bo);
    }
  }
}

/** Dequantizes `nblocks` Q3_K super-blocks: d·(sc − 32)·q. */
export function dequantizeQ3K(src: usize, dst: usize, nblocks: i32): void {
  let yo = dst;
  for (let i = 0; i < nblocks; i++) {
    const bo = src + <usize>i * 110;
    const dAll = loadF16(bo + 108);
    let q = bo + 32;
    let is = 0;
    let m = 1;
    for (let n = 0; n < 256; n += 128) {
      for (let shift = 0; shift < 8; shift += 2) {
        for (let half = 0; half < 32; half += 16) {
          const dl: f32 = dAll * <f32>(getScaleQ3K(is++, bo + 96) - 32);
          const low = v128.and(i8x16.shr_u(v128.load(q + half), <u32>shift), i8x16.splat(3));
          const noHigh = i8x16.eq(v128.and(v128.load(bo + half), i8x16.splat(<i8>m)), i8x16.splat(0));
          const ds = f32x4.splat(dl);
          expand16(i8x16.sub(low, v128.and(noHigh, i8x16.splat(4))), ds, ds, SCALE_ONLY, yo);
          yo += 64;
        }
        m <<= 1;
      }
      q += 32;
    }
  }
}
