/**
 * Header parsing speed: ggufkit's reader against @huggingface/gguf on a synthetic
 * Llama-3-sized header and on the shared model files when present.
 *
 *   npm run bench:parse            (node --expose-gc --import tsx packages/gguf/bench/parse.ts)
 */
import { gguf } from '@huggingface/gguf';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openGGUFFile } from '../src/node.js';
import { syntheticLlama3 } from './synthetic-llama3.js';

const REPS = Number(process.env.REPS ?? 7);
const gc = (globalThis as { gc?: () => void }).gc;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(fn: () => Promise<unknown>, reps: number): Promise<number> {
  await fn(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

async function ours(path: string) {
  const f = await openGGUFFile(path);
  await f.close();
  return f;
}

/** Heap + ArrayBuffer bytes (and RSS) still held by a parsed file, after GC, against its header size. */
async function memory(path: string): Promise<{ heap: number; rss: number; header: number } | undefined> {
  if (!gc) return undefined;
  gc(); gc();
  const m0 = process.memoryUsage();
  const f = await ours(path);
  gc(); gc();
  const m1 = process.memoryUsage();
  const heap = m1.heapUsed + m1.arrayBuffers - (m0.heapUsed + m0.arrayBuffers);
  const rss = m1.rss - m0.rss;
  // keep the file alive until measured
  return { heap, rss, header: f.headerLength };
}

const mb = (n: number) => `${(n / 1048576).toFixed(2)} MB`;

async function bench(label: string, path: string, reps: number): Promise<void> {
  const tOurs = await time(() => ours(path), reps);
  const tHf = await time(() => gguf(path, { allowLocalFile: true }), Math.max(1, Math.ceil(reps / 2)));
  const mem = await memory(path);
  const memText = mem ? `; retained heap+buffers ${mb(mem.heap)} (${(mem.heap / mem.header).toFixed(2)}x header), RSS delta ${mb(mem.rss)}` : '';
  const f = await ours(path);
  console.log(
    `${label}: header ${mb(f.headerLength)}, ${f.tensors.length} tensors | ggufkit ${tOurs.toFixed(1)} ms | @huggingface/gguf ${tHf.toFixed(1)} ms | ratio ${(tHf / tOurs).toFixed(1)}x${memText}`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'ggufkit-bench-'));
try {
  const file = join(dir, 'synthetic-llama3.gguf');
  writeFileSync(file, syntheticLlama3());
  console.log(`node ${process.version}, ${REPS} repetitions (median); ${gc ? '' : 'run with --expose-gc for memory numbers; '}file ${file} (${mb(statSync(file).size)})`);
  await bench('synthetic Llama-3 (128256 tokens, 280147 merges, 291 tensors)', file, REPS);

  const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
  const models = resolve(repoRoot, '../shared/models');
  if (existsSync(models)) {
    for (const m of readdirSync(models)) {
      const d = join(models, m, 'llama.cpp');
      if (!existsSync(d)) continue;
      for (const name of readdirSync(d).filter((n) => n.endsWith('.gguf')).slice(0, 2)) {
        await bench(`${m}/${name}`, join(d, name), REPS);
      }
    }
  } else {
    console.warn(`${models} not found: shared model files skipped`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
