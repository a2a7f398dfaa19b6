/**
 * Q3_K: 3.4375 bits per weight. A 256-value super-block holds sixteen 16-value sub-blocks
 * with signed 6-bit scales (times the f16 `d`) and symmetric 3-bit quants (-4..3): the low
 * two bits in `qs`, the high bit in `hmask`.
 * Layout: hmask[32] at 0, qs[64] at 32, scales[12] at 96, d at 108.
 */
import { GGMLType, requireGGMLType } from '@ggufkit/tensor-layout';
import type { BlockCodec } from '../codec.js';
import { makeQxQuants, nearestInt } from '../scale-search.js';
import { readF16, writeF16 } from './bytes.js';
import { Q8K_QS } from './q8_k.js';
import { QK_K } from './rows.js';
import { makeQ3Quants } from './scale-search-k.js';
import { getScaleQ3K, putScaleQ3K } from './scales.js';
import { DotLanes, addScaledLanes, defineSuperBlockCodec, sumLanes } from './super-block-codec.js';

const fr = Math.fround;
const TYPE = requireGGMLType(GGMLType.Q3_K);
const Q8K = requireGGMLType(GGMLType.Q8_K);
const BLOCK_BYTES = TYPE.typeSize;
const HMASK = 0;
const QS = 32;
const SCALES = 96;
const D = 108;

/** Per-call scratch, so no block allocates. */
class Scratch {
  readonly L = new Int8Array(QK_K);
  readonly scales = new Float32Array(16);
  readonly weights = new Float32Array(16);
  readonly sw = new Float32Array(16);
  readonly Ls = new Int8Array(16);
}

/** Final pass shared by both quantizers: 3-bit levels from the stored scales, then bit packing. */
function requantizeAndPack(x: Float32Array, xo: number, y: Uint8Array, bo: number, L: Int8Array): void {
  const d0 = readF16(y, bo + D);
  for (let j = 0; j < 16; j++) {
    const d = fr(d0 * (getScaleQ3K(j, y, bo + SCALES) - 32));
    if (d === 0) continue;
    for (let ii = 0; ii < 16; ii++) {
      const l = nearestInt(fr(x[xo + 16 * j + ii] / d));
      L[16 * j + ii] = (l < -4 ? -4 : l > 3 ? 3 : l) + 4;
    }
  }
  // High bit of value j goes to bit j/32 of hmask[j % 32].
  y.fill(0, bo + HMASK, bo + HMASK + 32);
  for (let j = 0; j < QK_K; j++) {
    if (L[j] > 3) {
      y[bo + HMASK + (j & 31)] |= 1 << (j >> 5);
      L[j] -= 4;
    }
  }
  for (let j = 0; j < QK_K; j += 128) {
    for (let l = 0; l < 32; l++) {
      y[bo + QS + j / 4 + l] = L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6);
    }
  }
}

/** One block as ggml's `quantize_row_q3_K_ref`. */
function quantizeBlockRef(x: Float32Array, xo: number, y: Uint8Array, bo: number, s: Scratch): void {
  const { L, scales } = s;
  let maxScale = 0;
  let amax = 0;
  for (let j = 0; j < 16; j++) {
    scales[j] = makeQ3Quants(16, 4, x, xo + 16 * j, L, 16 * j, true);
    const scale = Math.abs(scales[j]);
    if (scale > amax) {
      amax = scale;
      maxScale = scales[j];
    }
  }
  y.fill(0, bo + SCALES, bo + SCALES + 12);
  if (maxScale !== 0) {
    const iscale = fr(-32 / maxScale);
    for (let j = 0; j < 16; j++) {
      // ggml holds the rounded scale in an int8_t before clamping.
      let l = (nearestInt(fr(iscale * scales[j])) << 24) >> 24;
      l = (l < -32 ? -32 : l > 31 ? 31 : l) + 32;
      putScaleQ3K(j, l, y, bo + SCALES);
    }
    writeF16(y, bo + D, fr(1 / iscale));
  } else {
    writeF16(y, bo + D, 0);
  }
  requantizeAndPack(x, xo, y, bo, L);
}

/** One block as ggml's `quantize_row_q3_K_impl` with importance weights `qw[qo..qo+256)`. */
function quantizeBlockWeighted(x: Float32Array, xo: number, qw: Float32Array, qo: number, y: Uint8Array, bo: number, s: Scratch): void {
  const { L, scales, weights, sw, Ls } = s;
  let sumx2 = 0;
  for (let j = 0; j < QK_K; j++) sumx2 = fr(sumx2 + fr(x[xo + j] * x[xo + j]));
  const sigma2 = fr(fr(2 * sumx2) / QK_K);
  for (let j = 0; j < 16; j++) {
    for (let l = 0; l < 16; l++) {
      const xi = x[xo + 16 * j + l];
      weights[l] = fr(qw[qo + 16 * j + l] * fr(Math.sqrt(fr(sigma2 + fr(xi * xi)))));
    }
    let sumw = 0;
    for (let l = 0; l < 16; l++) sumw = fr(sumw + weights[l]);
    sw[j] = sumw;
    scales[j] = makeQxQuants(16, 4, x, xo + 16 * j, L, 16 * j, 1, weights, 0);
  }
  y.fill(0, bo + SCALES, bo + SCALES + 12);
  const dBlock = makeQxQuants(16, 32, scales, 0, Ls, 0, 1, sw, 0);
  for (let j = 0; j < 16; j++) putScaleQ3K(j, Ls[j], y, bo + SCALES);
  writeF16(y, bo + D, dBlock);
  requantizeAndPack(x, xo, y, bo, L);
}

/** `dequantize_row_q3_K` for one super-block. */
function dequantizeBlock(src: Uint8Array, bo: number, dst: Float32Array, yo: number): void {
  const dAll = readF16(src, bo + D);
  let q = bo + QS;
  let is = 0;
  let m = 1;
  for (let n = 0; n < QK_K; n += 128) {
    for (let shift = 0; shift < 8; shift += 2) {
      for (let half = 0; half < 32; half += 16) {
        const dl = fr(dAll * (getScaleQ3K(is++, src, bo + SCALES) - 32));
        for (let l = half; l < half + 16; l++) {
          const v = ((src[q + l] >> shift) & 3) - (src[bo + HMASK + l] & m ? 0 : 4);
          dst[yo++] = fr(dl * v);
        }
      }
      m <<= 1;
    }
    q += 32;
  }
}

/** The dot product's unpacked quants and lanes (ggml's aux8, aux32, sums). */
const dotLanes = new DotLanes();

/** `ggml_vec_dot_q3_K_q8_K` (generic CPU path): eight int32 lanes per block, eight f32 lane sums. */
function dotBlocks(nb: number, x: Uint8Array, xOffset: number, y: Uint8Array, yv: DataView, yOffset: number): number {
  const { a, aux32 } = dotLanes;
  dotLanes.sums.fill(0);
  for (let i = 0; i < nb; i++) {
    const xb = xOffset + i * BLOCK_BYTES;
    const yb = yOffset + i * Q8K.typeSize;
    aux32.fill(0);
    let q3 = xb + QS;
    let ai = 0;
    let m = 1;
    for (let j = 0; j < QK_K; j += 128) {
      for (let shift = 0; shift < 8; shift += 2) {
        for (let l = 0; l < 32; l++) a[ai + l] = ((x[q3 + l] >> shift) & 3) - (x[xb + HMASK + l] & m ? 0 : 4);
        ai += 32;
        m <<= 1;
      }
      q3 += 32;
    }
    let q8 = yb + Q8K_QS;
    ai = 0;
    for (let j = 0; j < 16; j++) {
      const sc = getScaleQ3K(j, x, xb + SCALES) - 32;
      for (let k = 0; k < 2; k++) {
        for (let l = 0; l < 8; l++) aux32[l] += sc * (((y[q8 + l] << 24) >> 24) * a[ai + l]);
        q8 += 8;
        ai += 8;
      }
    }
    addScaledLanes(dotLanes, fr(readF16(x, xb + D) * yv.getFloat32(yb, true)));
  }
  return sumLanes(dotLanes, 0);
}

/** Q3_K codec (`quantize_q3_K`, `dequantize_row_q3_K`, `ggml_vec_dot_q3_K_q8_K`). */
export const q3KCodec: BlockCodec = defineSuperBlockCodec({
  typeId: GGMLType.Q3_K,
  newScratch: () => new Scratch(),
  quantizeBlock(x, xo, qw, qo, y, bo, s) {
    if (qw) quantizeBlockWeighted(x, xo, qw, qo, y, bo, s);
    else quantizeBlockRef(x, xo, y, bo, s);
  },
  dequantizeBlock,
  dotBlocks,
});
