/**
 * Locating and compiling the engine's WebAssembly module (`wasm/engine.wasm`, built from
 * `assembly/` by `npm run build:wasm`). The module is compiled once per process; every
 * model gets its own instance and memory.
 */

/** Where the compiled kernels live, relative to this file in `src/` and in `dist/`. */
export const DEFAULT_WASM_URL = new URL('../../wasm/engine.wasm', import.meta.url);
/** The same kernels built for a shared memory (worker threads). */
export const DEFAULT_THREADS_WASM_URL = new URL('../../wasm/engine-threads.wasm', import.meta.url);
/** The kernels built with relaxed SIMD (8-bit dot products), unshared memory. */
export const DEFAULT_RELAXED_WASM_URL = new URL('../../wasm/engine-relaxed.wasm', import.meta.url);
/** The kernels built with relaxed SIMD, shared memory. */
export const DEFAULT_THREADS_RELAXED_WASM_URL = new URL('../../wasm/engine-threads-relaxed.wasm', import.meta.url);

/** What can provide the engine's WebAssembly module. */
export type WasmSource = WebAssembly.Module | ArrayBuffer | Uint8Array | URL | string;

/** Which build of the kernels: for an unshared or a shared memory, with or without relaxed SIMD. */
export interface KernelBuild {
  shared: boolean;
  relaxed: boolean;
}

const defaultModules = new Map<string, Promise<WebAssembly.Module>>();

let relaxedSupport: boolean | undefined;

/**
 * Whether this runtime runs WebAssembly relaxed SIMD (Chrome and Edge 114+, Node 22+; Node 20
 * and 21 with `--experimental-wasm-relaxed-simd`, see `enableRelaxedSimd` in the Node entry).
 */
export function relaxedSimdSupported(): boolean {
  relaxedSupport ??= WebAssembly.validate(relaxedProbe() as BufferSource);
  return relaxedSupport;
}

/** Forgets the cached answer of `relaxedSimdSupported` (after a runtime flag changed). */
export function resetRelaxedSimdProbe(): void {
  relaxedSupport = undefined;
}

function relaxedProbe(): Uint8Array {
  // body: v128.const 0; v128.const 0; i16x8.relaxed_dot_i8x16_i7x16_s (0xfd 0x112); end
  const body = [0x00, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0xfd, 0x92, 0x02, 0x0b];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
    0x03, 0x02, 0x01, 0x00,
    0x0a, body.length + 2, 0x01, body.length, ...body,
  ]);
}

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

/** The default location of a build of the kernels. */
export function defaultWasmUrl(build: KernelBuild): URL {
  if (build.relaxed) return build.shared ? DEFAULT_THREADS_RELAXED_WASM_URL : DEFAULT_RELAXED_WASM_URL;
  return build.shared ? DEFAULT_THREADS_WASM_URL : DEFAULT_WASM_URL;
}

/**
 * Compiles (or returns the already compiled) engine module: `source` when given, else the
 * default file of the requested build.
 */
export function compileEngineModule(source?: WasmSource, build: KernelBuild = { shared: false, relaxed: false }): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) return WebAssembly.compile(source as BufferSource);
  if (source !== undefined) return readBytes(new URL(source)).then((b) => WebAssembly.compile(b as BufferSource));
  const url = defaultWasmUrl(build);
  let module = defaultModules.get(url.href);
  if (!module) {
    module = readBytes(url).then((b) => WebAssembly.compile(b as BufferSource));
    defaultModules.set(url.href, module);
  }
  return module;
}
