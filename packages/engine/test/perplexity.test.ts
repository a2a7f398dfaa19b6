/**
 * Perplexity as llama.cpp's perplexity tool computes it. Tight check: on a prompt for which
 * llama.cpp's own logits are in the shared fixtures, one chunk's perplexity from our
 * engine equals the perplexity computed from llama.cpp's logits with the tool's rules.
 * Loose check: on held-out prose, the perplexity lies near the held-out perplexity
 * transformers measured for the same model (see the comments there for how they differ).
 */
import fs from 'node:fs';
import path from 'node:path';
import { computePerplexity } from '../src/node.js';
import { negativeLogLikelihood } from '../src/generate/perplexity.js';
import { describeIfExists, readF32, sharedDir } from './helpers/shared.js';

const models = path.join(sharedDir, 'models');

interface Manifest { vocab: number; prompts: Array<{ text: string; ids: number[] }>; files: Record<string, { logits: string }> }

describeIfExists(models, 'perplexity tests on the shared models')('computePerplexity', () => {
  it.each([['tl-bpe', 'F16', 'tl-bpe-convert-f16.gguf'], ['tl-spm', 'F16', 'tl-spm-convert-f16.gguf'], ['tl-spm', 'Q4_K_M', 'tl-spm-quantize-Q4_K_M.gguf']])(
    '%s %s: one chunk equals the perplexity of llama.cpp logits', async (model, key, file) => {
      const dir = path.join(models, model, 'llama.cpp');
      const man: Manifest = JSON.parse(fs.readFileSync(path.join(dir, 'logits/manifest.json'), 'utf8'));
      const ref = readF32(path.join(dir, 'logits', man.files[key]!.logits));
      let offset = 0;
      for (const p of man.prompts) {
        const ctx = Math.floor(p.ids.length / 2);
        // the first chunk is the prompt's first ctx tokens (BOS first), so llama.cpp's logits
        // for the whole prompt are that chunk's logits
        const first = Math.floor(ctx / 2);
        let nll = 0;
        for (let pos = first; pos <= ctx - 2; pos++) {
          nll += negativeLogLikelihood(ref.subarray((offset + pos) * man.vocab, (offset + pos + 1) * man.vocab), p.ids[pos + 1]!);
        }
        const expected = Math.exp(nll / (ctx - first - 1));
        const got = await computePerplexity(path.join(dir, file), p.text, { ctx, chunks: 1, threads: 2 });
        expect(got.tokens).toBe(p.ids.length);
        expect(got.chunks).toBe(1);
        expect(got.scored).toBe(ctx - first - 1);
        // a scored token's NLL moves by at most twice the largest logit difference; the engine's
        // logits differ from llama.cpp's by ~0.015 (F16) and ~0.4 (Q4_K_M) at worst, by far less
        // on average, and 4 to 9 tokens are scored per prompt
        expect(Math.abs(got.perplexity - expected) / expected).toBeLessThan(key === 'F16' ? 1e-2 : 5e-2);
        offset += p.ids.length;
      }
    });

  it('tl-spm F16 on held-out prose is near the transformers held-out perplexity', async () => {
    const ref = JSON.parse(fs.readFileSync(path.join(models, 'tl-spm/reference/transformers.json'), 'utf8'));
    // the held-out snippets of the tokenizer fixtures (heldout.txt itself is not shared)
    const cases: Array<{ text: string; ids: number[] }> = JSON.parse(fs.readFileSync(path.join(models, 'tl-spm/reference/tokenize.json'), 'utf8'));
    const text = cases.filter((c) => c.ids.length > 40).map((c) => c.text).join('\n\n');
    const r = await computePerplexity(path.join(models, 'tl-spm/llama.cpp/tl-spm-convert-f16.gguf'), text, { ctx: 128 });
    expect(r.chunks).toBe(Math.floor(r.tokens / 128));
    // transformers: first 8192 tokens of heldout.txt, chunks of 512 without BOS, every position
    // after the first scored. Here: different (shorter) held-out text, chunks of 128 starting
    // with BOS, only the second half scored. Same model and kind of text, so the same range.
    expect(r.perplexity).toBeGreaterThan(ref.heldout.ppl / 2.5);
    expect(r.perplexity).toBeLessThan(ref.heldout.ppl * 2.5);
    console.log(`tl-spm F16 held-out snippets: perplexity ${r.perplexity.toFixed(2)} (${r.chunks} chunks of 128, ${r.scored} tokens scored); transformers held-out ${ref.heldout.ppl.toFixed(2)}`);
  });

  it('rejects a text shorter than two chunks and a bad ctx', async () => {
    const file = path.join(models, 'tl-spm/llama.cpp/tl-spm-convert-f16.gguf');
    await expect(computePerplexity(file, 'Hello world', { ctx: 16 })).rejects.toThrow('needs at least 32 tokens');
    await expect(computePerplexity(file, 'Hello world', { ctx: 1 })).rejects.toThrow(RangeError);
  });
});
