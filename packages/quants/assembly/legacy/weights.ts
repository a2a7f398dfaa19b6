// Per-value weights of ggml's importance-weighted 32-value quantizers: the imatrix weight
// of a column times sqrt(sigma² + x²), sigma² being the row's mean square.

/** Mean of x² over the `n` values at `x`, accumulated in index order. */
export function rowSigma2(x: usize, n: i32): f32 {
  let s: f32 = 0;
  for (let j = 0; j < n; j++) {
    const v = load<f32>(x + (<usize>j << 2));
    s += v * v;
  }
  return s / <f32>n;
}

/** Fills the 32 weights at `w` for the block at `x` from the imatrix weights at `qw`. */
export function blockWeights(w: usize, qw: usize, x: usize, sigma2: f32): void {
  for (let j: usize = 0; j < 32; j++) {
    const v = load<f32>(x + (j << 2));
    store<f32>(w + (j << 2), load<f32>(qw + (j << 2)) * sqrt<f32>(sigma2 + v * v));
  }
}

/** Packs 32 levels (low five bits) into `qh` (little-endian u32, bit j = fifth bit of j) and `qs`. */
export function packFiveBit(levels: usize, qh: usize, qs: usize): void {
  let h: u32 = 0;
  for (let j = 0; j < 16; j++) {
    const l0 = <u32>load<u8>(levels + j);
    const l1 = <u32>load<u8>(levels + j + 16);
    store<u8>(qs + j, <u8>((l0 & 0x0f) | ((l1 & 0x0f) << 4)));
    h |= ((l0 & 0x10) >> 4) << j;
    h |= ((l1 & 0x10) >> 4) << (j + 16);
  }
  store<u32>(qh, h);
}

/** Packs 32 levels (low four bits): byte j holds level j (low nibble) and j + 16 (high). */
export function packFourBit(levels: usize, qs: usize): void {
  for (let j = 0; j < 16; j++) {
    store<u8>(qs + j, <u8>((<u32>load<u8>(levels + j) & 0x0f) | (<u32>load<u8>(levels + j + 16) << 4)));
  }
}
