// Bit packing of the sub-block scales inside K-quant super-blocks: the 12-byte
// "6-bit scale + 6-bit min" array of Q4_K/Q5_K and the 12-byte signed 6-bit array of Q3_K.

/** Sub-block `j` (0..7) of a Q4_K/Q5_K scales array: the 6-bit scale, plus the 6-bit min << 8 (`get_scale_min_k4`). */
// @ts-ignore: decorator
@inline
export function getScaleMinK4(j: i32, q: usize): i32 {
  if (j < 4) return (<i32>load<u8>(q + j) & 63) | ((<i32>load<u8>(q + j + 4) & 63) << 8);
  const sc = (<i32>load<u8>(q + j + 4) & 0xf) | ((<i32>load<u8>(q + j - 4) >> 6) << 4);
  const m = (<i32>load<u8>(q + j + 4) >> 4) | ((<i32>load<u8>(q + j) >> 6) << 4);
  return sc | (m << 8);
}

/** Packs eight byte levels `ls`, `lm` into a Q4_K/Q5_K scales array (bytes spill as in ggml's uint8_t). */
export function packScaleMinK4(ls: usize, lm: usize, q: usize): void {
  for (let j = 0; j < 8; j++) {
    const s = <u32>load<u8>(ls + j);
    const m = <u32>load<u8>(lm + j);
    if (j < 4) {
      store<u8>(q + j, <u8>s);
      store<u8>(q + j + 4, <u8>m);
    } else {
      store<u8>(q + j + 4, <u8>((s & 0xf) | ((m & 0xf) << 4)));
      store<u8>(q + j - 4, load<u8>(q + j - 4) | <u8>((s >> 4) << 6));
      store<u8>(q + j, load<u8>(q + j) | <u8>((m >> 4) << 6));
    }
  }
}

/** The biased 6-bit scale (0..63) of sub-block `j` (0..15) of a Q3_K scales array. */
// @ts-ignore: decorator
@inline
export function getScaleQ3K(j: i32, q: usize): i32 {
  const low = j < 8 ? <i32>load<u8>(q + j) & 0xf : <i32>load<u8>(q + j - 8) >> 4;
  const high = (<i32>load<u8>(q + 8 + (j & 3)) >> (2 * (j >> 2))) & 3;
  return low | (high << 4);
}

/** ORs the biased scale `l` of sub-block `j` into a zeroed Q3_K scales array. */
export function putScaleQ3K(j: i32, l: i32, q: usize): void {
  if (j < 8) store<u8>(q + j, <u8>(l & 0xf));
  else store<u8>(q + j - 8, load<u8>(q + j - 8) | <u8>((l & 0xf) << 4));
  store<u8>(q + 8 + (j & 3), load<u8>(q + 8 + (j & 3)) | <u8>((l >> 4) << (2 * (j >> 2))));
}
