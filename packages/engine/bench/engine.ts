/**
 * `npm run bench:engine`: prompt processing and generation speed of @ggufkit/engine next to
 * native llama.cpp (node-llama-cpp) and llama.cpp in WebAssembly (wllama, in headless
 * Chromium), on random-weight TinyLlama-1.1B-shaped files in Q4_0, Q4_K_M and Q8_0, with 1
 * and 2 threads; and the bandwidth bound of generation (bytes of weights read per token
 * over the measured memory read bandwidth). Every peer is optional: a missing one is
 * reported and skipped.
 *
 *   npm run bench:engine -- [--types Q4_0,Q4_K_M,Q8_0] [--threads 1,2] [--pp 512] [--tg 128]
 *                           [--skip native,wllama] [--simd relaxed|baseline]
 *
 * ggufkit runs its relaxed-SIMD kernels (enabled in this process on Node 20-21), or with
 * `--simd baseline` the SIMD128-only build that runtimes without relaxed SIMD use.
 *
 * BENCH_DEBUG=1 shows the wllama page's console and requests.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { openGGUFFile } from '@ggufkit/gguf/node';
import { enableRelaxedSimd, loadTokenizerFile } from '../src/node.js';
import { TokenType } from '../src/tokenizer/vocab.js';
import { readBandwidth } from './bandwidth.js';
import { benchModel, type BenchFileType } from './make-model.js';
import { benchPrompt } from './prompt.js';
import { benchGgufkit } from './run-ggufkit.js';
import { benchNative, closeNative, nativeAvailable } from './run-native.js';
import { startWllama } from './run-wllama.js';
import type { SpeedResult } from './speed.js';

const { values: args } = parseArgs({
  options: {
    types: { type: 'string', default: 'Q4_0,Q4_K_M,Q8_0' },
    threads: { type: 'string', default: '1,2' },
    pp: { type: 'string', default: '512' },
    tg: { type: 'string', default: '128' },
    skip: { type: 'string', default: '' },
    simd: { type: 'string', default: 'relaxed' },
  },
});
if (args.simd !== 'relaxed' && args.simd !== 'baseline') throw new Error(`--simd must be relaxed or baseline, got ${args.simd}`);
const simd = args.simd;
if (simd === 'relaxed' && !enableRelaxedSimd()) throw new Error('this Node cannot run WebAssembly relaxed SIMD; use --simd baseline');
const types = args.types.split(',') as BenchFileType[];
const threadCounts = args.threads.split(',').map(Number);
const ppTokens = Number(args.pp), tgTokens = Number(args.tg);
const skip = new Set(args.skip.split(',').filter(Boolean));
const log = (s: string) => process.stderr.write(`${s}\n`);

/** Bytes of weights a decoding step reads: every tensor but the token embeddings (one row of those). */
async function bytesPerToken(file: string): Promise<number> {
  const f = await openGGUFFile(file);
  try {
    return f.tensors.filter((t) => t.name !== 'token_embd.weight').reduce((s, t) => s + t.byteLength, 0);
  } finally {
    await f.close();
  }
}

interface Row { type: string; threads: number; bound: number; ours?: SpeedResult; native?: SpeedResult; wllama?: SpeedResult }

const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
log(`machine: ${cpu}, ${os.availableParallelism()} cores, Node ${process.versions.node}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);

const bandwidth = new Map<number, number>();
for (const t of threadCounts) {
  bandwidth.set(t, await readBandwidth(t));
  log(`memory read bandwidth, ${t} thread(s): ${(bandwidth.get(t)! / 1e9).toFixed(1)} GB/s`);
}

const skipped: string[] = [];
const nativeWhy = skip.has('native') ? 'skipped by --skip' : await nativeAvailable();
if (nativeWhy) skipped.push(`native (node-llama-cpp): ${nativeWhy}`);
const wllama = skip.has('wllama') ? 'skipped by --skip' : await startWllama().catch((e: Error) => `could not start: ${e.message.split('\n')[0]}`);
if (typeof wllama === 'string') skipped.push(`wllama: ${wllama}`);

const rows: Row[] = [];
const notes = new Set<string>();
for (const type of types) {
  const file = await benchModel(type, log);
  const tok = await loadTokenizerFile(file);
  const pp = benchPrompt(tok, ppTokens);
  const short = benchPrompt(tok, 16);
  const perToken = await bytesPerToken(file);
  for (const threads of threadCounts) {
    const row: Row = { type, threads, bound: bandwidth.get(threads)! / perToken };
    log(`${type}, ${threads} thread(s): ggufkit...`);
    row.ours = await benchGgufkit(file, threads, pp.ids, short.ids, tgTokens, simd);
    if (!nativeWhy) {
      log(`${type}, ${threads} thread(s): node-llama-cpp...`);
      row.native = await benchNative(file, threads, pp.ids, short.ids, tgTokens);
    }
    if (typeof wllama !== 'string') {
      log(`${type}, ${threads} thread(s): wllama...`);
      try {
        const byteTokens = [...tok.vocab.types.keys()].filter((id) => tok.vocab.types[id] === TokenType.BYTE);
        row.wllama = await wllama.run(file, threads, pp.text, short.text, tgTokens, ppTokens + tgTokens + 64, byteTokens);
        if (row.wllama.note) notes.add(row.wllama.note);
      } catch (err) {
        notes.add(`wllama failed on ${type} with ${threads} thread(s): ${(err as Error).message.split('\n')[0]}`);
      }
    }
    rows.push(row);
  }
}
if (typeof wllama !== 'string') await wllama.close();
if (!nativeWhy) await closeNative();

const f1 = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(1));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '-' : `${(a / b).toFixed(2)}x`);
const pct = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '-' : `${((100 * a) / b).toFixed(0)}%`);
const out: string[] = [];
out.push(`TinyLlama-1.1B-shaped random weights; pp${ppTokens} and tg${tgTokens} in tokens/s; bound = memory read bandwidth / weight bytes per token; ggufkit kernels: ${simd === 'relaxed' ? 'relaxed SIMD' : 'SIMD128 only'}.`);
out.push('');
out.push('| file | threads | pp ggufkit | pp native | pp wllama | tg ggufkit | tg native | tg wllama | tg bound | tg ours/wllama | tg ours/native | tg ours/bound | tg native/bound | pp ours/wllama | pp ours/native |');
out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  out.push(`| ${r.type} | ${r.threads} | ${f1(r.ours?.ppTokS)} | ${f1(r.native?.ppTokS)} | ${f1(r.wllama?.ppTokS)} | ` +
    `${f1(r.ours?.tgTokS)} | ${f1(r.native?.tgTokS)} | ${f1(r.wllama?.tgTokS)} | ${f1(r.bound)} | ` +
    `${ratio(r.ours?.tgTokS, r.wllama?.tgTokS)} | ${pct(r.ours?.tgTokS, r.native?.tgTokS)} | ${pct(r.ours?.tgTokS, r.bound)} | ${pct(r.native?.tgTokS, r.bound)} | ` +
    `${ratio(r.ours?.ppTokS, r.wllama?.ppTokS)} | ${pct(r.ours?.ppTokS, r.native?.ppTokS)} |`);
}
out.push('');
out.push(`Memory read bandwidth: ${threadCounts.map((t) => `${t} thread(s) ${(bandwidth.get(t)! / 1e9).toFixed(1)} GB/s`).join(', ')}.`);
out.push(`Machine: ${cpu}, ${os.availableParallelism()} cores, Node ${process.versions.node}, load average at the end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}.`);
for (const s of skipped) out.push(`Skipped ${s}.`);
for (const n of notes) out.push(`Note: ${n}.`);
console.log(out.join('\n'));
process.exit(0);
