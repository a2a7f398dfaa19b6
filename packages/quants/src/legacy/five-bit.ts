/**
 * The 5-bit level packing shared by Q5_0 and Q5_1: the low four bits of values j and
 * j + 16 share byte j of `qs` (low and high nibble), and the fifth bit of value j is bit j
 * of the little-endian u32 `qh`.
 */
import { QK } from './block-codec.js';

/** The little-endian u32 at `b[off..off+4)`. */
export function readU32(b: Uint8Array, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}

/** Packs 32 levels (only their low five bits count) into `qh` at `y[qhOff..]` and `qs` at `y[qsOff..]`. */
export function packFiveBitLevels(levels: Uint8Array, y: Uint8Array, qhOff: number, qsOff: number): void {
  let qh = 0;
  for (let j = 0; j < QK / 2; j++) {
    const l0 = levels[j];
    const l1 = levels[j + QK / 2];
    y[qsOff + j] = (l0 & 0x0f) | ((l1 & 0x0f) << 4);
    qh |= ((l0 & 0x10) >> 4) << j;
    qh |= ((l1 & 0x10) >> 4) << (j + QK / 2);
  }
  y[qhOff] = qh & 0xff;
  y[qhOff + 1] = (qh >>> 8) & 0xff;
  y[qhOff + 2] = (qh >>> 16) & 0xff;
  y[qhOff + 3] = (qh >>> 24) & 0xff;
}

/** Level j (0..31) of a block whose `qs` starts at `b[qsOff]` and whose `qh` is `qh`. */
export function unpackFiveBitLevel(b: Uint8Array, qsOff: number, qh: number, j: number): number {
  const low = j < QK / 2 ? b[qsOff + j] & 0x0f : b[qsOff + j - QK / 2] >> 4;
  return low | (((qh >>> j) & 1) << 4);
}
