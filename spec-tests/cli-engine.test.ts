/**
 * The engine commands against llama.cpp's outputs: `tokenize` gives the reference ids,
 * `run --temp 0` gives llama.cpp's greedy continuation, `logits` writes positions x vocab.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../packages/cli/test/run-cli.js';
import { describeIfPresent, modelsDir } from './shared-data.js';

const bpeDir = path.join(modelsDir, 'tl-bpe');
const f16 = path.join(bpeDir, 'llama.cpp/tl-bpe-convert-f16.gguf');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-cli-engine-'));

describeIfPresent(bpeDir, 'CLI engine commands on tl-bpe')('ggufkit tokenize, run, logits on tl-bpe F16', () => {
  const manifest = () => JSON.parse(fs.readFileSync(path.join(bpeDir, 'llama.cpp/logits/manifest.json'), 'utf8'));

  it('tokenize matches the tokenizer reference for the first 20 strings', async () => {
    const ref: Array<{ text: string; ids: number[]; ids_with_bos: number[] }> = JSON.parse(fs.readFileSync(path.join(bpeDir, 'reference/tokenize.json'), 'utf8'));
    for (const entry of ref.filter((e) => e.text !== '').slice(0, 20)) {
      const r = await runCli(['tokenize', f16, entry.text, '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(entry.ids);
      const b = await runCli(['tokenize', f16, entry.text, '--bos', '--json']);
      expect(JSON.parse(b.stdout)).toEqual(entry.ids_with_bos);
    }
  });

  it('run --temp 0 reproduces llama.cpp\'s greedy continuation', async () => {
    const m = manifest();
    const r = await runCli(['run', f16, '-p', m.prompts[0].text, '-n', '24', '--temp', '0', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.promptTokens).toBe(m.prompts[0].ids.length);
    expect(out.tokens).toEqual(m.files.F16.greedy24[0].slice(0, out.tokens.length));
    expect(out.tokens.length).toBeGreaterThan(0);
  });

  it('logits writes every position and agrees with llama.cpp within the F16 band', async () => {
    const m = manifest();
    const ids: number[] = m.prompts[0].ids;
    const out = path.join(tmp, 'l.f32');
    const r = await runCli(['logits', f16, '--tokens', ids.join(','), '--out', out]);
    expect(r.code).toBe(0);
    const ours = new Float32Array(fs.readFileSync(out).buffer.slice(0));
    expect(ours.length).toBe(ids.length * m.vocab);
    const ref = new Float32Array(fs.readFileSync(path.join(bpeDir, 'llama.cpp/logits', m.files.F16.logits)).buffer.slice(0, ours.byteLength));
    let maxDiff = 0;
    for (let i = 0; i < ours.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i]! - ref[i]!));
    expect(maxDiff).toBeLessThanOrEqual(0.05);
  });

  it('rejects a malformed token list with exit code 1', async () => {
    const r = await runCli(['logits', f16, '--tokens', '1,x,3', '--out', path.join(tmp, 'bad.f32')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/"x" is not a token id/);
    expect(fs.existsSync(path.join(tmp, 'bad.f32'))).toBe(false);
  });
});
