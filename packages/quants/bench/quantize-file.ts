/**
 * File quantization speed: a TinyLlama-1.1B-shaped f16 GGUF (random weights, written once
 * into `.bench-cache/`) to Q4_K_M with `quantizeGGUF` and the streaming writer, as
 * `ggufkit quantize` does it, on 1 and 2 threads; next to llama.cpp's `llama-quantize` on
 * the same kind of file and machine (69 s on 2 threads). The outputs of every thread count
 * are checked to be the same bytes.
 *
 *   node --import tsx packages/quants/bench/quantize-file.ts [--threads 1,2] [--ftype Q4_K_M]
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { quantizeGGUF } from '@ggufkit/convert';
import { openGGUFFile, writeGGUFFile } from '@ggufkit/gguf/node';
import { benchModel, cacheDir } from '../../engine/bench/make-model.js';

/** llama-quantize, TinyLlama-1.1B f16 to Q4_K_M, 2 threads, on this kind of machine (seconds). */
const LLAMA_CPP_Q4_K_M_2T_SECONDS = 69;

const { values: args } = parseArgs({ options: { threads: { type: 'string', default: '1,2' }, ftype: { type: 'string', default: 'Q4_K_M' } } });

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

const input = await benchModel('F16', (s) => console.log(s));
const inputBytes = fs.statSync(input).size;
console.log(`${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}`);
console.log(`quantizing ${path.relative(process.cwd(), input)} (${(inputBytes / 1e9).toFixed(2)} GB f16) to ${args.ftype}\n`);
const out = path.join(cacheDir, `quantize-bench-${args.ftype}.gguf`);
let reference: string | undefined;
const rows: string[] = [];
for (const threads of args.threads.split(',').map(Number)) {
  const src = await openGGUFFile(input);
  const q = quantizeGGUF(src, { ftype: args.ftype, threads, prefetch: threads > 1 });
  const t0 = performance.now();
  try {
    await writeGGUFFile(out, q.header, q.tensors);
  } finally {
    await q.close();
    await src.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  const digest = await sha256(out);
  reference ??= digest;
  if (digest !== reference) throw new Error(`${threads} threads wrote different bytes`);
  const ratio = args.ftype === 'Q4_K_M' && threads === 2 ? ` | llama.cpp 2 threads ${LLAMA_CPP_Q4_K_M_2T_SECONDS} s | ${(LLAMA_CPP_Q4_K_M_2T_SECONDS / seconds).toFixed(2)}x` : '';
  const row = `${threads} thread(s): ${seconds.toFixed(1)} s, ${(inputBytes / 1e6 / seconds).toFixed(0)} MB/s of f16 input${ratio}`;
  console.log(row);
  rows.push(row);
}
fs.rmSync(out, { force: true });
console.log(`\nsame bytes for every thread count (sha256 ${reference?.slice(0, 16)}...)`);
