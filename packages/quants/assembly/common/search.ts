// The scale searches shared by ggml's block quantizers (`make_qx_quants`,
// `make_qkx3_quants`), one value at a time, in ggml's order of f32 operations.
// Pointers address f32 values (`x`, weights) and byte levels (`L`).

import { GROUP_MAX_EPS, nearestInt } from './numeric';

// @ts-ignore: decorator
@inline
function weightOf(rmseType: i32, xi: f32): f32 {
  if (rmseType == 1) return xi * xi;
  if (rmseType == 2) return 1;
  if (rmseType == 3) return abs<f32>(xi);
  return sqrt<f32>(abs<f32>(xi));
}

// @ts-ignore: decorator
@inline
function clampSym(l: i32, nmax: i32): i32 {
  return l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l;
}

/**
 * `make_qx_quants`: symmetric levels -nmax..nmax-1 around the largest-magnitude value of
 * `x[0..n)`, biased by nmax into `L`. rmseType 0 rounds once; 1..4 fit a weighted
 * least-squares scale and try 18 nearby grids (weights `qw`, or x², 1, |x|, sqrt|x| when
 * `qw` is 0); negative stops after one least-squares step. Returns the scale.
 */
export function makeQxQuants(n: i32, nmax: i32, x: usize, L: usize, rmseType: i32, qw: usize): f32 {
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
  let iscale: f32 = <f32>(-nmax) / max;
  if (rmseType == 0) {
    for (let i = 0; i < n; i++) {
      const l = nearestInt(iscale * load<f32>(x + (<usize>i << 2)));
      store<u8>(L + i, <u8>(nmax + clampSym(l, nmax)));
    }
    return <f32>1 / iscale;
  }
  let returnEarly = false;
  if (rmseType < 0) {
    rmseType = -rmseType;
    returnEarly = true;
  }
  let sumlx: f32 = 0;
  let suml2: f32 = 0;
  for (let i = 0; i < n; i++) {
    const xi = load<f32>(x + (<usize>i << 2));
    const l = clampSym(nearestInt(iscale * xi), nmax);
    store<u8>(L + i, <u8>(l + nmax));
    const w = qw ? load<f32>(qw + (<usize>i << 2)) : weightOf(rmseType, xi);
    const fl = <f32>l;
    sumlx += (w * xi) * fl;
    suml2 += (w * fl) * fl;
  }
  let scale: f32 = suml2 != 0 ? sumlx / suml2 : 0;
  if (returnEarly) return suml2 > 0 ? <f32>0.5 * (scale + <f32>1 / iscale) : <f32>1 / iscale;
  let best: f32 = scale * sumlx;
  const tenth: f32 = 0.1;
  for (let is = -9; is <= 9; is++) {
    if (is == 0) continue;
    iscale = -(<f32>nmax + tenth * <f32>is) / max;
    sumlx = 0;
    suml2 = 0;
    for (let i = 0; i < n; i++) {
      const xi = load<f32>(x + (<usize>i << 2));
      const fl = <f32>clampSym(nearestInt(iscale * xi), nmax);
      const w = qw ? load<f32>(qw + (<usize>i << 2)) : weightOf(rmseType, xi);
      sumlx += (w * xi) * fl;
      suml2 += (w * fl) * fl;
    }
    if (suml2 > 0 && sumlx * sumlx > best * suml2) {
      for (let i = 0; i < n; i++) {
        const l = nearestInt(iscale * load<f32>(x + (<usize>i << 2)));
        store<u8>(L + i, <u8>(nmax + clampSym(l, nmax)));
      }
      scale = sumlx / suml2;
      best = scale * sumlx;
    }
  }
  return scale;
}

/** Scratch levels of the candidate grid in `makeQkx3Quants`. */
const LAUX: usize = memory.data(256);

/**
 * `make_qkx3_quants`: asymmetric (scale + min) levels 0..nmax for `x[0..n)`, starting at
 * the min..max grid and trying nstep + 1 grids with weighted least-squares scale and min,
 * keeping the smallest weighted error (absolute when `useMad`). Weights are `weights`, or
 * x² when 0. Writes levels to `L`, the negated min to `minOut`, and returns the scale.
 */
export function makeQkx3Quants(
  n: i32, nmax: i32, x: usize, weights: usize, L: usize, minOut: usize,
  rmin: f32, rdelta: f32, nstep: i32, useMad: bool,
): f32 {
  const x0 = load<f32>(x);
  let min = x0;
  let max = x0;
  let sumW: f32 = weights ? load<f32>(weights) : x0 * x0;
  let sumX: f32 = sumW * x0;
  for (let i = 1; i < n; i++) {
    const xi = load<f32>(x + (<usize>i << 2));
    if (xi < min) min = xi;
    if (xi > max) max = xi;
    const w: f32 = weights ? load<f32>(weights + (<usize>i << 2)) : xi * xi;
    sumW += w;
    sumX += w * xi;
  }
  if (min > 0) min = 0;
  if (max <= min) {
    memory.fill(L, 0, n);
    store<f32>(minOut, -min);
    return 0;
  }
  let iscale: f32 = <f32>nmax / (max - min);
  let scale: f32 = <f32>1 / iscale;
  let bestMad: f32 = 0;
  for (let i = 0; i < n; i++) {
    const xi = load<f32>(x + (<usize>i << 2));
    const l = nearestInt(iscale * (xi - min));
    const q = l < 0 ? 0 : l > nmax ? nmax : l;
    store<u8>(L + i, <u8>q);
    let diff: f32 = (scale * <f32>q + min) - xi;
    diff = useMad ? abs<f32>(diff) : diff * diff;
    const w: f32 = weights ? load<f32>(weights + (<usize>i << 2)) : xi * xi;
    bestMad += w * diff;
  }
  if (nstep < 1) {
    store<f32>(minOut, -min);
    return scale;
  }
  const Laux = LAUX;
  for (let is = 0; is <= nstep; is++) {
    // min follows the best candidate so far, and ggml reads the updated value here.
    iscale = (rmin + rdelta * <f32>is + <f32>nmax) / (max - min);
    let sumL: f32 = 0;
    let sumL2: f32 = 0;
    let sumXL: f32 = 0;
    for (let i = 0; i < n; i++) {
      const xi = load<f32>(x + (<usize>i << 2));
      const l0 = nearestInt(iscale * (xi - min));
      const l = l0 < 0 ? 0 : l0 > nmax ? nmax : l0;
      store<u8>(Laux + i, <u8>l);
      const w: f32 = weights ? load<f32>(weights + (<usize>i << 2)) : xi * xi;
      const wl = w * <f32>l;
      sumL += wl;
      sumL2 += wl * <f32>l;
      sumXL += wl * xi;
    }
    const D = sumW * sumL2 - sumL * sumL;
    if (D > 0) {
      let thisScale = (sumW * sumXL - sumX * sumL) / D;
      let thisMin = (sumL2 * sumX - sumL * sumXL) / D;
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = sumXL / sumL2;
      }
      let mad: f32 = 0;
      for (let i = 0; i < n; i++) {
        const xi = load<f32>(x + (<usize>i << 2));
        let diff: f32 = (thisScale * <f32>load<u8>(Laux + i) + thisMin) - xi;
        diff = useMad ? abs<f32>(diff) : diff * diff;
        const w: f32 = weights ? load<f32>(weights + (<usize>i << 2)) : xi * xi;
        mad += w * diff;
      }
      if (mad < bestMad) {
        memory.copy(L, Laux, n);
        bestMad = mad;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  store<f32>(minOut, -min);
  return scale;
}
