/**
 * Refusing silent overflow: values that the target type cannot hold (beyond f16's range,
 * or block scales that overflow f16) would turn into inf/NaN in the file, which llama.cpp
 * writes without a word. ggufkit names the tensor instead, unless overflow is allowed.
 */
import { preferredCodec } from '@ggufkit/quants';
import { GGMLType, requireGGMLType } from '@ggufkit/tensor-layout';

/** Thrown when a tensor's values do not fit its target type. */
export class TensorOverflowError extends RangeError {
  override readonly name = 'TensorOverflowError';
}

function firstNonFinite(decoded: Float32Array, src: Float32Array): number {
  for (let i = 0; i < decoded.length; i++) {
    const d = decoded[i]!;
    if ((d === Infinity || d === -Infinity || d !== d) && Number.isFinite(src[i]!)) return i;
  }
  return -1;
}

/**
 * Throws a {@link TensorOverflowError} naming the tensor when `encoded` (the tensor in
 * `type`) holds inf or NaN where the f32 source `src` had a finite value.
 */
export function assertNoOverflow(tensorName: string, type: number, src: Float32Array, encoded: Uint8Array): void {
  let decoded: Float32Array;
  if (type === GGMLType.F32 || type === GGMLType.BF16) return; // bf16 has f32's range
  if (type === GGMLType.F16) {
    const h = new Uint16Array(encoded.buffer, encoded.byteOffset, encoded.byteLength / 2);
    for (let i = 0; i < h.length; i++) {
      if ((h[i]! & 0x7c00) === 0x7c00 && Number.isFinite(src[i]!)) {
        throw new TensorOverflowError(`tensor ${tensorName}: value ${src[i]} at index ${i} overflows F16 (max 65504); pass allowOverflow / --allow-overflow to write it anyway`);
      }
    }
    return;
  }
  const info = requireGGMLType(type);
  decoded = new Float32Array(src.length);
  const ncols = src.length; // one long row is enough to dequantize every block
  preferredCodec(type).dequantize(encoded, decoded, 1, ncols - (ncols % info.blockSize));
  const i = firstNonFinite(decoded, src);
  if (i >= 0) {
    throw new TensorOverflowError(`tensor ${tensorName}: the ${info.name} block holding index ${i} gets a non-finite scale (values too large for an f16 scale); pass allowOverflow / --allow-overflow to write it anyway`);
  }
}
