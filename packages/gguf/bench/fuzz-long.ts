/**
 * The long fuzz run (the CI test runs a few thousand variants; this runs many more).
 *
 *   npx tsx packages/gguf/bench/fuzz-long.ts [iterationsPerBase=50000] [firstSeed=1000]
 *
 * Also fuzzes the shared model files when ../shared/models exists. Exits non-zero on the
 * first outcome that is neither a parsed file nor a GGUFError.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openGGUF } from '../src/index.js';
import { fuzzBase, handBuiltBases, type FuzzStats } from '../test/fuzz-engine.js';

const iterations = Number(process.argv[2] ?? 50000);
let seed = Number(process.argv[3] ?? 1000);
const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');

const bases: Array<[string, Uint8Array]> = handBuiltBases().map((b, i) => [`hand-built-${i}`, b]);
bases.push(['tl-bpe-Q4_K_M (repo fixture)', new Uint8Array(readFileSync(join(repoRoot, 'examples/models/tl-bpe-Q4_K_M.gguf')))]);
const models = resolve(repoRoot, '../shared/models');
if (existsSync(models)) {
  for (const m of readdirSync(models)) {
    const d = join(models, m, 'llama.cpp');
    if (!existsSync(d)) continue;
    const first = readdirSync(d).filter((n) => n.endsWith('.gguf')).sort()[0];
    if (first) bases.push([`${m}/${first}`, new Uint8Array(readFileSync(join(d, first)))]);
  }
}

for (const [label, bytes] of bases) {
  const stats: FuzzStats = { ok: 0, errors: new Map() };
  const t0 = performance.now();
  const headerEnd = (await openGGUF(bytes)).headerLength;
  try {
    await fuzzBase(bytes, headerEnd, iterations, seed, stats, label);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
  console.log(`${label}: ${iterations} variants (seed ${seed}) in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${stats.ok} parsed, ${[...stats.errors].map(([k, v]) => `${v} ${k}`).join(', ')}`);
  seed++;
}
