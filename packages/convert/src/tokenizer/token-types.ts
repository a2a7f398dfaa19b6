/** llama.cpp's token types (`tokenizer.ggml.token_type` values; gguf-py `TokenType`). */
export const TokenType = {
  NORMAL: 1,
  UNKNOWN: 2,
  CONTROL: 3,
  USER_DEFINED: 4,
  UNUSED: 5,
  BYTE: 6,
} as const;

/**
 * Added tokens that some models leave marked non-special although they are control
 * tokens (llama.cpp's `does_token_look_special`).
 */
export function doesTokenLookSpecial(text: string): boolean {
  if (text === '<pad>' || text === '<mask>' || text === '<2mass>' || text === '[@BOS@]') return true;
  if (text.startsWith('<|') && text.endsWith('|>')) return true;
  if (text.startsWith('<\uff5c') && text.endsWith('\uff5c>')) return true;
  return text.startsWith('<unused') && text.endsWith('>');
}

/** The vocabulary part of a GGUF: what `tokenizer.ggml.{model,pre,tokens,scores,token_type}` hold. */
export interface GGUFVocab {
  /** `llama` (SentencePiece-style) or `gpt2` (byte-level BPE). */
  model: 'llama' | 'gpt2';
  /** Pre-tokenizer name (`default` for SentencePiece). */
  pre: string;
  tokens: string[];
  /** Present for `llama` vocabularies. */
  scores?: Float32Array;
  types: Int32Array;
}
