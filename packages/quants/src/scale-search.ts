/**
 * Numeric helpers shared by ggml's block quantizers (`nearest_int`, `make_qx_quants`,
 * `make_qkx3_quants` in ggml-quants.c), in ggml's binary32 arithmetic: every float
 * operation is rounded with `Math.fround` in the order ggml evaluates it, so results match
 * ggml bit for bit. Groups are addressed by offset into the row so that no views are
 * allocated per block.
 */

const fr = Math.fround;
const nearestBuf = new Float32Array(1);
const nearestBits = new Int32Array(nearestBuf.buffer);

/** ggml's `GROUP_MAX_EPS` (1e-15f): a group whose largest magnitude is below this counts as all zero. */
export const GROUP_MAX_EPS = fr(1e-15);

/**
 * Rounds to the nearest integer, ties to even, as ggml's `nearest_int`: adds 1.5·2^23 in
 * f32 and reads the low mantissa bits. Exact for |fval| ≤ 4194303; beyond that (and for
 * inf/NaN) it returns the same garbage ggml's release builds compute, which matters for
 * inputs whose scales overflow.
 */
export function nearestInt(fval: number): number {
  nearestBuf[0] = fval + 12582912;
  return (nearestBits[0] & 0x007fffff) - 0x00400000;
}

function weightOf(rmseType: number, xi: number): number {
  switch (rmseType) {
    case 1:
      return fr(xi * xi);
    case 2:
      return 1;
    case 3:
      return Math.abs(xi);
    default:
      return fr(Math.sqrt(Math.abs(xi)));
  }
}

/**
 * Symmetric quantization of `n` values `x[xOff..]` to levels -nmax..nmax-1 around the
 * largest-magnitude value, as ggml's `make_qx_quants`. Writes biased levels
 * (0..2·nmax-1) to `L[lOff..]` and returns the scale.
 * - `rmseType` 0: plain rounding, scale = max/-nmax.
 * - 1..4: weighted least-squares scale, then a search over 18 nearby grids; the weights are
 *   `qw[qwOff..]` when given, else x² (1), 1 (2), |x| (3) or sqrt|x| (4).
 * - negative: one least-squares step without the search (ggml's `return_early`).
 */
export function makeQxQuants(
  n: number,
  nmax: number,
  x: Float32Array,
  xOff: number,
  L: Int8Array | Uint8Array,
  lOff: number,
  rmseType: number,
  qw: Float32Array | null,
  qwOff = 0,
): number {
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
  let iscale = fr(-nmax / max);
  if (rmseType === 0) {
    for (let i = 0; i < n; i++) {
      const l = nearestInt(fr(iscale * x[xOff + i]));
      L[lOff + i] = nmax + (l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l);
    }
    return fr(1 / iscale);
  }
  let returnEarly = false;
  if (rmseType < 0) {
    rmseType = -rmseType;
    returnEarly = true;
  }
  let sumlx = 0;
  let suml2 = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[xOff + i];
    let l = nearestInt(fr(iscale * xi));
    l = l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l;
    L[lOff + i] = l + nmax;
    const w = qw ? qw[qwOff + i] : weightOf(rmseType, xi);
    sumlx = fr(sumlx + fr(fr(w * xi) * l));
    suml2 = fr(suml2 + fr(fr(w * l) * l));
  }
  let scale = suml2 !== 0 ? fr(sumlx / suml2) : 0;
  if (returnEarly) return suml2 > 0 ? fr(0.5 * fr(scale + fr(1 / iscale))) : fr(1 / iscale);
  let best = fr(scale * sumlx);
  const tenth = fr(0.1);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    iscale = fr(-fr(nmax + fr(tenth * is)) / max);
    sumlx = 0;
    suml2 = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[xOff + i];
      let l = nearestInt(fr(iscale * xi));
      l = l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l;
      const w = qw ? qw[qwOff + i] : weightOf(rmseType, xi);
      sumlx = fr(sumlx + fr(fr(w * xi) * l));
      suml2 = fr(suml2 + fr(fr(w * l) * l));
    }
    if (suml2 > 0 && fr(sumlx * sumlx) > fr(best * suml2)) {
      for (let i = 0; i < n; i++) {
        const l = nearestInt(fr(iscale * x[xOff + i]));
        L[lOff + i] = nmax + (l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l);
      }
      scale = fr(sumlx / suml2);
      best = fr(scale * sumlx);
    }
  }
  return scale;
}

/**
 * Asymmetric (scale + min) quantization of `n` values `x[xOff..]` to levels 0..nmax, as
 * ggml's `make_qkx3_quants`: starts from the min/max grid, then tries `nstep + 1` grids
 * (rmin + rdelta·is + nmax steps over the range), fitting scale and min by weighted least
 * squares and keeping the smallest weighted error (absolute when `useMad`, squared
 * otherwise). Weights are `weights[0..n)`, or x² when null. Writes levels to `L[lOff..]`,
 * the (positive) min to `mins[minIndex]`, and returns the scale. `Laux` is scratch of at
 * least `n` bytes.
 */
export function makeQkx3Quants(
  n: number,
  nmax: number,
  x: Float32Array,
  xOff: number,
  weights: Float32Array | null,
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
  const x0 = x[xOff];
  let min = x0;
  let max = x0;
  let sumW = weights ? weights[0] : fr(x0 * x0);
  let sumX = fr(sumW * x0);
  for (let i = 1; i < n; i++) {
    const xi = x[xOff + i];
    if (xi < min) min = xi;
    if (xi > max) max = xi;
    const w = weights ? weights[i] : fr(xi * xi);
    sumW = fr(sumW + w);
    sumX = fr(sumX + fr(w * xi));
  }
  if (min > 0) min = 0;
  if (max <= min) {
    L.fill(0, lOff, lOff + n);
    mins[minIndex] = -min;
    return 0;
  }
  let iscale = fr(nmax / fr(max - min));
  let scale = fr(1 / iscale);
  let bestMad = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[xOff + i];
    const l = nearestInt(fr(iscale * fr(xi - min)));
    const q = l < 0 ? 0 : l > nmax ? nmax : l;
    L[lOff + i] = q;
    let diff = fr(fr(fr(scale * q) + min) - xi);
    diff = useMad ? Math.abs(diff) : fr(diff * diff);
    const w = weights ? weights[i] : fr(xi * xi);
    bestMad = fr(bestMad + fr(w * diff));
  }
  if (nstep < 1) {
    mins[minIndex] = -min;
    return scale;
  }
  for (let is = 0; is <= nstep; is++) {
    // min follows the best candidate so far, and ggml reads the updated value here.
    iscale = fr(fr(fr(rmin + fr(rdelta * is)) + nmax) / fr(max - min));
    let sumL = 0;
    let sumL2 = 0;
    let sumXL = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[xOff + i];
      const l0 = nearestInt(fr(iscale * fr(xi - min)));
      const l = l0 < 0 ? 0 : l0 > nmax ? nmax : l0;
      Laux[i] = l;
      const w = weights ? weights[i] : fr(xi * xi);
      const wl = fr(w * l);
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
      let mad = 0;
      for (let i = 0; i < n; i++) {
        const xi = x[xOff + i];
        let diff = fr(fr(fr(thisScale * Laux[i]) + thisMin) - xi);
        diff = useMad ? Math.abs(diff) : fr(diff * diff);
        const w = weights ? weights[i] : fr(xi * xi);
        mad = fr(mad + fr(w * diff));
      }
      if (mad < bestMad) {
        for (let i = 0; i < n; i++) L[lOff + i] = Laux[i];
        bestMad = mad;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  mins[minIndex] = -min;
  return scale;
}
