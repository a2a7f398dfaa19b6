/**
 * Scale searches used only by the K-quant formats, in ggml's binary32 arithmetic:
 * every float operation is rounded with `Math.fround`, in the order ggml evaluates it,
 * so results match ggml bit for bit. Sub-blocks are addressed by offset into the row so
 * that no views are allocated per block.
 */
import { GROUP_MAX_EPS, nearestInt } from '../scale-search.js';

const fr = Math.fround;

/**
 * Asymmetric (scale + min) search over `n` values `x[xOff..]` with per-value `weights[0..n)`,
 * as ggml's `make_qkx2_quants`: starts from the min/max grid and tries `nstep + 1` widened
 * grids, keeping the one with the smallest weighted error (absolute error when `useMad`,
 * squared otherwise). Writes levels 0..nmax to `L[lOff..]`, the (positive) min to
 * `mins[minIndex]`, and returns the scale. `Laux` is scratch of at least `n` bytes.
 */
export function makeQkx2Quants(
  n: number,
  nmax: number,
  x: Float32Array,
  xOff: number,
  weights: Float32Array,
  L: Uint8Array,
  lOff: number,
  mins: Float32Array,
  minIndex: number,
  Laux: Uint8Array,
  rmin: number,
  rdelta: number,
  nstep: number,
  useMad: boolean,
): number {
  rmin = fr(rmin);
  rdelta = fr(rdelta);
  let min = x[xOff];
  let max = x[xOff];
  const sumW0 = weights[0];
  let sumW = sumW0;
  let sumX = fr(sumW0 * x[xOff]);
  for (let i = 1; i < n; i++) {
    const xi = x[xOff + i];
    if (xi < min) min = xi;
    if (xi > max) max = xi;
    const w = weights[i];
    sumW = fr(sumW + w);
    sumX = fr(sumX + fr(w * xi));
  }
  if (min > 0) min = 0;
  if (max === min) {
    L.fill(0, lOff, lOff + n);
    mins[minIndex] = -min;
    return 0;
  }
  let iscale = fr(nmax / fr(max - min));
  let scale = fr(1 / iscale);
  let bestError = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[xOff + i];
    const l = nearestInt(fr(iscale * fr(xi - min)));
    const q = l < 0 ? 0 : l > nmax ? nmax : l;
    L[lOff + i] = q;
    let diff = fr(fr(fr(scale * q) + min) - xi);
    diff = useMad ? Math.abs(diff) : fr(diff * diff);
    bestError = fr(bestError + fr(weights[i] * diff));
  }
  if (nstep < 1) {
    mins[minIndex] = -min;
    return scale;
  }
  for (let is = 0; is <= nstep; is++) {
    // min moves to the best candidate's min as the search goes, and ggml reads it back here.
    iscale = fr(fr(fr(rmin + fr(rdelta * is)) + nmax) / fr(max - min));
    let sumL = 0;
    let sumL2 = 0;
    let sumXL = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[xOff + i];
      const l0 = nearestInt(fr(iscale * fr(xi - min)));
      const l = l0 < 0 ? 0 : l0 > nmax ? nmax : l0;
      Laux[i] = l;
      const wl = fr(weights[i] * l);
      sumL = fr(sumL + wl);
      sumL2 = fr(sumL2 + fr(wl * l));
      sumXL = fr(sumXL + fr(wl * xi));
    }
    const D = fr(fr(sumW * sumL2) - fr(sumL * sumL));
    if (D > 0) {
      let thisScale = fr(fr(fr(sumW * sumXL) - fr(sumX * sumL)) / D);
      let thisMin = fr(fr(fr(sumL2 * sumX) - fr(sumL * sumXL)) / D);
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = fr(sumXL / sumL2);
      }
      let curError = 0;
      for (let i = 0; i < n; i++) {
        let diff = fr(fr(fr(thisScale * Laux[i]) + thisMin) - x[xOff + i]);
        diff = useMad ? Math.abs(diff) : fr(diff * diff);
        curError = fr(curError + fr(weights[i] * diff));
      }
      if (curError < bestError) {
        for (let i = 0; i < n; i++) L[lOff + i] = Laux[i];
        bestError = curError;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  mins[minIndex] = -min;
  return scale;
}

/**
 * Symmetric 3-bit-style search over `n` values `x[xOff..]`, as ggml's `make_q3_quants`:
 * levels -nmax..nmax-1 around the largest-magnitude value, then (with `doRmse`) up to five
 * passes of coordinate descent on the x²-weighted error. Writes biased levels
 * (0..2*nmax-1) to `L[lOff..]` and returns the scale.
 */
export function makeQ3Quants(n: number, nmax: number, x: Float32Array, xOff: number, L: Int8Array, lOff: number, doRmse: boolean): number {
  let max = 0;
  let amax = 0;
  for (let i = 0; i < n; i++) {
    const ax = Math.abs(x[xOff + i]);
    if (ax > amax) {
      amax = ax;
      max = x[xOff + i];
    }
  }
  if (amax < GROUP_MAX_EPS) {
    L.fill(0, lOff, lOff + n);
    return 0;
  }
  const iscale = fr(-nmax / max);
  if (doRmse) {
    let sumlx = 0;
    let suml2 = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[xOff + i];
      let l = nearestInt(fr(iscale * xi));
      l = l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l;
      L[lOff + i] = l;
      const w = fr(xi * xi);
      sumlx = fr(sumlx + fr(fr(w * xi) * l));
      suml2 = fr(suml2 + fr(fr(w * l) * l));
    }
    for (let itry = 0; itry < 5; itry++) {
      let nChanged = 0;
      for (let i = 0; i < n; i++) {
        const xi = x[xOff + i];
        const w = fr(xi * xi);
        const li = L[lOff + i];
        let slx = fr(sumlx - fr(fr(w * xi) * li));
        if (slx > 0) {
          let sl2 = fr(suml2 - fr(fr(w * li) * li));
          let newL = nearestInt(fr(fr(xi * sl2) / slx));
          newL = newL < -nmax ? -nmax : newL > nmax - 1 ? nmax - 1 : newL;
          if (newL !== li) {
            slx = fr(slx + fr(fr(w * xi) * newL));
            sl2 = fr(sl2 + fr(fr(w * newL) * newL));
            if (sl2 > 0 && fr(fr(slx * slx) * suml2) > fr(fr(sumlx * sumlx) * sl2)) {
              L[lOff + i] = newL;
              sumlx = slx;
              suml2 = sl2;
              nChanged++;
            }
          }
        }
      }
      if (nChanged === 0) break;
    }
    for (let i = 0; i < n; i++) L[lOff + i] += nmax;
    return suml2 > 0 ? fr(sumlx / suml2) : 0;
  }
  for (let i = 0; i < n; i++) {
    let l = nearestInt(fr(iscale * x[xOff + i]));
    l = l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l;
    L[lOff + i] = l + nmax;
  }
  return fr(1 / iscale);
}

/**
 * Quantizes `n` non-negative values `x[0..n)` (sub-block scales or mins) to levels
 * 0..nmax under the weights `quantWeights`, as ggml's `make_qp_quants`: a grid search over
 * nine candidate scales, then up to five passes of coordinate descent. Levels go to `L`
 * as bytes (ggml's `uint8_t`, so out-of-range values wrap exactly as they do there); the
 * scale is returned.
 */
export function makeQpQuants(n: number, nmax: number, x: Float32Array, L: Uint8Array, quantWeights: Float32Array): number {
  let max = 0;
  // ggml's MAX macro (a > b ? a : b), not Math.max: the two differ on NaN.
  for (let i = 0; i < n; i++) max = max > x[i] ? max : x[i];
  if (max < GROUP_MAX_EPS) {
    L.fill(0, 0, n);
    return 0;
  }
  let iscale = fr(nmax / max);
  for (let i = 0; i < n; i++) L[i] = nearestInt(fr(iscale * x[i]));
  const scale = fr(1 / iscale);
  let bestMse = 0;
  for (let i = 0; i < n; i++) {
    const diff = fr(x[i] - fr(scale * L[i]));
    bestMse = fr(bestMse + fr(fr(quantWeights[i] * diff) * diff));
  }
  const tenth = fr(0.1);
  for (let is = -4; is <= 4; is++) {
    if (is === 0) continue;
    const iscaleIs = fr(fr(fr(tenth * is) + nmax) / max);
    const scaleIs = fr(1 / iscaleIs);
    let mse = 0;
    for (let i = 0; i < n; i++) {
      let l = nearestInt(fr(iscaleIs * x[i]));
      if (l > nmax) l = nmax;
      const diff = fr(x[i] - fr(scaleIs * l));
      mse = fr(mse + fr(fr(quantWeights[i] * diff) * diff));
    }
    if (mse < bestMse) {
      bestMse = mse;
      iscale = iscaleIs;
    }
  }
  let sumlx = 0;
  let suml2 = 0;
  for (let i = 0; i < n; i++) {
    let l = nearestInt(fr(iscale * x[i]));
    if (l > nmax) l = nmax;
    L[i] = l;
    // The sums use the int level, not the byte it was stored as (they differ only when l < 0).
    const w = quantWeights[i];
    sumlx = fr(sumlx + fr(fr(w * x[i]) * l));
    suml2 = fr(suml2 + fr(fr(w * l) * l));
  }
  for (let itry = 0; itry < 5; itry++) {
    let nChanged = 0;
    for (let i = 0; i < n; i++) {
      const w = quantWeights[i];
      const xi = x[i];
      const li = L[i];
      let slx = fr(sumlx - fr(fr(w * xi) * li));
      let sl2 = fr(suml2 - fr(fr(w * li) * li));
      if (slx > 0 && sl2 > 0) {
        let newL = nearestInt(fr(fr(xi * sl2) / slx));
        if (newL > nmax) newL = nmax;
        if (newL !== li) {
          slx = fr(slx + fr(fr(w * xi) * newL));
          sl2 = fr(sl2 + fr(fr(w * newL) * newL));
          if (fr(fr(slx * slx) * suml2) > fr(fr(sumlx * sumlx) * sl2)) {
            L[i] = newL;
            sumlx = slx;
            suml2 = sl2;
            nChanged++;
          }
        }
      }
    }
    if (nChanged === 0) break;
  }
  return suml2 > 0 ? fr(sumlx / suml2) : 0;
}
