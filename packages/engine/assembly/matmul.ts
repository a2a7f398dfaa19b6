// Matrix products: out[t][r] = dot(weight row r, activation row t), the weights staying in
// their GGUF format (Q4_K, Q4_0: the packed layouts of packed.ts; GGUF's Q4_K and Q4_0 rows
// are multiplied through the decoded path). Each weight row is decoded once and then
// multiplied with every activation row, so a prompt batch reads the weights once.
import {
  Q8_BLOCK_BYTES, Q8K_BLOCK_BYTES, ACT_F32, ACT_F16, ACT_BF16, ACT_Q8_0, ACT_Q8_1, ACT_Q8_K,
  ACT_Q8_0_I16, ACT_Q8_K_I16, ACT_Q8_K_I8, ACT_Q8_0_I8,
} from './activations';
import {
  FAMILY_FLOAT, FAMILY_B32, T_F32, T_F16, T_BF16, T_Q4_0, T_Q4_1, T_Q5_1, T_Q8_0, T_Q6_K,
  decodeRow, decodedD, decodedM, decodedSc, decodedMn, typeFamily,
} from './decode';
import { T_Q4_0_PACKED, T_Q4_K_PACKED } from './packed';
import { dotQ4_0, dotQ8_0, dotQ4_K, dotQ6_K, foldPair } from './qdot';
import { hsumF, hsumI32 } from './lanes';
import { dotQ4_0_I8, dotQ4_0_I8x4, dotQ4_K_I8, dotQ6_K_I8, dotQ4_K_I8x4, dotQ6_K_I8x4 } from './qdot-relaxed';

/** Activation rows multiplied together with one chunk of weight rows. */
const TOKEN_TILE = 32;

/** Whether a weight type has a direct kernel (and so takes i16 or i8 activations). */
export function hasDirectKernel(type: i32): bool {
  return type == T_Q4_0_PACKED || type == T_Q8_0 || type == T_Q4_K_PACKED || type == T_Q6_K;
}

/**
 * The activation layout matmul wants for weight type `type`: ggml's partner type (its
 * `vec_dot_type`), in the layout of this build's kernel for that type.
 */
export function activationKind(type: i32): i32 {
  if (type == T_F32) return ACT_F32;
  if (type == T_F16) return ACT_F16;
  if (type == T_BF16) return ACT_BF16;
  if (type == T_Q4_0_PACKED) return ASC_FEATURE_RELAXED_SIMD ? ACT_Q8_0_I8 : ACT_Q8_0_I16;
  if (type == T_Q8_0) return ACT_Q8_0_I16;
  if (type == T_Q4_K_PACKED || type == T_Q6_K) return ASC_FEATURE_RELAXED_SIMD ? ACT_Q8_K_I8 : ACT_Q8_K_I16;
  if (type == T_Q4_1 || type == T_Q5_1) return ACT_Q8_1;
  if (typeFamily(type) == FAMILY_B32) return ACT_Q8_0;
  return ACT_Q8_K;
}

/** A direct kernel's dot product of weight row `row` with activation row `a`. */
// @ts-ignore: decorator
@inline
function directDot(type: i32, row: usize, n: i32, a: usize, scratch: usize): f32 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    if (type == T_Q4_0_PACKED) return dotQ4_0_I8(row, n, a, scratch);
    if (type == T_Q4_K_PACKED) return dotQ4_K_I8(row, n, a, scratch);
    if (type == T_Q6_K) return dotQ6_K_I8(row, n, a, scratch);
  } else {
    if (type == T_Q4_0_PACKED) return dotQ4_0(row, n, a, scratch);
    if (type == T_Q4_K_PACKED) return dotQ4_K(row, n, a, scratch);
    if (type == T_Q6_K) return dotQ6_K(row, n, a, scratch);
  }
  return dotQ8_0(row, n, a, scratch);
}

/** Integer dot of 16 signed bytes, as four i32 partial sums. */
// @ts-ignore: decorator
@inline
function dot16(w: v128, y: v128): v128 {
  return i32x4.add(
    i32x4.extadd_pairwise_i16x8_s(i16x8.extmul_low_i8x16_s(w, y)),
    i32x4.extadd_pairwise_i16x8_s(i16x8.extmul_high_i8x16_s(w, y)),
  );
}

/** f32 dot product of n values (f32 products and sums, no fused multiply-add). */
export function dotF32(x: usize, y: usize, n: i32): f32 {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const o = <usize>i << 2;
    a0 = f32x4.add(a0, f32x4.mul(v128.load(x + o), v128.load(y + o)));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(x + o, 16), v128.load(y + o, 16)));
    a2 = f32x4.add(a2, f32x4.mul(v128.load(x + o, 32), v128.load(y + o, 32)));
    a3 = f32x4.add(a3, f32x4.mul(v128.load(x + o, 48), v128.load(y + o, 48)));
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    a0 = f32x4.add(a0, f32x4.mul(v128.load(x + o), v128.load(y + o)));
  }
  let s = hsumF(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
  for (; i < n; i++) s += load<f32>(x + (<usize>i << 2)) * load<f32>(y + (<usize>i << 2));
  return s;
}

/** The four i32 partial sums of one decoded 32-value block times a q8_0/q8_1 block. */
// @ts-ignore: decorator
@inline
function blockB32(w: usize, a: usize): v128 {
  return i32x4.add(dot16(v128.load(w), v128.load(a, 8)), dot16(v128.load(w, 16), v128.load(a, 24)));
}

/**
 * Decoded 32-block row times one q8_0/q8_1 activation row, in the order of the direct
 * kernels (qdot.ts): exact block sums times d_w * d_a into f32 lane (block mod 4) per group
 * of four blocks, the lanes summed, then the remaining blocks; the mins apart.
 */
function dotB32(dec: usize, n: i32, act: usize, withMin: bool): f32 {
  const nb = n >> 5;
  const dv = decodedD(dec, n), mv = decodedM(dec, n);
  let acc = f32x4.splat(0);
  let accMin: f32 = 0;
  let b = 0;
  for (; b + 4 <= nb; b += 4) {
    const w = dec + (<usize>b << 5);
    const a = act + <usize>b * Q8_BLOCK_BYTES;
    const sums = foldPair(
      foldPair(blockB32(w, a), blockB32(w + 32, a + Q8_BLOCK_BYTES)),
      foldPair(blockB32(w + 64, a + 2 * Q8_BLOCK_BYTES), blockB32(w + 96, a + 3 * Q8_BLOCK_BYTES)));
    const da = f32x4(load<f32>(a), load<f32>(a + Q8_BLOCK_BYTES), load<f32>(a + 2 * Q8_BLOCK_BYTES), load<f32>(a + 3 * Q8_BLOCK_BYTES));
    acc = f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(sums), f32x4.mul(v128.load(dv + (<usize>b << 2)), da)));
  }
  let sum = hsumF(acc);
  for (; b < nb; b++) {
    const a = act + <usize>b * Q8_BLOCK_BYTES;
    sum += <f32>hsumI32(blockB32(dec + (<usize>b << 5), a)) * (load<f32>(dv + (<usize>b << 2)) * load<f32>(a));
  }
  if (withMin) {
    for (let j = 0; j < nb; j++) accMin += load<f32>(mv + (<usize>j << 2)) * load<f32>(act + <usize>j * Q8_BLOCK_BYTES, 4);
  }
  return sum + accMin;
}

/**
 * Decoded K-quant row times one q8_K activation row, summed in the order of the direct
 * kernels (qdot.ts): super-block b of each group of four into lane b mod 4, the lanes
 * summed, then the remaining super-blocks one by one.
 */
function dotK(dec: usize, n: i32, act: usize): f32 {
  const nb = n >> 8, nb4 = nb & ~3;
  const dv = decodedD(dec, n), mv = decodedM(dec, n), sv = decodedSc(dec, n), nv = decodedMn(dec, n);
  let l0: f32 = 0, l1: f32 = 0, l2: f32 = 0, l3: f32 = 0;
  let acc: f32 = 0;
  for (let b = 0; b < nb; b++) {
    const w = dec + (<usize>b << 8);
    const a = act + <usize>b * Q8K_BLOCK_BYTES;
    const q = a + 4;
    const sc = sv + (<usize>b << 6);
    let isum = i32x4.splat(0);
    for (let g = 0; g < 16; g++) {
      const o = <usize>g << 4;
      isum = i32x4.add(isum, i32x4.mul(dot16(v128.load(w + o), v128.load(q + o)), i32x4.splat(load<i32>(sc + (<usize>g << 2)))));
    }
    const mn = nv + (<usize>b << 6);
    const bs = a + 260;
    let msum = i32x4.mul(v128.load(mn), v128.load16x4_s(bs));
    msum = i32x4.add(msum, i32x4.mul(v128.load(mn, 16), v128.load16x4_s(bs + 8)));
    msum = i32x4.add(msum, i32x4.mul(v128.load(mn, 32), v128.load16x4_s(bs + 16)));
    msum = i32x4.add(msum, i32x4.mul(v128.load(mn, 48), v128.load16x4_s(bs + 24)));
    const yd = load<f32>(a);
    const d = load<f32>(dv + (<usize>b << 2)) * yd;
    const dmin = load<f32>(mv + (<usize>b << 2)) * yd;
    const t = d * <f32>hsumI32(isum) - dmin * <f32>hsumI32(msum);
    if (b >= nb4) acc += t;
    else if ((b & 3) == 0) l0 += t;
    else if ((b & 3) == 1) l1 += t;
    else if ((b & 3) == 2) l2 += t;
    else l3 += t;
    if (b == nb4 - 1) acc = (l0 + l1) + (l2 + l3);
  }
  return acc;
}

/**
 * out[t * outStride + r] = row r of the weight matrix (type `t`, rows `rowBytes` apart at `w`)
 * dotted with activation row t (`actStride` bytes apart, already converted to the partner
 * layout), for rows r0 <= r < r1 and `nTok` activation rows. `scratch` holds one decoded row.
 */
export function matmul(
  type: i32, w: usize, rowBytes: usize, n: i32, r0: i32, r1: i32,
  act: usize, actStride: usize, nTok: i32, out: usize, outStride: i32, scratch: usize,
): void {
  if (hasDirectKernel(type)) {
    // tiles of TOKEN_TILE activation rows: the chunk's weight rows stay in L1 and the tile's
    // activations in L2 while every pair is multiplied
    for (let t0 = 0; t0 < nTok; t0 += TOKEN_TILE) {
      const t1 = min<i32>(nTok, t0 + TOKEN_TILE);
      for (let r = r0; r < r1; r++) {
        const row = w + <usize>r * rowBytes;
        let t = t0;
        if (ASC_FEATURE_RELAXED_SIMD) {
          // four activation rows per pass over the weight row
          for (; t + 4 <= t1; t += 4) {
            const a = act + <usize>t * actStride;
            const dst = out + ((<usize>t * <usize>outStride + <usize>r) << 2);
            if (type == T_Q4_K_PACKED) dotQ4_K_I8x4(row, n, a, actStride, dst, <usize>outStride << 2, scratch);
            else if (type == T_Q6_K) dotQ6_K_I8x4(row, n, a, actStride, dst, <usize>outStride << 2, scratch);
            else if (type == T_Q4_0_PACKED) dotQ4_0_I8x4(row, n, a, actStride, dst, <usize>outStride << 2, scratch);
            else break;
          }
        }
        for (; t < t1; t++) {
          const v = directDot(type, row, n, act + <usize>t * actStride, scratch);
          store<f32>(out + ((<usize>t * <usize>outStride + <usize>r) << 2), v);
        }
      }
    }
    return;
  }
  const fam = typeFamily(type);
  const withMin = type == T_Q4_1 || type == T_Q5_1;
  for (let r = r0; r < r1; r++) {
    const row = w + <usize>r * rowBytes;
    let src = row;
    if (type != T_F32) {
      decodeRow(type, row, n, scratch);
      src = scratch;
    }
    for (let t = 0; t < nTok; t++) {
      const a = act + <usize>t * actStride;
      let v: f32;
      if (fam == FAMILY_FLOAT) v = dotF32(src, a, n);
      else if (fam == FAMILY_B32) v = dotB32(src, n, a, withMin);
      else v = dotK(src, n, a);
      store<f32>(out + ((<usize>t * <usize>outStride + <usize>r) << 2), v);
    }
  }
}
