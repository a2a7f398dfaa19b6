/**
 * Q4_K: 4.5 bits per weight. A 256-value super-block holds eight 32-value sub-blocks,
 * each with a 6-bit scale and a 6-bit min (times the f16 `d` and `dmin`), and 4-bit
 * quants: x ≈ d·sc·q − dmin·m.
 * Layout: d at 0, dmin at 2, scales[12] at 4, qs[128] at 16 (two 32-value sub-blocks
 * share 32 bytes: low nibbles first sub-block, high nibbles second).
 */
import { GGMLType, requireGGMLType } from '@ggufkit/tensor-layout';
import type { BlockCodec } from '../codec.js';
import { QK_K } from './rows.js';
import { Q45KScratch, dequantizeBlockQ45K, dotBlocksQ45K, quantizeBlockQ45KRef, quantizeBlockQ45KWeighted, type Q45KLayout } from './q45_k-common.js';
import { DotLanes, defineSuperBlockCodec } from './super-block-codec.js';

const QS = 16;
const LAYOUT: Q45KLayout = { qs: QS, qh: -1, blockBytes: requireGGMLType(GGMLType.Q4_K).typeSize };

function pack(y: Uint8Array, bo: number, L: Uint8Array): void {
  let q = bo + QS;
  for (let j = 0; j < QK_K; j += 64) {
    for (let l = 0; l < 32; l++) y[q + l] = L[j + l] | (L[j + l + 32] << 4);
    q += 32;
  }
}

const dotLanes = new DotLanes();

/** Q4_K codec (`quantize_q4_K`, `dequantize_row_q4_K`, `ggml_vec_dot_q4_K_q8_K`). */
export const q4KCodec: BlockCodec = defineSuperBlockCodec({
  typeId: GGMLType.Q4_K,
  newScratch: () => new Q45KScratch(),
  quantizeBlock(x, xo, qw, qo, y, bo, s) {
    if (qw) quantizeBlockQ45KWeighted(15, false, x, xo, qw, qo, y, bo, s);
    else quantizeBlockQ45KRef(15, -1, 0.1, 20, x, xo, y, bo, s);
    pack(y, bo, s.L);
  },
  dequantizeBlock: (src, bo, dst, yo) => dequantizeBlockQ45K(LAYOUT, src, bo, dst, yo),
  dotBlocks: (nb, x, xo, y, yv, yo) => dotBlocksQ45K(LAYOUT, dotLanes, nb, x, xo, y, yv, yo),
});
