// Q8_0 and Q8_1: 32 int8 levels per block with an f16 scale (Q8_1 adds s = d·Σq), as
// ggml's `quantize_row_q8_0_ref` / `quantize_row_q8_1_ref`. Neither takes importance weights.

import { f16ToF32, storeF16 } from '../common/f16';
import { nanBitsOfScaledF16, roundHalfAway, truncToInt8 } from '../common/numeric';
import { SCALE_ONLY, expand16 } from '../common/expand';

/** Quantizes `n` values (whole blocks) at `x` into Q8_0 (`withSum` false, 34-byte blocks) or Q8_1 (36-byte blocks). */
export function quantizeQ8(x: usize, y: usize, n: i32, withSum: bool): void {
  const blockBytes: usize = withSum ? 36 : 34;
  const qs: usize = withSum ? 4 : 2;
  const nb = n >> 5;
  for (let i = 0; i < nb; i++) {
    const xo = x + (<usize>i << 7);
    const bo = y + <usize>i * blockBytes;
    let amax: f32 = 0;
    for (let j = 0; j < 32; j++) {
      const a = abs<f32>(load<f32>(xo + (<usize>j << 2)));
      // ggml's MAX(a, b) is a > b ? a : b (not f32.max: they differ on NaN).
      amax = amax > a ? amax : a;
    }
    const d: f32 = amax / 127;
    const id: f32 = d != 0 ? <f32>1 / d : 0;
    storeF16(bo, d);
    let sum = 0;
    for (let j = 0; j < 32; j++) {
      const q = truncToInt8(roundHalfAway(load<f32>(xo + (<usize>j << 2)) * id));
      store<i8>(bo + qs + j, <i8>q);
      sum += q;
    }
    if (withSum) storeF16(bo + 2, <f32>sum * d);
  }
}

/** Dequantizes `nblocks` Q8_0 or Q8_1 blocks: q·d, with x86's NaN bit patterns. */
export function dequantizeQ8(src: usize, dst: usize, nblocks: i32, withSum: bool): void {
  const blockBytes: usize = withSum ? 36 : 34;
  const qs: usize = withSum ? 4 : 2;
  for (let i = 0; i < nblocks; i++) {
    const bo = src + <usize>i * blockBytes;
    const yo = dst + (<usize>i << 7);
    const h = <u32>load<u16>(bo);
    const d = f16ToF32(h);
    if ((h & 0x7c00) != 0x7c00) {
      const ds = f32x4.splat(d);
      expand16(v128.load(bo + qs), ds, ds, SCALE_ONLY, yo);
      expand16(v128.load(bo + qs + 16), ds, ds, SCALE_ONLY, yo + 64);
      continue;
    }
    for (let j = 0; j < 32; j++) {
      const v = <f32>load<i8>(bo + qs + j) * d;
      if (v != v) store<u32>(yo + (<usize>j << 2), nanBitsOfScaledF16(h));
      else store<f32>(yo + (<usize>j << 2), v);
    }
  }
}
