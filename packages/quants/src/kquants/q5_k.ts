/**
 * Q5_K: 5.5 bits per weight. Q5_K's super-block (eight 32-value sub-blocks with 6-bit
 * scales and mins) with 5-bit quants: the low four bits in `qs`, the fifth in `qh`.
 * Layout: d at 0, dmin at 2, scales[12] at 4, qh[32] at 16, qs[128] at 48.
 */
import { GGMLType, requireGGMLType } from '@ggufkit/tensor-layout';
import type { BlockCodec } from '../codec.js';
import { QK_K } from './rows.js';
import { Q45KScratch, dequantizeBlockQ45K, dotBlocksQ45K, quantizeBlockQ45KRef, quantizeBlockQ45KWeighted, type Q45KLayout } from './q45_k-common.js';
import { DotLanes, defineSuperBlockCodec } from './super-block-codec.js';

const QH = 16;
const QS = 48;
const LAYOUT: Q45KLayout = { qs: QS, qh: QH, blockBytes: requireGGMLType(GGMLType.Q5_K).typeSize };

function pack(y: Uint8Array, bo: number, L: Uint8Array): void {
  y.fill(0, bo + QH, bo + QH + 32);
  let ql = bo + QS;
  let m1 = 1;
  let m2 = 2;
  for (let n = 0; n < QK_K; n += 64) {
    for (let j = 0; j < 32; j++) {
      let l1 = L[n + j];
      if (l1 > 15) {
        l1 -= 16;
        y[bo + QH + j] |= m1;
      }
      let l2 = L[n + j + 32];
      if (l2 > 15) {
        l2 -= 16;
        y[bo + QH + j] |= m2;
      }
      y[ql + j] = l1 | (l2 << 4);
    }
    m1 <<= 2;
    m2 <<= 2;
    ql += 32;
  }
}

const dotLanes = new DotLanes();

/** Q5_K codec (`quantize_q5_K`, `dequantize_row_q5_K`, `ggml_vec_dot_q5_K_q8_K`). */
export const q5KCodec: BlockCodec = defineSuperBlockCodec({
  typeId: GGMLType.Q5_K,
  newScratch: () => new Q45KScratch(),
  quantizeBlock(x, xo, qw, qo, y, bo, s) {
    if (qw) quantizeBlockQ45KWeighted(31, true, x, xo, qw, qo, y, bo, s);
    else quantizeBlockQ45KRef(31, -0.5, 0.1, 15, x, xo, y, bo, s);
    pack(y, bo, s.L);
  },
  dequantizeBlock: (src, bo, dst, yo) => dequantizeBlockQ45K(LAYOUT, src, bo, dst, yo),
  dotBlocks: (nb, x, xo, y, yv, yo) => dotBlocksQ45K(LAYOUT, dotLanes, nb, x, xo, y, yv, yo),
});
