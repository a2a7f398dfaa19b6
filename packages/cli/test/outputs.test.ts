/**
 * The same flags for the same jobs: `-o/--outfile` names every output (older positional
 * and flag forms still work), and every reporting command prints one line of JSON.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gguf } from '@huggingface/gguf';
import { runCli } from './run-cli.js';
import { exampleModel } from './paths.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-outputs-'));
const sha = (p: string) => createHash('sha256').update(fs.readFileSync(p)).digest('hex');
const original = sha(exampleModel);

async function json(args: string[]): Promise<any> {
  const r = await runCli(args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout.endsWith('\n')).toBe(true);
  expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
  return JSON.parse(r.stdout);
}

describe('rewrite', () => {
  it.each([
    ['-o', (out: string) => ['rewrite', exampleModel, '-o', out]],
    ['--outfile', (out: string) => ['rewrite', exampleModel, '--outfile', out]],
    ['a positional', (out: string) => ['rewrite', exampleModel, out]],
  ])('writes the same bytes with %s and reports JSON', async (_how, args) => {
    const out = path.join(tmp, `rewrite-${_how.replace(/\W/g, '')}.gguf`);
    const j = await json([...args(out), '--json']);
    expect(j).toEqual({ output: out, bytes: fs.statSync(exampleModel).size, tensors: 57 });
    expect(sha(out)).toBe(original);
  });

  it('accepts the same path given twice', async () => {
    const out = path.join(tmp, 'twice.gguf');
    expect((await runCli(['rewrite', exampleModel, out, '-o', out])).code).toBe(0);
  });
});

describe('meta', () => {
  it('-o and the older --output name the output; --json lists the edits', async () => {
    for (const flag of ['-o', '--output']) {
      const out = path.join(tmp, `meta${flag}.gguf`);
      const j = await json(['meta', exampleModel, flag, out, '--set', 'general.name=Renamed', '--delete', 'tokenizer.chat_template', '--json']);
      expect(j).toEqual({ output: out, bytes: fs.statSync(out).size, set: ['general.name'], deleted: ['tokenizer.chat_template'], renamed: {} });
      const { metadata } = await gguf(out, { allowLocalFile: true });
      expect((metadata as unknown as Record<string, unknown>)['general.name']).toBe('Renamed');
    }
  });
});

describe('split and merge', () => {
  it('split -o PREFIX --json lists the shards; merge -o joins them; inspect --summary sees one model', async () => {
    const prefix = path.join(tmp, 'shards', 'tl');
    const s = await json(['split', exampleModel, '-o', prefix, '--split-max-tensors', '20', '--json']);
    expect(s.shards.map((p: string) => path.basename(p))).toEqual(['tl-00001-of-00003.gguf', 'tl-00002-of-00003.gguf', 'tl-00003-of-00003.gguf']);
    for (const p of s.shards) expect(fs.existsSync(p)).toBe(true);

    const whole = await json(['inspect', exampleModel, '--summary', '--json']);
    const sharded = await json(['inspect', s.shards[0], '--summary', '--json']);
    expect(sharded.parameters).toBe(whole.parameters);
    expect(sharded.types).toEqual(whole.types);

    const merged = path.join(tmp, 'merged.gguf');
    const m = await json(['merge', s.shards[0], '--outfile', merged, '--json']);
    expect(m).toEqual({ output: merged, bytes: fs.statSync(merged).size });
    const again = path.join(tmp, 'merged-positional.gguf');
    expect((await runCli(['merge', s.shards[0], again])).code).toBe(0);
    expect(sha(again)).toBe(sha(merged));
  });
});

describe('quantize-rows and dequantize-rows', () => {
  it('-o, --outfile and the older --out write the same bytes; --json reports the shape', async () => {
    const cols = 256;
    const rows = 3;
    const values = new Float32Array(rows * cols).map((_, i) => Math.sin(i * 0.37) * (1 + (i % 7)));
    const inp = path.join(tmp, 'x.f32');
    fs.writeFileSync(inp, Buffer.from(values.buffer));
    const outs = ['-o', '--outfile', '--out'].map((f) => [f, path.join(tmp, `q${f}.bin`)] as const);
    for (const [flag, out] of outs) {
      const j = await json(['quantize-rows', '--type', 'q4_K', '--cols', String(cols), '--in', inp, flag, out, '--json']);
      expect(j).toEqual({ output: out, type: 'Q4_K', rows, cols, bytes: rows * 144 });
      expect(fs.statSync(out).size).toBe(rows * 144);
    }
    expect(new Set(outs.map(([, o]) => sha(o))).size).toBe(1);
    const deq = path.join(tmp, 'x.deq.f32');
    const d = await json(['dequantize-rows', '--type', 'Q4_K', '--cols', String(cols), '--in', outs[0][1], '-o', deq, '--json']);
    expect(d).toEqual({ output: deq, type: 'Q4_K', rows, cols, bytes: rows * cols * 4 });
  });

  it('refuses a missing output name with exit code 1', async () => {
    const r = await runCli(['quantize-rows', '--type', 'q8_0', '--cols', '32', '--in', 'x.f32']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/-o\/--outfile/);
  });
});

describe('engine commands', () => {
  const prompt = 'The PostgreSQL server';

  it('tokenize --json is the text output as a JSON array', async () => {
    const ids = await json(['tokenize', exampleModel, prompt, '--json']);
    const text = await runCli(['tokenize', exampleModel, prompt]);
    expect(text.stdout).toBe(ids.join(' ') + '\n');
    expect(ids.length).toBeGreaterThan(0);
  });

  it('run --json and logits --json agree on the greedy next token', async () => {
    const run = await json(['run', exampleModel, '-p', prompt, '-n', '3', '--temp', '0', '--threads', '1', '--json']);
    expect(run.tokens).toHaveLength(3);
    expect(run.stopReason).toBe('maxTokens');
    expect(run.threads).toBe(1);
    expect(run.tokensPerSecond).toBeGreaterThan(0);
    expect(typeof run.text).toBe('string');

    const ids: number[] = await json(['tokenize', exampleModel, prompt, '--bos', '--json']);
    expect(run.promptTokens).toBe(ids.length);
    const out = path.join(tmp, 'logits.f32');
    const l = await json(['logits', exampleModel, '--tokens', [...ids, run.tokens[0]].join(','), '-o', out, '--threads', '1', '--json']);
    expect(l.output).toBe(out);
    expect(l.positions).toBe(ids.length + 1);
    expect(l.vocab).toBe(4096);
    expect(l.bytes).toBe(l.positions * l.vocab * 4);
    expect(fs.statSync(out).size).toBe(l.bytes);
    // greedy decoding picks the argmax of the last prompt position, then of the next one
    expect(l.top[ids.length - 1].argmax).toBe(run.tokens[0]);
    expect(l.top[ids.length].argmax).toBe(run.tokens[1]);
    const f = new Float32Array(fs.readFileSync(out).buffer.slice(0));
    expect(l.top[0].max).toBe(Math.max(...f.subarray(0, l.vocab)));
  });

  it('logits --json without -o writes nothing; without both it asks for -o', async () => {
    const before = fs.readdirSync(tmp).length;
    const l = await json(['logits', exampleModel, '--tokens', '0,1,2', '--json']);
    expect(l.output).toBeNull();
    expect(fs.readdirSync(tmp).length).toBe(before);
    const r = await runCli(['logits', exampleModel, '--tokens', '0,1,2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/-o\/--outfile/);
  });

  it('run prints the prompt, the continuation, and tokens/s on stderr', async () => {
    const r = await runCli(['run', exampleModel, '-p', prompt, '-n', '4', '--temp', '0']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(prompt)).toBe(true);
    expect(r.stderr).toMatch(/^\[\d+ prompt tokens, 4 generated in [\d.]+ s, [\d.]+ tokens\/s, \d+ thread\(s\)\]\n$/);
    const bare = await runCli(['run', exampleModel, '-p', prompt, '-n', '4', '--temp', '0', '--no-display-prompt']);
    expect(prompt + bare.stdout).toBe(r.stdout);
  });
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
