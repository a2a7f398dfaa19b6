/**
 * Q2_K: 2.625 bits per weight. A 256-value super-block holds sixteen 16-value sub-blocks,
 * each with a 4-bit scale and a 4-bit min (scaled by the f16 `d` and `dmin`), and 2-bit
 * quants: x ≈ d·sc·q − dmin·m.
 * Layout: scales[16] (scale low nibble, min high nibble) at 0, qs[64] at 16, d at 80,
 * dmin at 82.
 */
import { GGMLType, requireGGMLType } from '@ggufkit/tensor-layout';
import type { BlockCodec } from '../codec.js';
import { makeQkx3Quants, nearestInt } from '../scale-search.js';
import { readF16, writeF16 } from './bytes.js';
import { Q8K_BSUMS, Q8K_QS } from './q8_k.js';
import { QK_K } from './rows.js';
import { makeQkx2Quants, makeQpQuants } from './scale-search-k.js';
import { defineSuperBlockCodec } from './super-block-codec.js';

const fr = Math.fround;
const TYPE = requireGGMLType(GGMLType.Q2_K);
const Q8K = requireGGMLType(GGMLType.Q8_K);
const BLOCK_BYTES = TYPE.typeSize;
const QS = 16;
const D = 80;
const DMIN = 82;

/** Per-call scratch, so no block allocates. */
class Scratch {
  readonly L = new Uint8Array(QK_K);
  readonly Laux = new Uint8Array(16);
  readonly weights = new Float32Array(16);
  readonly mins = new Float32Array(16);
  readonly scales = new Float32Array(16);
  readonly sw = new Float32Array(16);
  readonly Ls = new Uint8Array(16);
  readonly Lm = new Uint8Array(16);
}

/** Final pass shared by both quantizers: re-derive the 2-bit levels from the stored scales. */
function requantize(x: Float32Array, xo: number, y: Uint8Array, bo: number, L: Uint8Array): void {
  const d0 = readF16(y, bo + D);
  const m0 = readF16(y, bo + DMIN);
  for (let j = 0; j < 16; j++) {
    const sc = y[bo + j];
    const d = fr(d0 * (sc & 0xf));
    if (d === 0) continue;
    const dm = fr(m0 * (sc >> 4));
    for (let ii = 0; ii < 16; ii++) {
      const l = nearestInt(fr(fr(x[xo + 16 * j + ii] + dm) / d));
      L[16 * j + ii] = l < 0 ? 0 : l > 3 ? 3 : l;
    }
  }
}

function packQs(y: Uint8Array, bo: number, L: Uint8Array): void {
  for (let j = 0; j < QK_K; j += 128) {
    for (let l = 0; l < 32; l++) {
      y[bo + QS + j / 4 + l] = L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6);
    }
  }
}

/** One block as ggml's `quantize_row_q2_K_ref`. */
function quantizeBlockRef(x: Float32Array, xo: number, y: Uint8Array, bo: number, s: Scratch): void {
  const { L, Laux, weights, mins, scales } = s;
  let maxScale = 0;
  let maxMin = 0;
  for (let j = 0; j < 16; j++) {
    for (let l = 0; l < 16; l++) weights[l] = Math.abs(x[xo + 16 * j + l]);
    scales[j] = makeQkx2Quants(16, 3, x, xo + 16 * j, weights, L, 16 * j, mins, j, Laux, -0.5, 0.1, 15, true);
    if (scales[j] > maxScale) maxScale = scales[j];
    if (mins[j] > maxMin) maxMin = mins[j];
  }
  const q4scale = 15;
  if (maxScale > 0) {
    const iscale = fr(q4scale / maxScale);
    for (let j = 0; j < 16; j++) y[bo + j] = nearestInt(fr(iscale * scales[j]));
    writeF16(y, bo + D, fr(maxScale / q4scale));
  } else {
    y.fill(0, bo, bo + 16);
    writeF16(y, bo + D, 0);
  }
  if (maxMin > 0) {
    const iscale = fr(q4scale / maxMin);
    for (let j = 0; j < 16; j++) y[bo + j] |= nearestInt(fr(iscale * mins[j])) << 4;
    writeF16(y, bo + DMIN, fr(maxMin / q4scale));
  } else {
    writeF16(y, bo + DMIN, 0);
  }
  requantize(x, xo, y, bo, L);
  packQs(y, bo, L);
}

/** One block as ggml's `quantize_row_q2_K_impl` (importance-weighted); `qw` holds the block's 256 weights at `qo`. */
function quantizeBlockWeighted(x: Float32Array, xo: number, qw: Float32Array, qo: number, y: Uint8Array, bo: number, s: Scratch): void {
  const { L, Laux, weights, mins, scales, sw, Ls, Lm } = s;
  let sumx2 = 0;
  for (let j = 0; j < QK_K; j++) sumx2 = fr(sumx2 + fr(x[xo + j] * x[xo + j]));
  const sigma2 = fr(sumx2 / QK_K);
  for (let j = 0; j < 16; j++) {
    let sum = 0;
    for (let l = 0; l < 16; l++) {
      const xi = x[xo + 16 * j + l];
      weights[l] = fr(qw[qo + 16 * j + l] * fr(Math.sqrt(fr(sigma2 + fr(xi * xi)))));
    }
    for (let l = 0; l < 16; l++) sum = fr(sum + weights[l]);
    sw[j] = sum;
    scales[j] = makeQkx3Quants(16, 3, x, xo + 16 * j, weights, L, 16 * j, mins, j, Laux, -0.9, 0.05, 36, false);
  }
  const dm = makeQpQuants(16, 15, scales, Ls, sw);
  const mm = makeQpQuants(16, 15, mins, Lm, sw);
  // requantize reads the f16-rounded super-block scales back, as ggml does.
  writeF16(y, bo + D, dm);
  writeF16(y, bo + DMIN, mm);
  for (let j = 0; j < 16; j++) y[bo + j] = Ls[j] | (Lm[j] << 4);
  requantize(x, xo, y, bo, L);
  packQs(y, bo, L);
}

/** `dequantize_row_q2_K` for one super-block. */
function dequantizeBlock(src: Uint8Array, bo: number, dst: Float32Array, yo: number): void {
  const d = readF16(src, bo + D);
  const min = readF16(src, bo + DMIN);
  let q = bo + QS;
  let is = 0;
  for (let n = 0; n < QK_K; n += 128) {
    for (let shift = 0; shift < 8; shift += 2) {
      for (let half = 0; half < 32; half += 16) {
        const sc = src[bo + is++];
        const dl = fr(d * (sc & 0xf));
        const ml = fr(min * (sc >> 4));
        for (let l = 0; l < 16; l++) dst[yo++] = fr(fr(dl * ((src[q + half + l] >> shift) & 3)) - ml);
      }
    }
    q += 32;
  }
}

/** `ggml_vec_dot_q2_K_q8_K` (generic CPU path): integer sums per sub-block, f32 per super-block. */
function dotBlocks(nb: number, x: Uint8Array, xOffset: number, y: Uint8Array, yv: DataView, yOffset: number): number {
  let sumf = 0;
  for (let i = 0; i < nb; i++) {
    const xb = xOffset + i * BLOCK_BYTES;
    const yb = yOffset + i * Q8K.typeSize;
    let summs = 0;
    for (let j = 0; j < 16; j++) summs += yv.getInt16(yb + Q8K_BSUMS + 2 * j, true) * (x[xb + j] >> 4);
    const yd = yv.getFloat32(yb, true);
    const dall = fr(yd * readF16(x, xb + D));
    const dmin = fr(yd * readF16(x, xb + DMIN));
    let isum = 0;
    let is = 0;
    let q2 = xb + QS;
    let q8 = yb + Q8K_QS;
    for (let k = 0; k < QK_K / 128; k++) {
      for (let shift = 0; shift < 8; shift += 2) {
        for (let half = 0; half < 32; half += 16) {
          const d = x[xb + is++] & 0xf;
          let isuml = 0;
          for (let l = half; l < half + 16; l++) isuml += ((y[q8 + l] << 24) >> 24) * ((x[q2 + l] >> shift) & 3);
          isum += d * isuml;
        }
        q8 += 32;
      }
      q2 += 32;
    }
    sumf = fr(sumf + fr(fr(dall * isum) - fr(dmin * summs)));
  }
  return sumf;
}

/** Q2_K codec (`quantize_q2_K`, `dequantize_row_q2_K`, `ggml_vec_dot_q2_K_q8_K`). */
export const q2KCodec: BlockCodec = defineSuperBlockCodec({
  typeId: GGMLType.Q2_K,
  newScratch: () => new Scratch(),
  quantizeBlock(x, xo, qw, qo, y, bo, s) {
    if (qw) quantizeBlockWeighted(x, xo, qw, qo, y, bo, s);
    else quantizeBlockRef(x, xo, y, bo, s);
  },
  dequantizeBlock,
  dotBlocks,
});
