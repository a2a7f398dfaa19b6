/**
 * One instance of the quantizers' WebAssembly module with its own memory: copies rows
 * in, runs the kernels, copies blocks out. Large inputs go through in chunks of rows so
 * the instance's memory stays a few MB whatever the tensor size.
 */
import { requireGGMLType } from '@ggufkit/tensor-layout';
import { compileQuantsModule, defaultQuantsModuleSync, type QuantsWasmSource } from './module.js';
import { FAST_TYPE_IDS, type QuantKernels } from './kernels.js';

const PAGE = 65536;
/** Values handled per kernel call (4 MiB of f32). */
const CHUNK_VALUES = 1 << 20;

function align(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

/** The quantizers in WebAssembly; methods take arguments already checked by the caller (see `getFastCodec` for the checked API). */
export class FastQuantizer {
  private readonly kernels: QuantKernels;
  private readonly base: number;

  private constructor(instance: WebAssembly.Instance) {
    this.kernels = instance.exports as unknown as QuantKernels;
    this.base = align(this.kernels.heapBase(), 64);
  }

  /** Instantiates the module (default: the built `wasm/quants.wasm`). */
  static async create(source?: QuantsWasmSource): Promise<FastQuantizer> {
    const module = await compileQuantsModule(source);
    return new FastQuantizer(await WebAssembly.instantiate(module, {}));
  }

  /** Instantiates an already compiled module synchronously (the default one when omitted; see `defaultQuantsModuleSync`). */
  static createSync(module: WebAssembly.Module = defaultQuantsModuleSync()): FastQuantizer {
    return new FastQuantizer(new WebAssembly.Instance(module, {}));
  }

  /** True when the module quantizes the ggml type id. */
  static supports(typeId: number): boolean {
    return FAST_TYPE_IDS.includes(typeId);
  }

  private reserve(bytes: number): void {
    const mem = this.kernels.memory;
    const need = this.base + bytes;
    if (need > mem.buffer.byteLength) mem.grow(Math.ceil((need - mem.buffer.byteLength) / PAGE));
  }

  /**
   * Quantizes `nrows` rows of `ncols` values from `src` into `dst` (`nrows * rowBytes`
   * bytes) as the type's `BlockCodec.quantize` does; `imatrix` holds `ncols` weights or is null.
   */
  quantize(typeId: number, src: Float32Array, dst: Uint8Array, nrows: number, ncols: number, imatrix: Float32Array | null): void {
    const info = requireGGMLType(typeId);
    const rowBytes = (ncols / info.blockSize) * info.typeSize;
    const chunkRows = Math.max(1, Math.min(nrows, Math.floor(CHUNK_VALUES / Math.max(1, ncols))));
    const imPtr = imatrix ? this.base : 0;
    const srcPtr = this.base + (imatrix ? align(ncols * 4, 64) : 0);
    const dstPtr = srcPtr + align(chunkRows * ncols * 4, 64);
    this.reserve(dstPtr - this.base + chunkRows * rowBytes);
    const buf = this.kernels.memory.buffer;
    if (imatrix) new Float32Array(buf, imPtr, ncols).set(imatrix.subarray(0, ncols));
    const srcView = new Float32Array(buf, srcPtr, chunkRows * ncols);
    const dstView = new Uint8Array(buf, dstPtr, chunkRows * rowBytes);
    for (let r = 0; r < nrows; r += chunkRows) {
      const rows = Math.min(chunkRows, nrows - r);
      srcView.set(src.subarray(r * ncols, (r + rows) * ncols));
      if (this.kernels.quantize(typeId, srcPtr, dstPtr, rows, ncols, imPtr) !== 0) {
        throw new RangeError(`no fast quantizer for ${info.name}`);
      }
      dst.set(rows === chunkRows ? dstView : dstView.subarray(0, rows * rowBytes), r * rowBytes);
    }
  }

  /** Dequantizes `nrows` rows of `ncols` values from `src` into `dst`, as the type's `BlockCodec.dequantize` does. */
  dequantize(typeId: number, src: Uint8Array, dst: Float32Array, nrows: number, ncols: number): void {
    const info = requireGGMLType(typeId);
    const total = nrows * ncols;
    const chunkBlocks = Math.max(1, Math.floor(CHUNK_VALUES / info.blockSize));
    const srcPtr = this.base;
    const dstPtr = srcPtr + align(chunkBlocks * info.typeSize, 64);
    this.reserve(dstPtr - this.base + chunkBlocks * info.blockSize * 4);
    const buf = this.kernels.memory.buffer;
    const totalBlocks = total / info.blockSize;
    for (let b = 0; b < totalBlocks; b += chunkBlocks) {
      const blocks = Math.min(chunkBlocks, totalBlocks - b);
      new Uint8Array(buf, srcPtr, blocks * info.typeSize).set(src.subarray(b * info.typeSize, (b + blocks) * info.typeSize));
      if (this.kernels.dequantize(typeId, srcPtr, dstPtr, blocks) !== 0) throw new RangeError(`no fast dequantizer for ${info.name}`);
      dst.set(new Float32Array(buf, dstPtr, blocks * info.blockSize), b * info.blockSize);
    }
  }
}
