/**
 * Builds the browser demo into `examples/browser/dist/`, a static site:
 * `index.html`, `style.css`, `app.js` (the page), `generate-worker.js` (the generation
 * worker) and `engine/` (the engine's WebAssembly kernels and compute-thread script, which
 * the worker passes to `loadModel` as `wasm`, `wasmThreads` and `workerUrl`).
 *
 * The bundles are made from the packages' TypeScript sources, so no `tsc -b` is needed.
 * Run: `npm run build:browser`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
/** Where the demo is built. */
export const distDir = path.join(here, 'dist');

/** `@ggufkit/<pkg>` and `@ggufkit/<pkg>/<entry>` from the sources, as the tests map them. */
const workspaceSources: Plugin = {
  name: 'ggufkit-workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^@ggufkit\/[a-z-]+(\/[a-z-]+)?$/ }, (args) => {
      const [, pkg, entry] = /^@ggufkit\/([a-z-]+)(?:\/([a-z-]+))?$/.exec(args.path)!;
      return { path: path.join(repoRoot, 'packages', pkg!, 'src', `${entry ?? 'index'}.ts`) };
    });
  },
};

/** The engine files the worker loads at run time, and where they come from. */
const engineAssets = [
  ['packages/engine/wasm/engine.wasm', 'engine.wasm'],
  ['packages/engine/wasm/engine-threads.wasm', 'engine-threads.wasm'],
  ['packages/engine/wasm/engine-relaxed.wasm', 'engine-relaxed.wasm'],
  ['packages/engine/wasm/engine-threads-relaxed.wasm', 'engine-threads-relaxed.wasm'],
  ['packages/engine/worker/engine-worker.js', 'engine-worker.js'],
] as const;

/** Builds the demo and returns the output folder. */
export async function buildBrowserDemo(opts: { quiet?: boolean } = {}): Promise<string> {
  for (const [from] of engineAssets) {
    try {
      await fs.access(path.join(repoRoot, from));
    } catch {
      throw new Error(`${from} is missing; run "npm run build:wasm -w @ggufkit/engine" first`);
    }
  }
  await fs.rm(distDir, { recursive: true, force: true });
  await fs.mkdir(path.join(distDir, 'engine'), { recursive: true });
  await build({
    entryPoints: {
      app: path.join(here, 'src/app.ts'),
      'generate-worker': path.join(here, 'src/generate-worker.ts'),
    },
    outdir: distDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    // the engine reaches Node modules only behind runtime checks that fail in a browser
    external: ['node:*'],
    plugins: [workspaceSources],
    logLevel: opts.quiet ? 'error' : 'warning',
  });
  for (const name of ['index.html', 'style.css']) await fs.copyFile(path.join(here, name), path.join(distDir, name));
  for (const [from, to] of engineAssets) await fs.copyFile(path.join(repoRoot, from), path.join(distDir, 'engine', to));
  return distDir;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const out = await buildBrowserDemo();
  const files = await fs.readdir(out, { recursive: true });
  console.log(`built ${path.relative(process.cwd(), out)}: ${files.sort().join(', ')}`);
}
