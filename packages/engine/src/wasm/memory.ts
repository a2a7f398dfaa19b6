import { compileEngineModule, type KernelBuild, type WasmSource } from './module.js';
import type { EngineKernels } from './kernels.js';

const PAGE = 65536;
/** wasm32 addresses 4 GiB: 65536 pages of 64 KiB. */
export const MAX_WASM_BYTES = 65536 * PAGE;

/**
 * One engine instance: the kernels and the linear memory they work in, with a bump
 * allocator. Everything the model needs is allocated once at load; nothing is freed.
 */
export class EngineMemory {
  readonly kernels: EngineKernels;
  readonly memory: WebAssembly.Memory;
  /** The compiled module (worker threads instantiate it over the same memory). */
  readonly module: WebAssembly.Module;
  private top: number;

  private constructor(kernels: EngineKernels, memory: WebAssembly.Memory, module: WebAssembly.Module) {
    this.kernels = kernels;
    this.memory = memory;
    this.module = module;
    this.top = align(kernels.heapBase(), 64);
  }

  /**
   * Instantiates the kernels over a fresh memory of at least `bytes` bytes; with `shared`,
   * a shared memory (for worker threads) and the kernels built for one; with `relaxed`, the
   * kernels built with relaxed SIMD (default file locations; `wasm` overrides them).
   */
  static async create(bytes: number, wasm?: WasmSource, shared = false, relaxed = false): Promise<EngineMemory> {
    const build: KernelBuild = { shared, relaxed };
    const module = await compileEngineModule(wasm, build);
    const pages = Math.ceil((bytes + 1024 * 1024) / PAGE);
    if (pages > 65536) {
      throw new RangeError(`the model needs ${formatBytes(bytes)} of WebAssembly memory; wasm32 can address at most 4 GiB`);
    }
    // a shared memory must declare its maximum; the whole wasm32 range costs only address space
    const memory = shared
      ? new WebAssembly.Memory({ initial: pages, maximum: 65536, shared: true })
      : new WebAssembly.Memory({ initial: pages });
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    return new EngineMemory(instance.exports as unknown as EngineKernels, memory, module);
  }

  /** Whether the memory is shared (usable by worker threads). */
  get shared(): boolean {
    return typeof SharedArrayBuffer !== 'undefined' && this.memory.buffer instanceof SharedArrayBuffer;
  }

  /** Reserves `bytes` bytes aligned to `alignment` and returns their address. */
  alloc(bytes: number, alignment = 64): number {
    const ptr = align(this.top, alignment);
    const end = ptr + bytes;
    if (end > this.memory.buffer.byteLength) {
      const more = Math.ceil((end - this.memory.buffer.byteLength) / PAGE);
      if (this.memory.buffer.byteLength / PAGE + more > 65536) {
        throw new RangeError(`out of WebAssembly memory: ${formatBytes(end)} needed, wasm32 can address at most 4 GiB`);
      }
      this.memory.grow(more);
    }
    this.top = end;
    return ptr;
  }

  /** Bytes in use. */
  get used(): number {
    return this.top;
  }

  /** A Float32Array view of `n` floats at `ptr` (views die when memory grows; do not keep them). */
  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, n);
  }

  /** A byte view of `n` bytes at `ptr`. */
  u8(ptr: number, n: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, ptr, n);
  }
}

function align(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

/** "1.23 GiB"-style size for messages. */
export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024).toFixed(1)} KiB`;
}
