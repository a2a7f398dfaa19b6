/**
 * `BlockCodec`s whose quantize and dequantize run in WebAssembly: same arguments, same
 * checks and the same bytes as the scalar codecs `getCodec` returns (the dot product is
 * the scalar one). They share one lazily created instance per thread.
 */
import { parseGGMLType, requireGGMLType, rowBytes } from '@ggufkit/tensor-layout';
import type { BlockCodec } from '../codec.js';
import { checkDequantizeArgs, checkQuantizeArgs } from '../kquants/rows.js';
import { getCodec } from '../registry.js';
import { FastQuantizer } from './quantizer.js';
import { compileQuantsModule, type QuantsWasmSource } from './module.js';

let shared: FastQuantizer | undefined;

/** The instance behind the fast codecs, created synchronously on first use (see `initFastQuants` for browsers). */
function sharedQuantizer(): FastQuantizer {
  shared ??= FastQuantizer.createSync();
  return shared;
}

/**
 * Loads the quantizers' WebAssembly module (default: the built `wasm/quants.wasm`) for
 * the fast codecs. Optional under Node, where the first call loads it synchronously;
 * required first in browsers.
 */
export async function initFastQuants(source?: QuantsWasmSource): Promise<void> {
  const module = await compileQuantsModule(source);
  shared = FastQuantizer.createSync(module);
}

const fastCodecs = new Map<number, BlockCodec>();

function makeFastCodec(scalar: BlockCodec): BlockCodec {
  const type = scalar.type;
  return {
    type,
    acceptsImatrix: scalar.acceptsImatrix,
    vecDotType: scalar.vecDotType,
    quantize(src, dst, nrows, ncols, imatrix) {
      const weights = scalar.acceptsImatrix ? (imatrix ?? null) : null;
      checkQuantizeArgs(type, src, dst, nrows, ncols, weights);
      sharedQuantizer().quantize(type.id, src, dst, nrows, ncols, weights);
    },
    dequantize(src, dst, nrows, ncols) {
      checkDequantizeArgs(type, src, dst, nrows, ncols);
      sharedQuantizer().dequantize(type.id, src, dst, nrows, ncols);
    },
    vecDot: (n, x, xOffset, y, yOffset) => scalar.vecDot(n, x, xOffset, y, yOffset),
  };
}

/** True when a WebAssembly codec exists for the ggml type id. */
export function hasFastCodec(typeId: number): boolean {
  return FastQuantizer.supports(typeId);
}

/**
 * The WebAssembly-backed codec for a ggml type id or name: a drop-in for `getCodec(type)`
 * that gives the same bytes faster. Throws a `RangeError` for a type without one.
 */
export function getFastCodec(type: number | string): BlockCodec {
  const info = typeof type === 'string' ? parseGGMLType(type) : requireGGMLType(type);
  let codec = fastCodecs.get(info.id);
  if (!codec) {
    const scalar = getCodec(info.id);
    if (!FastQuantizer.supports(info.id)) throw new RangeError(`no fast codec for ${info.name}`);
    codec = makeFastCodec(scalar);
    fastCodecs.set(info.id, codec);
  }
  return codec;
}

/**
 * The codec to use for a ggml type: the WebAssembly one where it exists (same bytes as the
 * scalar reference, several times faster), else the scalar `getCodec(type)`.
 */
export function preferredCodec(type: number): BlockCodec {
  return hasFastCodec(type) ? getFastCodec(type) : getCodec(type);
}

function checkRowCount(name: string, nrows: number): void {
  if (!Number.isSafeInteger(nrows) || nrows < 0) throw new RangeError(`${name}: row count ${nrows} is not a non-negative integer`);
}

/**
 * `quantizeRows` through WebAssembly: quantizes `nrows` rows of `ncols` f32 values to the
 * ggml block type `type` (id or name), with `imatrix` (one weight per column) when the
 * type takes one. Same bytes as the scalar reference.
 */
export function quantizeFast(type: number | string, src: Float32Array, nrows: number, ncols: number, imatrix?: Float32Array | null): Uint8Array {
  const codec = getFastCodec(type);
  checkRowCount(codec.type.name, nrows);
  const out = new Uint8Array(nrows * rowBytes(codec.type.id, ncols));
  codec.quantize(src, out, nrows, ncols, imatrix ?? null);
  return out;
}

/** `dequantizeRows` through WebAssembly: `nrows` rows of `ncols` values of type `type` from `bytes`, same bits as the scalar reference. */
export function dequantizeFast(type: number | string, bytes: Uint8Array, nrows: number, ncols: number): Float32Array {
  const codec = getFastCodec(type);
  checkRowCount(codec.type.name, nrows);
  rowBytes(codec.type.id, ncols);
  const out = new Float32Array(nrows * ncols);
  codec.dequantize(bytes, out, nrows, ncols);
  return out;
}
