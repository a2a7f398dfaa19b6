// Q8_K (292-byte blocks of 256 values, the K-quant activation format): f32 d at 0, int8
// qs[256] at 4, int16 bsums[16] at 260. `quantize_row_q8_K_ref` and its dequantization.

import { nearestInt } from '../common/numeric';
import { SCALE_ONLY, expand16 } from '../common/expand';

/** Quantizes `n` values (whole blocks) at `x` into Q8_K. */
export function quantizeQ8K(x: usize, y: usize, n: i32): void {
  const nb = n >> 8;
  for (let i = 0; i < nb; i++) {
    const xo = x + (<usize>i << 10);
    const bo = y + <usize>i * 292;
    let max: f32 = 0;
    let amax: f32 = 0;
    for (let j = 0; j < 256; j++) {
      const v = load<f32>(xo + (<usize>j << 2));
      const ax = abs<f32>(v);
      if (ax > amax) {
        amax = ax;
        max = v;
      }
    }
    if (amax == 0) {
      memory.fill(bo, 0, 292);
      continue;
    }
    const iscale: f32 = <f32>-127 / max;
    for (let j = 0; j < 256; j++) {
      const v = nearestInt(iscale * load<f32>(xo + (<usize>j << 2)));
      store<i8>(bo + 4 + j, <i8>(v < 127 ? v : 127));
    }
    for (let j = 0; j < 16; j++) {
      let sum = 0;
      for (let ii = 0; ii < 16; ii++) sum += <i32>load<i8>(bo + 4 + j * 16 + ii);
      store<i16>(bo + 260 + 2 * j, <i16>sum);
    }
    store<f32>(bo, <f32>1 / iscale);
  }
}

/** Dequantizes `nblocks` Q8_K blocks: d·q. */
export function dequantizeQ8K(src: usize, dst: usize, nblocks: i32): void {
  for (let i = 0; i < nblocks; i++) {
    const bo = src + <usize>i * 292;
    const d = load<f32>(bo);
    const yo = dst + (<usize>i << 10);
    const ds = f32x4.splat(d);
    for (let j: usize = 0; j < 256; j += 16) expand16(v128.load(bo + 4 + j), ds, ds, SCALE_ONLY, yo + (j << 2));
  }
}
