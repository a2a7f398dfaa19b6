import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hasCodec } from '@ggufkit/quants';
import { parseGGMLType } from '@ggufkit/tensor-layout';
import { runCli } from './run-cli.js';

const golden = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../../../../shared/golden/quants');
const have = existsSync(path.join(golden, 'manifest.json'));
if (!have) console.warn(`skipping quantize-rows golden checks: ${golden} not found`);

interface Case { type: string; dist: string; rows: number; cols: number; input: string; imatrix: string | null; quantized: string; dequantized: string; sha256: string; outOfF16Range: boolean }

const cases: Case[] = have ? JSON.parse(readFileSync(path.join(golden, 'manifest.json'), 'utf8')).cases : [];
const runnable = cases.filter((c) => hasCodec(parseGGMLType(c.type).id) && !c.outOfF16Range);

(have ? describe : describe.skip)('quantize-rows / dequantize-rows reproduce ggml goldens', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ggufkit-rows-'));
  it('has codecs for the golden types', () => {
    expect(runnable.length).toBeGreaterThan(0);
  });
  it.each(runnable.map((c) => [`${c.type} ${c.dist}${c.imatrix ? ' imatrix' : ''}`, c] as const))('%s', async (_name, c) => {
    const out = path.join(dir, `${c.quantized}`);
    const args = ['quantize-rows', '--type', c.type.toUpperCase(), '--cols', String(c.cols), '--in', path.join(golden, c.input), '--out', out];
    if (c.imatrix) args.push('--imatrix', path.join(golden, c.imatrix));
    const q = await runCli(args);
    expect(q.stderr).toBe('');
    expect(q.code).toBe(0);
    expect(createHash('sha256').update(readFileSync(out)).digest('hex')).toBe(c.sha256);
    const deq = path.join(dir, `${c.quantized}.deq`);
    const d = await runCli(['dequantize-rows', '--type', c.type, '--cols', String(c.cols), '--in', path.join(golden, c.quantized), '--out', deq]);
    expect(d.code).toBe(0);
    expect(Buffer.compare(readFileSync(deq), readFileSync(path.join(golden, c.dequantized)))).toBe(0);
  });
});

describe('quantize-rows input errors', () => {
  it('rejects a row length that is not a multiple of the block size with exit code 1', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ggufkit-rows-'));
    const inp = path.join(dir, 'x.f32');
    writeFileSync(inp, Buffer.from(new Float32Array(200).buffer));
    const r = await runCli(['quantize-rows', '--type', 'q4_K', '--cols', '100', '--in', inp, '--out', path.join(dir, 'y.bin')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a multiple/);
    expect(existsSync(path.join(dir, 'y.bin'))).toBe(false);
  });
  it('rejects an unknown type name', async () => {
    const r = await runCli(['quantize-rows', '--type', 'q9_9', '--cols', '32', '--in', 'x', '--out', 'y']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown ggml type "q9_9"/);
  });
});
