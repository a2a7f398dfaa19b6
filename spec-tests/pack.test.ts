/**
 * The packages as npm would publish them: `npm pack` each one, install the tarballs
 * together into an empty project, then import every entry point from plain Node, call
 * something real through each, run the `ggufkit` bin, and compile a TypeScript file
 * against the installed type declarations. Needs the build (`dist/`, the .wasm files)
 * that `npm ci` makes; skips visibly when it is missing or npm cannot pack or install.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gguf } from '@huggingface/gguf';
import { loadModelFile } from '@ggufkit/engine/node';
import { repoRoot } from './shared-data.js';

/** Workspace folder, npm name, and the files each tarball must ship besides dist/, README.md, LICENSE, package.json. */
const PACKAGES: Array<{ dir: string; name: string; extra: string[] }> = [
  { dir: 'tensor-layout', name: '@ggufkit/tensor-layout', extra: [] },
  { dir: 'gguf', name: '@ggufkit/gguf', extra: [] },
  { dir: 'quants', name: '@ggufkit/quants', extra: ['wasm/quants.wasm'] },
  { dir: 'convert', name: '@ggufkit/convert', extra: [] },
  { dir: 'engine', name: '@ggufkit/engine', extra: ['wasm/engine.wasm', 'wasm/engine-threads.wasm', 'wasm/engine-relaxed.wasm', 'wasm/engine-threads-relaxed.wasm', 'worker/engine-worker.js'] },
  { dir: 'cli', name: 'ggufkit', extra: ['bin/ggufkit.js'] },
];

const exampleModel = path.join(repoRoot, 'examples/models/tl-bpe-Q4_K_M.gguf');
const exampleHF = path.join(repoRoot, 'examples/models/tl-bpe-hf');
const PROMPT = 'The PostgreSQL server';

interface Packed { name: string; tarball: string; files: string[] }

/** Why the suite cannot run here, or undefined when it can. */
function missingBuild(): string | undefined {
  for (const p of PACKAGES) {
    const dir = path.join(repoRoot, 'packages', p.dir);
    for (const f of ['dist/index.js', 'dist/index.d.ts', ...p.extra]) {
      if (!fs.existsSync(path.join(dir, f))) return `packages/${p.dir}/${f} is missing (run npm run build)`;
    }
  }
  return undefined;
}

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
}

/** Packs every package into `dest`; undefined (with a warning) when npm itself fails. */
function packAll(dest: string): Packed[] | undefined {
  const out: Packed[] = [];
  try {
    for (const p of PACKAGES) {
      const [info] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dest], path.join(repoRoot, 'packages', p.dir)));
      out.push({ name: info.name, tarball: path.join(dest, info.filename), files: info.files.map((f: { path: string }) => f.path).sort() });
    }
  } catch (err) {
    console.warn(`skipping the npm pack suite: npm pack failed (${(err as Error).message.split('\n')[0]})`);
    return undefined;
  }
  return out;
}

/**
 * Installs the tarballs into a fresh project. Their external dependencies (yargs,
 * cli-progress, fflate) come from the npm cache; only if they are not cached does npm
 * fall back to the registry.
 */
function installAll(project: string, tarballs: string[]): boolean {
  fs.mkdirSync(project, { recursive: true });
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'pack-check', private: true, type: 'module' }));
  for (const mode of ['--offline', '--prefer-offline']) {
    try {
      npm(['install', mode, '--no-audit', '--no-fund', '--no-package-lock', ...tarballs], project);
      return true;
    } catch (err) {
      console.warn(`npm install ${mode} of the tarballs failed: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  console.warn('skipping the npm pack suite: the tarballs could not be installed');
  return false;
}

const why = missingBuild();
if (why) console.warn(`skipping the npm pack suite: ${why}`);
const work = why ? '' : fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-pack-'));
const packed = why ? undefined : packAll(work);
const project = path.join(work, 'project');
const installed = packed !== undefined && installAll(project, packed.map((p) => p.tarball));

(packed ? describe : describe.skip)('npm pack contents', () => {
  it.each(PACKAGES.map((p) => [p.name, p] as const))('%s ships dist, README, LICENSE and its runtime files only', (_name, p) => {
    const files = packed!.find((x) => x.name === p.name)!.files;
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts', ...p.extra]));
    const unexpected = files.filter((f) => !['package.json', 'README.md', 'LICENSE', ...p.extra].includes(f) && !/^dist\/.+\.(js|d\.ts)$/.test(f));
    expect(unexpected).toEqual([]);
    // no tests, benchmarks, sources or source maps
    expect(files.filter((f) => /(^|\/)(test|tests|bench|src|assembly)\/|\.test\.|\.map$/.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
  });

  it.each(PACKAGES.map((p) => [p.name, p] as const))('%s: ESM with an exports map whose targets are in the tarball', (_name, p) => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'packages', p.dir, 'package.json'), 'utf8'));
    const files = packed!.find((x) => x.name === p.name)!.files;
    expect(pkg.type).toBe('module');
    expect(pkg.license).toBe('MIT');
    for (const [entry, target] of Object.entries(pkg.exports as Record<string, { types: string; default: string }>)) {
      expect([entry, files.includes(target.types.replace(/^\.\//, ''))]).toEqual([entry, true]);
      expect([entry, files.includes(target.default.replace(/^\.\//, ''))]).toEqual([entry, true]);
    }
    if (p.dir !== 'cli') expect(pkg.sideEffects).toBe(false);
  });
});

(installed ? describe : describe.skip)('the installed tarballs', () => {
  const script = `
import { f32ToF16, f16ToF32 } from '@ggufkit/tensor-layout';
import { getCodec } from '@ggufkit/quants';
import { openGGUF } from '@ggufkit/gguf';
import { openGGUFFile } from '@ggufkit/gguf/node';
import { quantizeGGUF } from '@ggufkit/convert';
import { convertModel } from '@ggufkit/convert/node';
import { Model } from '@ggufkit/engine';
import { loadModelFile } from '@ggufkit/engine/node';
import { main } from 'ggufkit';
import { readFileSync } from 'node:fs';

const [modelPath, hfDir, prompt] = process.argv.slice(2);
const out = {};
out.f16 = [f32ToF16(1), f32ToF16(65504), f32ToF16(0.1), f16ToF32(0x3555)];
const q8 = getCodec('Q8_0');
const row = Float32Array.from({ length: 32 }, (_, i) => (i - 16) / 4);
const blocks = new Uint8Array(34);
q8.quantize(row, blocks, 1, 32);
const back = new Float32Array(32);
q8.dequantize(blocks, back, 1, 32);
out.q8MaxError = Math.max(...row.map((v, i) => Math.abs(v - back[i])));
const file = await openGGUFFile(modelPath);
out.gguf = { architecture: file.getString('general.architecture'), tensors: file.tensors.length };
await file.close();
const fromBytes = await openGGUF(new Uint8Array(readFileSync(modelPath)));
out.ggufBytes = fromBytes.tensors.length;
out.convert = { quantizeGGUF: typeof quantizeGGUF, ...(await convertModel(hfDir, { outtype: 'f16', dryRun: true })) };
const model = await loadModelFile(modelPath, { threads: 2 });
out.engine = { isModel: model instanceof Model, threads: model.threads, tokens: (await model.generate(prompt, { maxTokens: 8, temperature: 0 })).tokens };
model.dispose();
out.main = typeof main;
console.log(JSON.stringify(out));
`;

  it('imports every entry point from Node and each does real work', async () => {
    fs.writeFileSync(path.join(project, 'check.mjs'), script);
    const r = spawnSync(process.execPath, ['check.mjs', exampleModel, exampleHF, PROMPT], { cwd: project, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    // IEEE binary16: 1.0 = 0x3c00, 65504 = 0x7bff (largest finite), 0.1 rounds to 0x2e66; 0x3555 = 0.333251953125
    expect(out.f16).toEqual([0x3c00, 0x7bff, 0x2e66, 0.333251953125]);
    // Q8_0 steps are max|x|/127 = 4/127 here; round-to-nearest errs by at most half a step (plus f16 scale rounding)
    expect(out.q8MaxError).toBeLessThanOrEqual(4 / 127 / 2 + 1e-3);

    const theirs = await gguf(exampleModel, { allowLocalFile: true, computeParametersCount: true });
    expect(out.gguf).toEqual({ architecture: (theirs.metadata as unknown as Record<string, unknown>)['general.architecture'], tensors: theirs.tensorInfos.length });
    expect(out.ggufBytes).toBe(theirs.tensorInfos.length);
    // the shipped GGUF is a quantization of the shipped HF checkpoint: same tensors, same parameters
    expect(out.convert.quantizeGGUF).toBe('function');
    expect(out.convert.tensorCount).toBe(theirs.tensorInfos.length);
    expect(out.convert.parameterCount).toBe(theirs.parameterCount);

    // the installed engine (its .wasm and worker files) generates what the workspace engine does
    const local = await loadModelFile(exampleModel, { threads: 1 });
    const expected = (await local.generate(PROMPT, { maxTokens: 8, temperature: 0 })).tokens;
    local.dispose();
    expect(out.engine).toEqual({ isModel: true, threads: 2, tokens: expected });
    expect(out.main).toBe('function');
  });

  it('the ggufkit bin runs', () => {
    const bin = path.join(project, 'node_modules/.bin/ggufkit');
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'packages/cli/package.json'), 'utf8'));
    const v = spawnSync(bin, ['--version'], { cwd: project, encoding: 'utf8' });
    expect([v.status, v.stdout.trim(), v.stderr]).toEqual([0, pkg.version, '']);
    const s = spawnSync(bin, ['inspect', exampleModel, '--summary', '--json'], { cwd: project, encoding: 'utf8' });
    expect(s.status).toBe(0);
    expect(JSON.parse(s.stdout).architecture).toBe('llama');
    const bad = spawnSync(bin, ['inspect', path.join(work, 'absent.gguf')], { cwd: project, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^ggufkit: no such file: .*absent\.gguf\n$/);
  });

  it('the type declarations resolve and type-check from a TypeScript consumer', () => {
    fs.writeFileSync(path.join(project, 'check.ts'), `
import { f16ToF32, f32ToF16, parseGGMLType, type GGMLTypeInfo } from '@ggufkit/tensor-layout';
import { openGGUF, type GGUFFile } from '@ggufkit/gguf';
import { openGGUFFile, writeGGUFFile } from '@ggufkit/gguf/node';
import { getCodec, type BlockCodec } from '@ggufkit/quants';
import { quantizeGGUF } from '@ggufkit/convert';
import { convertModel } from '@ggufkit/convert/node';
import { Model, type GenerateResult } from '@ggufkit/engine';
import { loadModelFile } from '@ggufkit/engine/node';
import { main } from 'ggufkit';

const half: number = f32ToF16(0.1);
// @ts-expect-error the codec takes numbers (this line errors only if the types resolved)
f16ToF32('0.1');
const info: GGMLTypeInfo = parseGGMLType('Q4_K');
const codec: BlockCodec = getCodec(info.id);

export async function use(): Promise<number> {
  const file: GGUFFile = await openGGUFFile('model.gguf');
  const arch: string = file.getString('general.architecture');
  const remote: GGUFFile = await openGGUF('https://example.com/model.gguf');
  const model: Model = await loadModelFile('model.gguf', { threads: 1 });
  const r: GenerateResult = await model.generate(arch, { maxTokens: 1, temperature: 0 });
  const summary = await convertModel('dir', { outtype: 'f16', dryRun: true });
  const params: number = summary.parameterCount;
  // @ts-expect-error unknown option names are rejected
  await loadModelFile('model.gguf', { threadz: 1 });
  void [half, codec, remote, r, params, writeGGUFFile, quantizeGGUF];
  return main(['--version']);
}
`);
    fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', lib: ['ES2023', 'DOM'], module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true,
        skipLibCheck: false, types: ['node'], typeRoots: [path.join(repoRoot, 'node_modules/@types')],
      },
      files: ['check.ts'],
    }));
    const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});
