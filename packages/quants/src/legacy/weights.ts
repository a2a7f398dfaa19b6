/**
 * The per-value weights of ggml's importance-weighted legacy quantizers
 * (`quantize_row_q4_0_impl` and its Q4_1/Q5_0/Q5_1 siblings): the imatrix weight of a
 * column times sqrt(sigma² + x²), where sigma² is the row's mean square. All in f32.
 */
import { QK } from './block-codec.js';

const fr = Math.fround;

/** Mean of x² over the row `x[xo..xo+n)`, accumulated in f32 in index order. */
export function rowSigma2(x: Float32Array, xo: number, n: number): number {
  let sumX2 = 0;
  for (let j = 0; j < n; j++) {
    const v = x[xo + j];
    sumX2 = fr(sumX2 + fr(v * v));
  }
  return fr(sumX2 / n);
}

/** Fills `weight[0..32)` for the block at `x[xo..]` from the imatrix weights at `qw[qo..]`. */
export function blockWeights(weight: Float32Array, qw: Float32Array, qo: number, x: Float32Array, xo: number, sigma2: number): void {
  for (let j = 0; j < QK; j++) {
    const v = x[xo + j];
    weight[j] = fr(qw[qo + j] * fr(Math.sqrt(fr(sigma2 + fr(v * v)))));
  }
}
