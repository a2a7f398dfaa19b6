/**
 * Final encoding of a tensor into a GGUF type, computed as gguf-py computes it with
 * NumPy: f16 by `astype(float16)` (round to nearest even, NaN payload kept as NumPy does),
 * bf16 as ggml rounds it, Q8_0 by gguf-py's vectorised reference (f32 arithmetic,
 * ties away from zero).
 */
import { f32ArrayToBF16, GGMLType } from '@ggufkit/tensor-layout';
import { f32ArrayToF16Numpy, f32BitsToF16Numpy } from './f16.js';
import { toF32, type WorkTensor } from './work-tensor.js';

// Module-level aliases: hot loops then avoid global lookups, which are slow in VM contexts.
const { abs, floor, fround } = Math;
const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);

/** NumPy's float32 -> float16 conversion of one value (bit pattern). */
export function f32ToF16Numpy(v: number): number {
  f32buf[0] = v;
  return f32BitsToF16Numpy(u32buf[0]!);
}

function bytesOf(a: Float32Array | Uint16Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Q8_0 blocks of 32 values: f16 scale `max|x| / 127`, then `round(x / scale)` as int8. */
export function quantizeQ8_0Numpy(src: Float32Array): Uint8Array {
  if (src.length % 32 !== 0) throw new RangeError(`Q8_0 needs a multiple of 32 values, got ${src.length}`);
  const nb = src.length / 32;
  const out = new Uint8Array(nb * 34);
  const dv = new DataView(out.buffer);
  for (let b = 0; b < nb; b++) {
    const o = b * 32;
    let amax = 0;
    for (let i = 0; i < 32; i++) {
      const a = abs(src[o + i]!);
      if (a > amax || a !== a) amax = a;
    }
    const d = fround(amax / 127);
    const id = d === 0 ? 0 : fround(1 / d);
    dv.setUint16(b * 34, f32ToF16Numpy(d), true);
    for (let i = 0; i < 32; i++) {
      const x = fround(src[o + i]! * id);
      // gguf-py's np_roundf: floor(|x|) + floor(2 * frac), sign restored (ties away from zero)
      const a = abs(x);
      const fl = floor(a);
      const r = fl + floor(fround(2 * fround(a - fl)));
      const q = x < 0 ? -r : r;
      out[b * 34 + 2 + i] = q & 0xff;
    }
  }
  return out;
}

/** Encodes a working tensor as the given GGUF type. */
export function encodeTensor(t: WorkTensor, type: number): Uint8Array {
  switch (type) {
    case GGMLType.F32:
      return bytesOf(toF32(t));
    case GGMLType.F16: {
      if (t.dtype === 'f16') return bytesOf(t.data);
      return bytesOf(f32ArrayToF16Numpy(t.data));
    }
    case GGMLType.BF16:
      return bytesOf(f32ArrayToBF16(toF32(t)));
    case GGMLType.Q8_0:
      return quantizeQ8_0Numpy(toF32(t));
    default:
      throw new RangeError(`cannot encode to ggml type ${type} during conversion`);
  }
}
