// Scale searches used only by the K-quant formats (`make_q3_quants`, `make_qp_quants`),
// one value at a time, in ggml's order of f32 operations. (`make_qkx2_quants` runs eight
// sub-blocks at a time: `searchAsym8` in common/lanes.ts.)

import { GROUP_MAX_EPS, nearestInt } from '../common/numeric';

// @ts-ignore: decorator
@inline
function clampSym(l: i32, nmax: i32): i32 {
  return l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l;
}

/**
 * `make_q3_quants`: symmetric levels -nmax..nmax-1 for `x[0..n)`, then (with `doRmse`)
 * up to five passes of coordinate descent on the x²-weighted error. Writes biased levels
 * (0..2·nmax-1) to `L`; returns the scale.
 */
export function makeQ3Quants(n: i32, nmax: i32, x: usize, L: usize, doRmse: bool): f32 {
  let max: f32 = 0;
  let amax: f32 = 0;
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    const ax = abs<f32>(v);
    if (ax > amax) {
      amax = ax;
      max = v;
    }
  }
  if (amax < GROUP_MAX_EPS) {
    memory.fill(L, 0, n);
    return 0;
  }
  const iscale: f32 = <f32>(-nmax) / max;
  if (doRmse) {
    let sumlx: f32 = 0;
    let suml2: f32 = 0;
    for (let i = 0; i < n; i++) {
      const xi = load<f32>(x + (<usize>i << 2));
      const l = clampSym(nearestInt(iscale * xi), nmax);
      store<i8>(L + i, <i8>l);
      const w = xi * xi;
      sumlx += (w * xi) * <f32>l;
      suml2 += (w * <f32>l) * <f32>l;
    }
    for (let itry = 0; itry < 5; itry++) {
      let nChanged = 0;
      for (let i = 0; i < n; i++) {
        const xi = load<f32>(x + (<usize>i << 2));
        const w = xi * xi;
        const li = <i32>load<i8>(L + i);
        let slx: f32 = sumlx - (w * xi) * <f32>li;
        if (slx > 0) {
          let sl2: f32 = suml2 - (w * <f32>li) * <f32>li;
          const newL = clampSym(nearestInt((xi * sl2) / slx), nmax);
          if (newL != li) {
            slx = slx + (w * xi) * <f32>newL;
            sl2 = sl2 + (w * <f32>newL) * <f32>newL;
            if (sl2 > 0 && (slx * slx) * suml2 > (sumlx * sumlx) * sl2) {
              store<i8>(L + i, <i8>newL);
              sumlx = slx;
              suml2 = sl2;
              nChanged++;
            }
          }
        }
      }
      if (nChanged == 0) break;
    }
    for (let i = 0; i < n; i++) store<i8>(L + i, <i8>(<i32>load<i8>(L + i) + nmax));
    return suml2 > 0 ? sumlx / suml2 : 0;
  }
  for (let i = 0; i < n; i++) {
    const l = clampSym(nearestInt(iscale * load<f32>(x + (<usize>i << 2))), nmax);
    store<i8>(L + i, <i8>(l + nmax));
  }
  return <f32>1 / iscale;
}

/**
 * `make_qp_quants`: levels 0..nmax for the `n` non-negative values at `x` (sub-block
 * scales or mins) under `qw`: nine candidate scales, then up to five coordinate-descent
 * passes. Levels are stored as bytes (ggml's uint8_t wraps the same way); returns the scale.
 */
export function makeQpQuants(n: i32, nmax: i32, x: usize, L: usize, qw: usize): f32 {
  let max: f32 = 0;
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    max = max > v ? max : v;
  }
  if (max < GROUP_MAX_EPS) {
    memory.fill(L, 0, n);
    return 0;
  }
  let iscale: f32 = <f32>nmax / max;
  for (let i = 0; i < n; i++) store<u8>(L + i, <u8>nearestInt(iscale * load<f32>(x + (<usize>i << 2))));
  const scale: f32 = <f32>1 / iscale;
  let bestMse: f32 = 0;
  for (let i = 0; i < n; i++) {
    const diff: f32 = load<f32>(x + (<usize>i << 2)) - scale * <f32>load<u8>(L + i);
    bestMse += (load<f32>(qw + (<usize>i << 2)) * diff) * diff;
  }
  const tenth: f32 = 0.1;
  for (let is = -4; is <= 4; is++) {
    if (is == 0) continue;
    const iscaleIs: f32 = (tenth * <f32>is + <f32>nmax) / max;
    const scaleIs: f32 = <f32>1 / iscaleIs;
    let mse: f32 = 0;
    for (let i = 0; i < n; i++) {
      const xi = load<f32>(x + (<usize>i << 2));
      let l = nearestInt(iscaleIs * xi);
      if (l > nmax) l = nmax;
      const diff: f32 = xi - scaleIs * <f32>l;
      mse += (load<f32>(qw + (<usize>i << 2)) * diff) * diff;
    }
    if (mse < bestMse) {
      bestMse = mse;
      iscale = iscaleIs;
    }
  }
  let sumlx: f32 = 0;
  let suml2: f32 = 0;
  for (let i = 0; i < n; i++) {
    const xi = load<f32>(x + (<usize>i << 2));
    let l = nearestInt(iscale * xi);
    if (l > nmax) l = nmax;
    store<u8>(L + i, <u8>l);
    // The sums use the int level, not the byte it was stored as (they differ only when l < 0).
    const w = load<f32>(qw + (<usize>i << 2));
    sumlx += (w * xi) * <f32>l;
    suml2 += (w * <f32>l) * <f32>l;
  }
  for (let itry = 0; itry < 5; itry++) {
    let nChanged = 0;
    for (let i = 0; i < n; i++) {
      const w = load<f32>(qw + (<usize>i << 2));
      const xi = load<f32>(x + (<usize>i << 2));
      const li = <i32>load<u8>(L + i);
      let slx: f32 = sumlx - (w * xi) * <f32>li;
      let sl2: f32 = suml2 - (w * <f32>li) * <f32>li;
      if (slx > 0 && sl2 > 0) {
        let newL = nearestInt((xi * sl2) / slx);
        if (newL > nmax) newL = nmax;
        if (newL != li) {
          slx = slx + (w * xi) * <f32>newL;
          sl2 = sl2 + (w * <f32>newL) * <f32>newL;
          if ((slx * slx) * suml2 > (sumlx * sumlx) * sl2) {
            store<u8>(L + i, <u8>newL);
            sumlx = slx;
            suml2 = sl2;
            nChanged++;
          }
        }
      }
    }
    if (nChanged == 0) break;
  }
  return suml2 > 0 ? sumlx / suml2 : 0;
}
