import type { CheckpointDType } from './dtypes.js';

/** One tensor of a checkpoint: its description, and a lazy read of its raw little-endian bytes. */
export interface CheckpointTensor {
  /** Name as stored in the checkpoint (`model.layers.0.self_attn.q_proj.weight`). */
  readonly name: string;
  readonly dtype: CheckpointDType;
  /** Shape, slowest-varying dimension first (PyTorch order). */
  readonly shape: readonly number[];
  /** Bytes of data (`elements x dtype size`). */
  readonly byteLength: number;
  /** File the tensor lives in, for messages. */
  readonly file: string;
  /** Reads the tensor's bytes (row-major, little-endian). */
  read(): Promise<Uint8Array>;
}

/** All tensors of a (possibly sharded) checkpoint, in the order llama.cpp visits them. */
export interface Checkpoint {
  readonly tensors: readonly CheckpointTensor[];
  /** Closes file handles. */
  close(): Promise<void>;
}

/** Number of elements of a shape (1 for a scalar). */
export function shapeElements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Orders names as Python sorts `str` (by code point), which is the order llama.cpp's
 * safetensors readers list tensors in.
 */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx - cy;
  }
}
