/**
 * Locating and compiling the quantizers' WebAssembly module (`wasm/quants.wasm`, built
 * from `assembly/` by `npm run build:wasm -w @ggufkit/quants`). The path is the same
 * relative to this file in `src/` and in `dist/`.
 */

/** Where the compiled quantizers live. */
export const QUANTS_WASM_URL = new URL('../../wasm/quants.wasm', import.meta.url);

/** What can provide the quantizers' WebAssembly module: a compiled module, its bytes, or a URL/path to fetch or read. */
export type QuantsWasmSource = WebAssembly.Module | ArrayBuffer | Uint8Array | URL | string;

const BUILD_HINT = 'run "npm run build:wasm -w @ggufkit/quants"';

let defaultModule: WebAssembly.Module | undefined;
let defaultModulePromise: Promise<WebAssembly.Module> | undefined;

function toURL(source: URL | string): URL {
  return source instanceof URL ? source : new URL(source, QUANTS_WASM_URL);
}

async function readBytes(url: URL): Promise<Uint8Array> {
  if (url.protocol === 'file:') {
    const fs = await import('node:fs/promises');
    try {
      return new Uint8Array(await fs.readFile(url));
    } catch (err) {
      throw new Error(`cannot read the quantizers' WebAssembly module at ${url.pathname}; ${BUILD_HINT}`, { cause: err });
    }
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot fetch the quantizers' WebAssembly module from ${url.href}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Compiles the quantizers' module from `source` (default: the built `wasm/quants.wasm`), once per process for the default. */
export async function compileQuantsModule(source?: QuantsWasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) return WebAssembly.compile(source as BufferSource);
  if (source !== undefined) return WebAssembly.compile((await readBytes(toURL(source))) as BufferSource);
  if (defaultModule) return defaultModule;
  defaultModulePromise ??= readBytes(QUANTS_WASM_URL).then(async (b) => (defaultModule = await WebAssembly.compile(b as BufferSource)));
  return defaultModulePromise;
}

/**
 * The default module, compiled synchronously: from a previous `compileQuantsModule()`,
 * or read from disk when running under Node. Elsewhere (browsers) call
 * `initFastQuants()` first; until then this throws.
 */
export function defaultQuantsModuleSync(): WebAssembly.Module {
  if (defaultModule) return defaultModule;
  const fs = typeof process !== 'undefined' && typeof process.getBuiltinModule === 'function'
    ? (process.getBuiltinModule('node:fs') as typeof import('node:fs'))
    : undefined;
  if (!fs || QUANTS_WASM_URL.protocol !== 'file:') {
    throw new Error('the fast quantizers are not loaded yet: await initFastQuants() before calling them synchronously (Node 20.16+ loads them on first use)');
  }
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(QUANTS_WASM_URL);
  } catch (err) {
    throw new Error(`cannot read the quantizers' WebAssembly module at ${QUANTS_WASM_URL.pathname}; ${BUILD_HINT}`, { cause: err });
  }
  defaultModule = new WebAssembly.Module(bytes as BufferSource);
  return defaultModule;
}
