/**
 * `tokenizer.ggml.pre`: which pre-tokenizer llama.cpp must apply before BPE.
 *
 * llama.cpp's converter identifies it by hashing the token ids a reference tokenizer
 * produces for a fixed text, which needs a full tokenizer at conversion time. ggufkit
 * reads the pre-tokenizer description in tokenizer.json instead: the split regexes (and
 * digit splitting) determine the name, and a model whose regex is Llama 3's is
 * `llama-bpe` whatever its architecture, just as the hash would say.
 */
import type { TokenizerJson } from './tokenizer-json.js';

const LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
const TEKKEN = "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const GPT4O = "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/**
 * Pre-tokenizer signatures -> llama.cpp pre-tokenizer names. A signature is the list of
 * steps (`regex:<pattern>`, `digits`, `bytelevel-regex` for ByteLevel's built-in GPT-2
 * regex) joined with ` | `.
 */
export const PRE_TOKENIZER_TABLE: ReadonlyMap<string, string> = new Map([
  [`regex:${LLAMA3}`, 'llama-bpe'],
  [`regex:${QWEN2}`, 'qwen2'],
  [`regex:${GPT2}`, 'gpt-2'],
  ['bytelevel-regex', 'gpt-2'],
  [`regex:${TEKKEN}`, 'tekken'],
  [`regex:${GPT4O}`, 'gpt-4o'],
  ['digits | bytelevel-regex', 'smollm'],
]);

/** The step list of a tokenizer.json pre-tokenizer, as used for table lookup. */
export function preTokenizerSignature(preTokenizer: unknown): string {
  const steps: string[] = [];
  const visit = (p: unknown) => {
    if (typeof p !== 'object' || p === null) return;
    const o = p as Record<string, unknown>;
    switch (o['type']) {
      case 'Sequence':
        for (const c of (o['pretokenizers'] as unknown[] | undefined) ?? []) visit(c);
        break;
      case 'Split': {
        const pat = o['pattern'] as { Regex?: unknown; String?: unknown } | undefined;
        if (typeof pat?.Regex === 'string') steps.push(`regex:${pat.Regex}`);
        else if (typeof pat?.String === 'string') steps.push(`string:${pat.String}`);
        break;
      }
      case 'ByteLevel':
        if (o['use_regex'] !== false) steps.push('bytelevel-regex');
        break;
      case 'Digits':
        steps.push(o['individual_digits'] ? 'digits' : 'digits-grouped');
        break;
      default:
        steps.push(String(o['type']));
    }
  };
  visit(preTokenizer);
  return steps.join(' | ');
}

/**
 * The `tokenizer.ggml.pre` name for a byte-level BPE tokenizer.json. Throws a
 * `RangeError` showing the signature when the pre-tokenizer is not in the table; callers
 * can then pass the name explicitly.
 */
export function detectPreTokenizer(t: TokenizerJson): string {
  const sig = preTokenizerSignature(t.pre_tokenizer);
  const name = PRE_TOKENIZER_TABLE.get(sig);
  if (name === undefined) {
    throw new RangeError(`the BPE pre-tokenizer was not recognized (signature: ${JSON.stringify(sig)}); pass the llama.cpp pre-tokenizer name explicitly (tokenizerPre option)`);
  }
  return name;
}
