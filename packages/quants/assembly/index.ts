// Entry of the quantizers' WebAssembly module: ggml's block quantizers and dequantizers,
// bit-exact with the scalar TypeScript reference. The host owns the memory above
// `heapBase()`; the kernels keep their scratch in static data and never allocate.

import { dequantizeIq4nl, quantizeIq4nl } from './legacy/iq4_nl';
import { dequantizeAsym, dequantizeSym, quantizeAsym, quantizeSym } from './legacy/q4_q5';
import { dequantizeQ8, quantizeQ8 } from './legacy/q8';
import { dequantizeQ2K, quantizeQ2K } from './kquants/q2_k';
import { dequantizeQ3K, quantizeQ3K } from './kquants/q3_k';
import { dequantizeQ45K, quantizeQ45K } from './kquants/q45_k';
import { dequantizeQ6K, quantizeQ6K } from './kquants/q6_k';
import { dequantizeQ8K, quantizeQ8K } from './kquants/q8_k';

// ggml type ids.
const Q4_0 = 2;
const Q4_1 = 3;
const Q5_0 = 6;
const Q5_1 = 7;
const Q8_0 = 8;
const Q8_1 = 9;
const Q2_K = 10;
const Q3_K = 11;
const Q4_K = 12;
const Q5_K = 13;
const Q6_K = 14;
const Q8_K = 15;
const IQ4_NL = 20;

/** First byte after the module's static data: the host may use memory from here on. */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * Quantizes `nrows` rows of `ncols` f32 values at `src` into blocks of ggml type `type`
 * at `dst`, with the `ncols` importance weights at `imatrix` (0 for none; ignored by the
 * activation formats). Returns 0, or -1 for a type this module does not quantize.
 * The host checks that `ncols` is a whole number of blocks.
 */
export function quantize(type: i32, src: usize, dst: usize, nrows: i32, ncols: i32, imatrix: usize): i32 {
  switch (type) {
    case Q4_0: quantizeSym(src, dst, nrows, ncols, imatrix, false); break;
    case Q5_0: quantizeSym(src, dst, nrows, ncols, imatrix, true); break;
    case Q4_1: quantizeAsym(src, dst, nrows, ncols, imatrix, false); break;
    case Q5_1: quantizeAsym(src, dst, nrows, ncols, imatrix, true); break;
    case Q8_0: quantizeQ8(src, dst, nrows * ncols, false); break;
    case Q8_1: quantizeQ8(src, dst, nrows * ncols, true); break;
    case IQ4_NL: quantizeIq4nl(src, dst, nrows, ncols, imatrix); break;
    case Q2_K: quantizeQ2K(src, dst, nrows, ncols, imatrix); break;
    case Q3_K: quantizeQ3K(src, dst, nrows, ncols, imatrix); break;
    case Q4_K: quantizeQ45K(src, dst, nrows, ncols, imatrix, false); break;
    case Q5_K: quantizeQ45K(src, dst, nrows, ncols, imatrix, true); break;
    case Q6_K: quantizeQ6K(src, dst, nrows, ncols, imatrix); break;
    case Q8_K: quantizeQ8K(src, dst, nrows * ncols); break;
    default: return -1;
  }
  return 0;
}

/** Dequantizes `nblocks` consecutive blocks of ggml type `type` at `src` into f32 at `dst`. Returns 0, or -1 for an unknown type. */
export function dequantize(type: i32, src: usize, dst: usize, nblocks: i32): i32 {
  switch (type) {
    case Q4_0: dequantizeSym(src, dst, nblocks, false); break;
    case Q5_0: dequantizeSym(src, dst, nblocks, true); break;
    case Q4_1: dequantizeAsym(src, dst, nblocks, false); break;
    case Q5_1: dequantizeAsym(src, dst, nblocks, true); break;
    case Q8_0: dequantizeQ8(src, dst, nblocks, false); break;
    case Q8_1: dequantizeQ8(src, dst, nblocks, true); break;
    case IQ4_NL: dequantizeIq4nl(src, dst, nblocks); break;
    case Q2_K: dequantizeQ2K(src, dst, nblocks); break;
    case Q3_K: dequantizeQ3K(src, dst, nblocks); break;
    case Q4_K: dequantizeQ45K(src, dst, nblocks, false); break;
    case Q5_K: dequantizeQ45K(src, dst, nblocks, true); break;
    case Q6_K: dequantizeQ6K(src, dst, nblocks); break;
    case Q8_K: dequantizeQ8K(src, dst, nblocks); break;
    default: return -1;
  }
  return 0;
}
