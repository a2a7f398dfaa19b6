/**
 * The public model API on a real model: greedy generation reproduces llama.cpp's greedy
 * continuation, streaming, cancellation, seeded sampling, and the load-time errors.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadModelFromFile, type Model } from '../src/model.js';
import type { ModelFile } from '../src/model/model-file.js';
import { openGGUFFile } from '@ggufkit/gguf/node';
import { describeIfExists, sharedDir } from './helpers/shared.js';

const modelDir = path.join(sharedDir, 'models/tl-bpe/llama.cpp');


describeIfExists(modelDir, 'model API tests on tl-bpe')('Model on tl-bpe F16', () => {
  let model: Model;
  const manifest = fs.existsSync(modelDir) ? JSON.parse(fs.readFileSync(path.join(modelDir, 'logits/manifest.json'), 'utf8')) : undefined;

  beforeAll(async () => {
    const file = await openGGUFFile(path.join(modelDir, 'tl-bpe-convert-f16.gguf'));
    model = await loadModelFromFile(file, { contextLength: 128 }).finally(() => file.close());
  });

  it('describes itself', () => {
    expect(model.architecture).toBe('llama');
    expect(model.vocabSize).toBe(4096);
    expect(model.contextLength).toBe(128);
    expect(model.hparams.nKvHeads).toBe(2);
  });

  it('generates llama.cpp greedy continuations with temperature 0', async () => {
    for (let i = 0; i < manifest.prompts.length; i++) {
      const p = manifest.prompts[i];
      const r = await model.generate(p.text, { maxTokens: 24, temperature: 0 });
      expect(r.promptTokens).toBe(p.ids.length);
      expect(r.tokens).toEqual(manifest.files.F16.greedy24[i]);
      expect(r.stopReason).toBe('maxTokens');
    }
  });

  it('streams pieces that add up to the text', async () => {
    const pieces: string[] = [];
    const r = await model.generate('def fibonacci(n):', { maxTokens: 12, temperature: 0, onToken: (t) => { pieces.push(t.text); } });
    expect(pieces.join('')).toBe(r.text);
    expect(pieces).toHaveLength(12);
  });

  it('stops when the callback returns false', async () => {
    let n = 0;
    const r = await model.generate('SELECT', { maxTokens: 50, temperature: 0, onToken: () => ++n < 3 });
    expect(r.tokens).toHaveLength(3);
    expect(r.stopReason).toBe('callback');
  });

  it('is cancelled by an AbortSignal', async () => {
    const ac = new AbortController();
    const p = model.generate('The quick', { maxTokens: 100, temperature: 0, signal: ac.signal, onToken: (t) => { if (t.id >= 0) ac.abort(new Error('stop here')); } });
    await expect(p).rejects.toThrow('stop here');
    const pre = new AbortController();
    pre.abort();
    await expect(model.generate('x', { signal: pre.signal })).rejects.toThrow();
  });

  it('samples reproducibly for a seed', async () => {
    const opts = { maxTokens: 16, temperature: 1.0, topK: 50, topP: 0.95, minP: 0.01, seed: 1234 };
    const a = await model.generate('The quick brown', opts);
    const b = await model.generate('The quick brown', opts);
    expect(a.tokens).toEqual(b.tokens);
    const others = await Promise.all([1, 2, 3].map((s) => model.generate('The quick brown', { ...opts, seed: s })));
    expect(others.some((o) => JSON.stringify(o.tokens) !== JSON.stringify(a.tokens))).toBe(true);
  });

  it('logits of a prefix equal the first rows of a longer sequence', () => {
    const ids = manifest.prompts[0].ids as number[];
    const all = model.logits(ids);
    const head = model.logits(ids.slice(0, 5));
    expect(Array.from(head)).toEqual(Array.from(all.subarray(0, 5 * model.vocabSize)));
  });

  it('rejects token ids outside the vocabulary and sequences beyond the context', () => {
    expect(() => model.logits([0, 5000])).toThrow(RangeError);
    expect(() => model.logits(new Array(129).fill(1))).toThrow(/context/);
  });
});

function fakeFile(metadata: Record<string, unknown>, tensors: Array<{ name: string; ne: number[]; type: number }>): ModelFile {
  const entries = Object.entries(metadata).map(([key, value]) => ({ key, type: 4, value })) as unknown as ModelFile['metadata'];
  const byKey = new Map(entries.map((e) => [e.key, e]));
  return {
    metadata: entries,
    tensors: tensors.map((t) => ({ ...t, offset: 0, byteLength: t.ne.reduce((a, b) => a * b, 2) })),
    get: (k) => byKey.get(k),
    readTensorData: async () => { throw new Error('not expected to read data'); },
  };
}

describe('load errors', () => {
  it('names the supported architectures for an unknown one', async () => {
    const f = fakeFile({ 'general.architecture': 'mamba' }, []);
    await expect(loadModelFromFile(f, { name: 'm.gguf' })).rejects.toThrow(/architecture "mamba" is not supported; supported: llama, qwen2, qwen3, phi3, gemma2, gemma3/);
  });

  it('names the size when the model does not fit wasm32 memory', async () => {
    const dim = 16384, ff = 53248, layers = 16, vocab = 128256;
    const md = {
      'general.architecture': 'llama', 'llama.embedding_length': dim, 'llama.block_count': layers,
      'llama.attention.head_count': 128, 'llama.attention.head_count_kv': 8, 'llama.feed_forward_length': ff,
      'llama.attention.layer_norm_rms_epsilon': 1e-5, 'llama.context_length': 4096,
    };
    const t: Array<{ name: string; ne: number[]; type: number }> = [
      { name: 'token_embd.weight', ne: [dim, vocab], type: 1 }, { name: 'output_norm.weight', ne: [dim], type: 0 },
    ];
    for (let i = 0; i < layers; i++) {
      const b = `blk.${i}.`;
      t.push({ name: `${b}attn_norm.weight`, ne: [dim], type: 0 }, { name: `${b}ffn_norm.weight`, ne: [dim], type: 0 },
        { name: `${b}attn_q.weight`, ne: [dim, dim], type: 1 }, { name: `${b}attn_k.weight`, ne: [dim, 1024], type: 1 },
        { name: `${b}attn_v.weight`, ne: [dim, 1024], type: 1 }, { name: `${b}attn_output.weight`, ne: [dim, dim], type: 1 },
        { name: `${b}ffn_gate.weight`, ne: [dim, ff], type: 1 }, { name: `${b}ffn_up.weight`, ne: [dim, ff], type: 1 },
        { name: `${b}ffn_down.weight`, ne: [ff, dim], type: 1 });
    }
    await expect(loadModelFromFile(fakeFile(md, t), { name: 'big.gguf' })).rejects.toThrow(/big\.gguf: the model needs [\d.]+ GiB of WebAssembly memory .* limited to 4 GiB/);
  });

  it('names a missing tensor', async () => {
    const md = {
      'general.architecture': 'llama', 'llama.embedding_length': 64, 'llama.block_count': 1,
      'llama.attention.head_count': 2, 'llama.feed_forward_length': 128, 'llama.attention.layer_norm_rms_epsilon': 1e-5,
    };
    await expect(loadModelFromFile(fakeFile(md, [{ name: 'token_embd.weight', ne: [64, 100], type: 0 }]), { name: 'x.gguf' }))
      .rejects.toThrow('x.gguf: tensor output_norm.weight is missing');
  });
});
