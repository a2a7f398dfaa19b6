/** The exports of the quantizers' WebAssembly module (`assembly/index.ts`). */
export interface QuantKernels {
  readonly memory: WebAssembly.Memory;
  /** First byte the host may use. */
  heapBase(): number;
  /** Quantizes rows in wasm memory; returns 0, or -1 for an unknown type. */
  quantize(type: number, src: number, dst: number, nrows: number, ncols: number, imatrix: number): number;
  /** Dequantizes consecutive blocks in wasm memory; returns 0, or -1 for an unknown type. */
  dequantize(type: number, src: number, dst: number, nblocks: number): number;
}

/** ggml type ids the module quantizes and dequantizes. */
export const FAST_TYPE_IDS: readonly number[] = Object.freeze([2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 20]);
