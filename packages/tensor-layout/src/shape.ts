import { requireGGMLType } from './ggml-types.js';

/** ggml's default tensor data alignment when `general.alignment` is absent. */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/**
 * GGUF stores dimensions fastest-first (`ne[0]` is the row length); PyTorch,
 * safetensors and NumPy store them slowest-first. These two are each other's reverse.
 */
export function neToShape(ne: readonly number[]): number[] {
  return [...ne].reverse();
}

/** Row-major (slowest-first) shape to GGUF `ne` order. */
export function shapeToNe(shape: readonly number[]): number[] {
  return [...shape].reverse();
}

/** Number of elements of a tensor. */
export function elementCount(ne: readonly number[]): number {
  let n = 1;
  for (const d of ne) n *= d;
  return n;
}

/** Bytes of one row of `ne0` values of a type. Throws when `ne0` is not a whole number of blocks. */
export function rowBytes(typeId: number, ne0: number): number {
  const info = requireGGMLType(typeId);
  if (info.blockSize === 0 || ne0 % info.blockSize !== 0) {
    throw new RangeError(`row length ${ne0} is not a multiple of ${info.name}'s block size ${info.blockSize}`);
  }
  return (ne0 / info.blockSize) * info.typeSize;
}

/** Bytes of a whole tensor with dimensions `ne` (GGUF order). */
export function tensorBytes(typeId: number, ne: readonly number[]): number {
  if (ne.length === 0) return requireGGMLType(typeId).typeSize;
  let rows = 1;
  for (let i = 1; i < ne.length; i++) rows *= ne[i]!;
  return rowBytes(typeId, ne[0]!) * rows;
}

/** True when a row of `ne0` values can be stored in the type (whole blocks). */
export function fitsBlocks(typeId: number, ne0: number): boolean {
  const info = requireGGMLType(typeId);
  return info.blockSize > 0 && ne0 % info.blockSize === 0;
}

/** `offset` rounded up to a multiple of `alignment` (GGML_PAD). */
export function alignUp(offset: number, alignment: number): number {
  return Math.ceil(offset / alignment) * alignment;
}

/** Number of padding bytes needed after `offset` to reach the next multiple of `alignment`. */
export function paddingFor(offset: number, alignment: number): number {
  return alignUp(offset, alignment) - offset;
}
