/**
 * Q6_K: 6.5625 bits per weight. A 256-value super-block holds sixteen 16-value sub-blocks
 * with signed 8-bit scales (times the f16 `d`) and symmetric 6-bit quants (-32..31): the
 * low four bits in `ql`, the high two in `qh`.
 * Layout: ql[128] at 0, qh[64] at 128, scales[16] (int8) at 192, d at 208.
 */
import { GGMLType, requireGGMLType } from '@ggufkit/tensor-layout';
import type { BlockCodec } from '../codec.js';
import { GROUP_MAX_EPS, makeQxQuants, nearestInt } from '../scale-search.js';
import { readF16, writeF16 } from './bytes.js';
import { Q8K_QS } from './q8_k.js';
import { QK_K } from './rows.js';
import { DotLanes, addScaledLanes, defineSuperBlockCodec, sumLanes } from './super-block-codec.js';

const fr = Math.fround;
const TYPE = requireGGMLType(GGMLType.Q6_K);
const Q8K = requireGGMLType(GGMLType.Q8_K);
const BLOCK_BYTES = TYPE.typeSize;
const QL = 0;
const QH = 128;
const SCALES = 192;
const D = 208;

/** Per-call scratch, so no block allocates. */
class Scratch {
  readonly L = new Int8Array(QK_K);
  readonly scales = new Float32Array(16);
}

/**
 * One block as ggml's `quantize_row_q6_K_ref` (`qw` null) or `quantize_row_q6_K_impl`
 * (importance weights `qw[qo..qo+256)`, used as-is as the `make_qx_quants` weights).
 */
function quantizeBlock(x: Float32Array, xo: number, qw: Float32Array | null, qo: number, y: Uint8Array, bo: number, s: Scratch): void {
  const { L, scales } = s;
  let maxScale = 0;
  let maxAbsScale = 0;
  for (let ib = 0; ib < 16; ib++) {
    const scale = qw
      ? makeQxQuants(16, 32, x, xo + 16 * ib, L, 16 * ib, 1, qw, qo + 16 * ib)
      : makeQxQuants(16, 32, x, xo + 16 * ib, L, 16 * ib, 1, null, 0);
    scales[ib] = scale;
    const absScale = Math.abs(scale);
    if (absScale > maxAbsScale) {
      maxAbsScale = absScale;
      maxScale = scale;
    }
  }
  if (maxAbsScale < GROUP_MAX_EPS) {
    y.fill(0, bo, bo + BLOCK_BYTES);
    return;
  }
  const iscale = fr(-128 / maxScale);
  writeF16(y, bo + D, fr(1 / iscale));
  for (let ib = 0; ib < 16; ib++) {
    const l = nearestInt(fr(iscale * scales[ib]));
    y[bo + SCALES + ib] = l < 127 ? l : 127; // int8_t store: wraps below -128 as in ggml
  }
  const d0 = readF16(y, bo + D);
  for (let j = 0; j < 16; j++) {
    const d = fr(d0 * ((y[bo + SCALES + j] << 24) >> 24));
    if (d === 0) continue;
    for (let ii = 0; ii < 16; ii++) {
      const l = nearestInt(fr(x[xo + 16 * j + ii] / d));
      L[16 * j + ii] = (l < -32 ? -32 : l > 31 ? 31 : l) + 32;
    }
  }
  let ql = bo + QL;
  let qh = bo + QH;
  for (let j = 0; j < QK_K; j += 128) {
    for (let l = 0; l < 32; l++) {
      const l0 = L[j + l];
      const l1 = L[j + l + 32];
      const l2 = L[j + l + 64];
      const l3 = L[j + l + 96];
      y[ql + l] = (l0 & 0xf) | ((l2 & 0xf) << 4);
      y[ql + l + 32] = (l1 & 0xf) | ((l3 & 0xf) << 4);
      y[qh + l] = (l0 >> 4) | ((l1 >> 4) << 2) | ((l2 >> 4) << 4) | ((l3 >> 4) << 6);
    }
    ql += 64;
    qh += 32;
  }
}

/** The signed 6-bit quant `k` (0..3 selects the 32-value quarter) at position `l` of a 128-value half. */
function q6(b: Uint8Array, ql: number, qh: number, l: number, k: number): number {
  const low = k & 1 ? b[ql + l + 32] : b[ql + l];
  const nib = k & 2 ? low >> 4 : low & 0xf;
  const hi = (b[qh + l] >> (2 * k)) & 3;
  return (nib | (hi << 4)) - 32;
}

/** `dequantize_row_q6_K` for one super-block. */
function dequantizeBlock(src: Uint8Array, bo: number, dst: Float32Array, yo: number): void {
  const d = readF16(src, bo + D);
  let ql = bo + QL;
  let qh = bo + QH;
  let sc = bo + SCALES;
  for (let n = 0; n < QK_K; n += 128) {
    for (let l = 0; l < 32; l++) {
      const is = l >> 4;
      for (let k = 0; k < 4; k++) {
        const scale = (src[sc + is + 2 * k] << 24) >> 24;
        dst[yo + l + 32 * k] = fr(fr(d * scale) * q6(src, ql, qh, l, k));
      }
    }
    yo += 128;
    ql += 64;
    qh += 32;
    sc += 8;
  }
}

/** The dot product's unpacked quants and lanes (ggml's aux8, aux32, sums). */
const dotLanes = new DotLanes();

/** `ggml_vec_dot_q6_K_q8_K` (generic CPU path): eight int32 lanes per block, eight f32 lane sums. */
function dotBlocks(nb: number, x: Uint8Array, xOffset: number, y: Uint8Array, yv: DataView, yOffset: number): number {
  const { a, aux32 } = dotLanes;
  dotLanes.sums.fill(0);
  for (let i = 0; i < nb; i++) {
    const xb = xOffset + i * BLOCK_BYTES;
    const yb = yOffset + i * Q8K.typeSize;
    aux32.fill(0);
    let ql = xb + QL;
    let qh = xb + QH;
    for (let j = 0; j < QK_K; j += 128) {
      for (let l = 0; l < 32; l++) {
        for (let k = 0; k < 4; k++) a[j + l + 32 * k] = q6(x, ql, qh, l, k);
      }
      ql += 64;
      qh += 32;
    }
    let q8 = yb + Q8K_QS;
    let ai = 0;
    for (let j = 0; j < 16; j++) {
      const scale = (x[xb + SCALES + j] << 24) >> 24;
      for (let k = 0; k < 2; k++) {
        for (let l = 0; l < 8; l++) aux32[l] += scale * (((y[q8 + l] << 24) >> 24) * a[ai + l]);
        q8 += 8;
        ai += 8;
      }
    }
    addScaledLanes(dotLanes, fr(readF16(x, xb + D) * yv.getFloat32(yb, true)));
  }
  return sumLanes(dotLanes, 0);
}

/** Q6_K codec (`quantize_q6_K`, `dequantize_row_q6_K`, `ggml_vec_dot_q6_K_q8_K`). */
export const q6KCodec: BlockCodec = defineSuperBlockCodec({
  typeId: GGMLType.Q6_K,
  newScratch: () => new Scratch(),
  quantizeBlock,
  dequantizeBlock,
  dotBlocks,
});
