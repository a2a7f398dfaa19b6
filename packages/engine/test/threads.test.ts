/**
 * Worker threads: the forward pass on 2 and 3 threads gives the same bits as on one
 * thread (prompt logits and greedy decoding), for each kernel family, on the shared models.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openGGUFFile } from '@ggufkit/gguf/node';
import { loadModelFromFile, type Model } from '../src/model.js';
import { threadsSupported } from '../src/wasm/threads.js';
import { describeIfExists, sharedDir } from './helpers/shared.js';

const models = path.join(sharedDir, 'models');
const files = [
  'tl-bpe/llama.cpp/tl-bpe-convert-f16.gguf',
  'tl-bpe/llama.cpp/tl-bpe-quantize-Q4_0.gguf',
  'tl-bpe/llama.cpp/tl-bpe-convert-q8_0.gguf',
  'tl-bpe/llama.cpp/tl-bpe-quantize-Q4_K_M.gguf',
  'tl-spm/llama.cpp/tl-spm-quantize-Q3_K_M.gguf',
  'rg-gemma2/llama.cpp/rg-gemma2-quantize-Q4_K_M.gguf',
  'tq-qwen2/llama.cpp/tq-qwen2-convert-q8_0.gguf',
].filter((f) => fs.existsSync(path.join(models, f)));

async function load(file: string, threads: number): Promise<Model> {
  const f = await openGGUFFile(path.join(models, file));
  return loadModelFromFile(f, { contextLength: 160, batchSize: 16, threads }).finally(() => f.close());
}

function sameBits(a: Float32Array, b: Float32Array): { length: number; firstDiff: number } {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let firstDiff = -1;
  for (let i = 0; i < x.length && firstDiff < 0; i++) if (x[i] !== y[i]) firstDiff = i;
  return { length: a.length === b.length ? a.length : -1, firstDiff };
}

const prompt = 'The function returns a list of rows, ordered by the primary key. It raises an error when';

describe('thread options', () => {
  it('rejects a thread count that is not a positive integer', async () => {
    for (const threads of [0, -1, 1.5, Number.NaN]) {
      await expect(loadModelFromFile({ metadata: [], tensors: [], get: () => undefined, readTensorData: async () => new Uint8Array() }, { threads }))
        .rejects.toThrow(RangeError);
    }
  });

  it('has shared memory and workers in Node', () => {
    expect(threadsSupported()).toBe(true);
  });
});

describeIfExists(models, 'thread tests on the shared models')('logits do not depend on the thread count', () => {
  it.each(files)('%s', async (file) => {
    const one = await load(file, 1);
    const ids = one.tokenize(prompt);
    // 40 prompt tokens in batches of 16, then a 24-token greedy continuation (single-token steps)
    const ref = one.logits(ids);
    const refGen = await one.generate(ids, { maxTokens: 24, temperature: 0 });
    one.dispose();
    // 3 threads on fewer cores is slow (spinning threads wait for descheduled ones): 2 files only
    for (const threads of files.indexOf(file) < 2 ? [2, 3] : [2]) {
      const m = await load(file, threads);
      try {
        expect(m.threads).toBe(threads);
        expect(sameBits(m.logits(ids), ref)).toEqual({ length: ref.length, firstDiff: -1 });
        expect((await m.generate(ids, { maxTokens: 24, temperature: 0 })).tokens).toEqual(refGen.tokens);
      } finally {
        m.dispose();
      }
    }
  });

  it('refuses to compute after dispose', async () => {
    const m = await load(files[0]!, 2);
    m.dispose();
    expect(() => m.logits([1, 2, 3])).toThrow('disposed');
  });
});
