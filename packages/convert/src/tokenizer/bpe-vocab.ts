/**
 * Byte-level BPE vocabulary (`tokenizer.ggml.model = gpt2`) from tokenizer.json, as
 * llama.cpp's `get_vocab_base` builds it: ids without a token become `[PAD<i>]` unused
 * tokens; added tokens are control tokens when flagged special or special-looking, else
 * user-defined (with SentencePiece's U+2581 turned back into spaces).
 */
import { detectPreTokenizer } from './pre-tokenizer.js';
import { doesTokenLookSpecial, TokenType, type GGUFVocab } from './token-types.js';
import { fullVocab, type TokenizerJson } from './tokenizer-json.js';

export interface BpeVocabOptions {
  /** `config.json`'s `vocab_size`; defaults to the tokenizer's own size. */
  vocabSize?: number;
  /** Forces `tokenizer.ggml.pre` instead of detecting it. */
  pre?: string;
}

export function buildBpeVocab(t: TokenizerJson, opts: BpeVocabOptions = {}): GGUFVocab {
  const vocab = fullVocab(t);
  const n = opts.vocabSize ?? vocab.size;
  let maxId = -1;
  for (const id of vocab.values()) if (id > maxId) maxId = id;
  if (maxId >= n) throw new RangeError(`tokenizer.json has token id ${maxId}, but the vocabulary size is ${n}`);
  const reverse: (string | undefined)[] = new Array(n).fill(undefined);
  for (const [tok, id] of vocab) reverse[id] = tok;
  const pre = opts.pre ?? detectPreTokenizer(t);
  const added = new Map<number, { content: string; special: boolean }>();
  for (const a of t.added_tokens ?? []) added.set(a.id, { content: a.content, special: a.special === true });
  const addedContents = new Set((t.added_tokens ?? []).map((a) => a.content));
  const tokens: string[] = new Array(n);
  const types = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const tok = reverse[i];
    if (tok === undefined) {
      tokens[i] = `[PAD${i}]`;
      types[i] = TokenType.UNUSED;
    } else if (addedContents.has(tok)) {
      if (added.get(i)?.special || doesTokenLookSpecial(tok)) {
        tokens[i] = tok;
        types[i] = TokenType.CONTROL;
      } else {
        tokens[i] = tok.replace(/\u2581/g, ' ');
        types[i] = TokenType.USER_DEFINED;
      }
    } else {
      tokens[i] = tok;
      types[i] = TokenType.NORMAL;
    }
  }
  return { model: 'gpt2', pre, tokens, types };
}

/** True when tokenizer.json describes a byte-level BPE (GPT-2 style) tokenizer. */
export function isByteLevelBpe(t: TokenizerJson): boolean {
  return t.model.type === 'BPE' && !t.model.byte_fallback;
}
