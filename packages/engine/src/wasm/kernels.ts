/** The engine module's exports, typed. Pointers are byte offsets into the instance's memory. */
export interface EngineKernels {
  heapBase(): number;
  actRowBytes(kind: number, n: number): number;
  convertActivations(kind: number, x: number, n: number, rows: number, dst: number): void;
  decodeRow(type: number, src: number, n: number, dst: number): void;
  decodedBytes(n: number): number;
  dequantizeRows(type: number, src: number, rowBytes: number, n: number, rows: number, dst: number, scratch: number): void;
  typeFamily(type: number): number;
  matmul(type: number, w: number, rowBytes: number, n: number, r0: number, r1: number,
    act: number, actStride: number, nTok: number, out: number, outStride: number, scratch: number): void;
  dotF32(x: number, y: number, n: number): number;
  /** 1 when the weight type has a direct kernel (reading the weights without decoding them). */
  hasDirectKernel(type: number): number;
  /** The activation layout (`ActKind`) matmul wants for a weight type in this build. */
  activationKind(type: number): number;
  /** The type id of the layout the kernels multiply `type` in (`type` itself for GGUF's layout). */
  packedType(type: number): number;
  /** Bytes of one row of n values in the layout of packedType(type) (0 when it is GGUF's). */
  packedRowBytes(type: number, n: number): number;
  /**
   * Rewrites rows of GGUF `type` at src (srcRowBytes apart) into the packed layout at dst;
   * src may lie inside dst's region if it does not start before dst. scratch: one source row.
   */
  packRows(type: number, src: number, srcRowBytes: number, n: number, rows: number, dst: number, scratch: number): void;
  /** Runs chunks of the job descriptor at `job` until none are left (see assembly/jobs.ts). */
  runJob(job: number, scratch: number): void;
  rmsNorm(x: number, w: number, n: number, rows: number, eps: number, out: number): void;
  add(a: number, b: number, n: number, out: number): void;
  addRows(x: number, bias: number, n: number, rows: number): void;
  scale(x: number, n: number, s: number): void;
  softcap(x: number, n: number, cap: number): void;
  swiglu(g: number, u: number, n: number, out: number): void;
  geglu(g: number, u: number, n: number, out: number, table: number): void;
  toF16(src: number, n: number, dst: number): void;
  rope(x: number, nTok: number, nHeads: number, headDim: number, nRot: number, cs: number, neox: number): void;
  /** Keys per block of the attention kernel (its scratch holds one block of widened rows). */
  attentionKeyBlock(): number;
  attention(q: number, nTok: number, pos0: number, kCache: number, vCache: number,
    nHeads: number, nKvHeads: number, headDim: number, kqScale: number, cap: number, window: number,
    out: number, scratch: number): void;
}

/** Activation layouts the kernels convert matmul inputs to (ggml's `vec_dot_type`s). */
export const ActKind = { F32: 0, F16: 1, BF16: 2, Q8_0: 3, Q8_1: 4, Q8_K: 5, Q8_0_I16: 6, Q8_K_I16: 7, Q8_K_I8: 8, Q8_0_I8: 9 } as const;

/** Number of activation layouts. */
export const ACT_KINDS = 10;

/** Job kinds of `runJob`. */
export const JobOp = { Matmul: 1, Attention: 2, Read: 3 } as const;
