/**
 * `ggufkit perplexity` against llama.cpp's logits: with a chunk the length of a reference
 * prompt, the perplexity the tool reports is the one llama-perplexity's rules give on
 * llama.cpp's own logits for that prompt.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../packages/cli/test/run-cli.js';
import { negativeLogLikelihood } from '@ggufkit/engine';
import { describeIfPresent, modelsDir } from './shared-data.js';

const dir = path.join(modelsDir, 'tl-bpe/llama.cpp');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-cli-ppl-'));

describeIfPresent(dir, 'CLI perplexity on tl-bpe')('ggufkit perplexity', () => {
  it('reports the perplexity of llama.cpp\'s logits under llama-perplexity\'s rules', async () => {
    const man = JSON.parse(fs.readFileSync(path.join(dir, 'logits/manifest.json'), 'utf8'));
    const b = fs.readFileSync(path.join(dir, 'logits', man.files.F16.logits));
    const ref = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    const prompt = man.prompts.reduce((a: { ids: number[] }, p: { ids: number[] }) => (p.ids.length > a.ids.length ? p : a));
    const offset = man.prompts.slice(0, man.prompts.indexOf(prompt)).reduce((s: number, p: { ids: number[] }) => s + p.ids.length, 0);
    const ctx = Math.floor(prompt.ids.length / 2);
    const first = Math.floor(ctx / 2);
    let nll = 0;
    for (let pos = first; pos <= ctx - 2; pos++) {
      nll += negativeLogLikelihood(ref.subarray((offset + pos) * man.vocab, (offset + pos + 1) * man.vocab), prompt.ids[pos + 1]);
    }
    const expected = Math.exp(nll / (ctx - first - 1));
    const text = path.join(tmp, 'prompt.txt');
    fs.writeFileSync(text, prompt.text);
    const r = await runCli(['perplexity', path.join(dir, 'tl-bpe-convert-f16.gguf'), '-f', text, '-c', String(ctx), '--chunks', '1', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.chunks).toBe(1);
    expect(out.scored).toBe(ctx - first - 1);
    // F16 logits differ from llama.cpp's by ~0.015 at most, so the perplexity by well under 1%
    expect(Math.abs(out.perplexity - expected) / expected).toBeLessThan(1e-2);
    const plain = await runCli(['perplexity', path.join(dir, 'tl-bpe-convert-f16.gguf'), '-f', text, '-c', String(ctx), '--chunks', '1']);
    expect(plain.stdout).toMatch(/^perplexity \d+\.\d{4} over 1 chunks/);
  });

  it('refuses a text shorter than two chunks with a one-line message and exit code 1', async () => {
    const text = path.join(tmp, 'short.txt');
    fs.writeFileSync(text, 'too short');
    const r = await runCli(['perplexity', path.join(dir, 'tl-bpe-convert-f16.gguf'), '-f', text, '-c', '512']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/needs at least 1024 tokens/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
