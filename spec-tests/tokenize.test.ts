/**
 * The engine's tokenizer against the models' own tokenizers (reference/tokenize.json: ~190
 * strings without and with BOS) and against llama.cpp's tokenization of the logits prompts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadTokenizerFromFile } from '../packages/engine/src/model.js';
import type { Tokenizer } from '../packages/engine/src/tokenizer/tokenizer.js';
import { describeWithModels, modelsDir, modelsWithLogits, openModelFile, readManifest } from './engine-helpers.js';

async function tokenizerOf(model: string): Promise<Tokenizer> {
  const file = path.join(modelsDir, model, 'llama.cpp', `${model}-convert-f16.gguf`);
  return loadTokenizerFromFile(await openModelFile(file), file);
}

const withReference = ['tl-bpe', 'tl-spm'].filter((m) => fs.existsSync(path.join(modelsDir, m, 'reference/tokenize.json')));

/** `describe.each` that tolerates an empty table (the shared models are absent): jest rejects empty tables. */
function describeEach<T>(table: readonly T[]): (name: string, fn: (row: T) => void) => void {
  return table.length > 0 ? (name, fn) => describe.each(table.map((row) => [row] as [T]))(name, (row: T) => fn(row)) : () => {};
}

describeWithModels('tokenizer conformance')('tokenizer', () => {
  describeEach(withReference)('%s matches its Hugging Face tokenizer', (model) => {
    const cases: Array<{ text: string; ids: number[]; ids_with_bos: number[] }> =
      JSON.parse(fs.readFileSync(path.join(modelsDir, model, 'reference/tokenize.json'), 'utf8'));
    let tok: Tokenizer;
    beforeAll(async () => { tok = await tokenizerOf(model); });
    it.each(cases.map((c, i) => [i, JSON.stringify(c.text).slice(0, 40), c] as const))('#%d %s', (_i, _name, c) => {
      expect(tok.tokenize(c.text, { bos: false })).toEqual(c.ids);
      expect(tok.tokenize(c.text, { bos: true })).toEqual(c.ids_with_bos);
    });
  });

  describeEach(modelsWithLogits())('%s matches llama.cpp on the logits prompts', (model) => {
    it('tokenizes every prompt as llama.cpp did', async () => {
      const tok = await tokenizerOf(model);
      for (const p of readManifest(model).prompts) expect(tok.tokenize(p.text)).toEqual(p.ids);
    });
  });

  describeEach(withReference)('%s detokenizes', (model) => {
    it('round-trips text that has no clean-up-sensitive spacing', async () => {
      const tok = await tokenizerOf(model);
      for (const text of ['Hello world', 'def f(x):\n    return x * 2\n', 'café naïve 日本語 🦙', 'tab\tseparated\tvalues']) {
        expect(tok.detokenize(tok.tokenize(text, { bos: false }))).toBe(text);
      }
    });
  });

  it('keeps the prefixed space after BOS, as llama_detokenize does', async () => {
    // llama.cpp strips the space a SentencePiece tokenizer prefixed only from the first
    // piece; with BOS first, that piece is BOS and the space stays.
    const tok = await tokenizerOf('tl-spm');
    expect(tok.detokenize(tok.tokenize('Hello world', { bos: true }))).toBe(' Hello world');
    expect(tok.detokenize(tok.tokenize('Hello world', { bos: true }), { special: true })).toBe('<s> Hello world');
  });
});
