/**
 * A tensor in the middle of conversion. Like llama.cpp's converter (PyTorch), f16 data
 * stays f16 until the output type is applied and every other dtype is widened to f32 on
 * load, so arithmetic on f16 weights (Gemma's norm +1) rounds as PyTorch's half ops do.
 */
import { bf16ArrayToF32, f16ArrayToF32, f16ToF32, f32ToF16 } from '@ggufkit/tensor-layout';
import type { CheckpointDType } from '../checkpoint/dtypes.js';

export type WorkTensor =
  | { readonly dtype: 'f32'; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly dtype: 'f16'; readonly shape: readonly number[]; readonly data: Uint16Array };

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function aligned(bytes: Uint8Array, align: number): Uint8Array {
  return bytes.byteOffset % align === 0 ? bytes : bytes.slice();
}

/** Decodes raw little-endian checkpoint bytes into a working tensor. */
export function decodeTensor(dtype: CheckpointDType, shape: readonly number[], raw: Uint8Array): WorkTensor {
  if (!LITTLE_ENDIAN) throw new RangeError('big-endian hosts are not supported');
  const n = raw.byteLength;
  switch (dtype) {
    case 'F16': {
      const b = aligned(raw, 2);
      return { dtype: 'f16', shape, data: new Uint16Array(b.buffer, b.byteOffset, n / 2) };
    }
    case 'F32': {
      const b = aligned(raw, 4);
      return { dtype: 'f32', shape, data: new Float32Array(b.buffer, b.byteOffset, n / 4) };
    }
    case 'BF16': {
      const b = aligned(raw, 2);
      return { dtype: 'f32', shape, data: bf16ArrayToF32(new Uint16Array(b.buffer, b.byteOffset, n / 2)) };
    }
    case 'F64': {
      const b = aligned(raw, 8);
      return { dtype: 'f32', shape, data: Float32Array.from(new Float64Array(b.buffer, b.byteOffset, n / 8)) };
    }
    case 'I64': {
      const b = aligned(raw, 8);
      const src = new BigInt64Array(b.buffer, b.byteOffset, n / 8);
      const out = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = Number(src[i]!);
      return { dtype: 'f32', shape, data: out };
    }
    case 'I32': {
      const b = aligned(raw, 4);
      return { dtype: 'f32', shape, data: Float32Array.from(new Int32Array(b.buffer, b.byteOffset, n / 4)) };
    }
    case 'I16': {
      const b = aligned(raw, 2);
      return { dtype: 'f32', shape, data: Float32Array.from(new Int16Array(b.buffer, b.byteOffset, n / 2)) };
    }
    case 'I8':
      return { dtype: 'f32', shape, data: Float32Array.from(new Int8Array(raw.buffer, raw.byteOffset, n)) };
    case 'U8':
      return { dtype: 'f32', shape, data: Float32Array.from(raw) };
    case 'BOOL':
      return { dtype: 'f32', shape, data: Float32Array.from(raw, (v) => (v !== 0 ? 1 : 0)) };
  }
}

/** The tensor with a new shape (same element count). */
export function reshape(t: WorkTensor, shape: readonly number[]): WorkTensor {
  return { ...t, shape } as WorkTensor;
}

/** PyTorch's `squeeze()`: drops every dimension of size 1. */
export function squeezeShape(shape: readonly number[]): number[] {
  return shape.filter((d) => d !== 1);
}

/** Adds a scalar with PyTorch's rounding: in f32 for f32 tensors, in f32 then back to f16 for f16 tensors. */
export function addScalar(t: WorkTensor, v: number): WorkTensor {
  if (t.dtype === 'f32') {
    const out = new Float32Array(t.data.length);
    for (let i = 0; i < out.length; i++) out[i] = t.data[i]! + v;
    return { dtype: 'f32', shape: t.shape, data: out };
  }
  const out = new Uint16Array(t.data.length);
  const fround = Math.fround;
  for (let i = 0; i < out.length; i++) out[i] = f32ToF16(fround(f16ToF32(t.data[i]!) + v));
  return { dtype: 'f16', shape: t.shape, data: out };
}

/** The first `rows` rows (slice along dimension 0). */
export function sliceRows(t: WorkTensor, rows: number): WorkTensor {
  const rowLen = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const shape = [rows, ...t.shape.slice(1)];
  return (t.dtype === 'f32'
    ? { dtype: 'f32', shape, data: t.data.subarray(0, rows * rowLen) }
    : { dtype: 'f16', shape, data: t.data.subarray(0, rows * rowLen) }) as WorkTensor;
}

/** Values as f32 (exact for f16). */
export function toF32(t: WorkTensor): Float32Array {
  return t.dtype === 'f32' ? t.data : f16ArrayToF32(t.data);
}
