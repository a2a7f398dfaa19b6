/**
 * Locating and compiling the engine's WebAssembly module (`wasm/engine.wasm`, built from
 * `assembly/` by `npm run build:wasm`). The module is compiled once per process; every
 * model gets its own instance and memory.
 */

/** Where the compiled kernels live, relative to this file in `src/` and in `dist/`. */
export const DEFAULT_WASM_URL = new URL('../../wasm/engine.wasm', import.meta.url);
/** The same kernels built for a shared memory (worker threads). */
export const DEFAULT_THREADS_WASM_URL = new URL('../../wasm/engine-threads.wasm', import.meta.url);

/** What can provide the engine's WebAssembly module. */
export type WasmSource = WebAssembly.Module | ArrayBuffer | Uint8Array | URL | string;

let defaultModule: Promise<WebAssembly.Module> | undefined;
let defaultThreadsModule: Promise<WebAssembly.Module> | undefined;

async function readBytes(url: URL): Promise<Uint8Array> {
  if (url.protocol === 'file:') {
    const fs = await import('node:fs/promises');
    try {
      return new Uint8Array(await fs.readFile(url));
    } catch (err) {
      throw new Error(`cannot read the engine's WebAssembly kernels at ${url.pathname}; run "npm run build:wasm -w @ggufkit/engine"`, { cause: err });
    }
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot fetch the engine's WebAssembly kernels from ${url.href}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * Compiles (or returns the already compiled) engine module: `source` when given, else the
 * default build for an unshared memory or, with `shared`, for a shared one.
 */
export function compileEngineModule(source?: WasmSource, shared = false): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) return WebAssembly.compile(source as BufferSource);
  if (source !== undefined) return readBytes(new URL(source)).then((b) => WebAssembly.compile(b as BufferSource));
  if (shared) {
    defaultThreadsModule ??= readBytes(DEFAULT_THREADS_WASM_URL).then((b) => WebAssembly.compile(b as BufferSource));
    return defaultThreadsModule;
  }
  defaultModule ??= readBytes(DEFAULT_WASM_URL).then((b) => WebAssembly.compile(b as BufferSource));
  return defaultModule;
}
