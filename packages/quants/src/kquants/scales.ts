/**
 * Bit packing of the per-sub-block scales inside K-quant super-blocks. Two layouts exist:
 * the 12-byte "6-bit scale + 6-bit min" array of Q4_K/Q5_K (eight pairs), and the 12-byte
 * "6-bit signed scale" array of Q3_K (sixteen scales, stored with a +32 bias).
 */

/**
 * Reads sub-block `j` (0..7) of a Q4_K/Q5_K scales array: returns the 6-bit scale in the
 * low byte and the 6-bit min in the next byte (`scale | (min << 8)`), as ggml's
 * `get_scale_min_k4` unpacks them.
 */
export function getScaleMinK4(j: number, q: Uint8Array, off: number): number {
  let sc: number;
  let m: number;
  if (j < 4) {
    sc = q[off + j] & 63;
    m = q[off + j + 4] & 63;
  } else {
    sc = (q[off + j + 4] & 0xf) | ((q[off + j - 4] >> 6) << 4);
    m = (q[off + j + 4] >> 4) | ((q[off + j] >> 6) << 4);
  }
  return sc | (m << 8);
}

/**
 * Writes the eight 6-bit scales `ls` and mins `lm` into the 12-byte Q4_K/Q5_K scales
 * array at `off` (every byte is assigned before any high bits are ORed in). Values are
 * taken as bytes, as ggml's `uint8_t` holds them, so levels above 63 spill their extra
 * bits into neighbours exactly as they do in ggml.
 */
export function packScaleMinK4(ls: Uint8Array, lm: Uint8Array, q: Uint8Array, off: number): void {
  for (let j = 0; j < 8; j++) {
    const s = ls[j];
    const m = lm[j];
    if (j < 4) {
      q[off + j] = s;
      q[off + j + 4] = m;
    } else {
      q[off + j + 4] = (s & 0xf) | ((m & 0xf) << 4);
      q[off + j - 4] |= (s >> 4) << 6;
      q[off + j] |= (m >> 4) << 6;
    }
  }
}

/** The biased 6-bit scale (0..63; subtract 32 for the signed value) of sub-block `j` (0..15) of a Q3_K scales array. */
export function getScaleQ3K(j: number, q: Uint8Array, off: number): number {
  const low = j < 8 ? q[off + j] & 0xf : q[off + j - 8] >> 4;
  const high = (q[off + 8 + (j & 3)] >> (2 * (j >> 2))) & 3;
  return low | (high << 4);
}

/**
 * Stores the biased 6-bit scale `l` (0..63) of sub-block `j` into a Q3_K scales array at
 * `off`; the array must start zeroed, since each sub-block only ORs its bits in.
 */
export function putScaleQ3K(j: number, l: number, q: Uint8Array, off: number): void {
  if (j < 8) q[off + j] = l & 0xf;
  else q[off + j - 8] |= (l & 0xf) << 4;
  q[off + 8 + (j & 3)] |= (l >> 4) << (2 * (j >> 2));
}
