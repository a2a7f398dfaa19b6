/**
 * The vocabulary as llama.cpp reads it from `tokenizer.ggml.*` metadata: token texts,
 * scores and types, BPE merges, special token ids, and the per-tokenizer flags
 * (BOS/EOS insertion, space prefix, merge skipping, space clean-up) with llama.cpp's defaults.
 */
import type { Metadata } from '../model/model-file.js';

/** `tokenizer.ggml.token_type` values. */
export const TokenType = { UNDEFINED: 0, NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

/** Pre-tokenizers (regex word splitters) for byte-level BPE vocabularies. */
export type PreTokenizer = 'llama3' | 'qwen2' | 'gpt2' | 'default';

export interface Vocab {
  readonly kind: 'spm' | 'bpe';
  readonly tokens: readonly string[];
  readonly scores: Float32Array;
  readonly types: Uint8Array;
  readonly tokenToId: ReadonlyMap<string, number>;
  /** BPE merge ranks keyed by `"left right"`. */
  readonly mergeRanks: ReadonlyMap<string, number>;
  readonly pre: PreTokenizer;
  readonly bos: number;
  readonly eos: number;
  readonly eot: number;
  readonly unk: number;
  readonly addBos: boolean;
  readonly addEos: boolean;
  readonly addSpacePrefix: boolean;
  readonly ignoreMerges: boolean;
  readonly cleanSpaces: boolean;
  /** Control, user-defined and unknown tokens, longest text first: matched in raw text. */
  readonly specialTokens: readonly number[];
  /** Tokens that end generation. */
  readonly endOfGeneration: ReadonlySet<number>;
}

const EOG_TEXTS = new Set([
  '<|eot_id|>', '<|im_end|>', '<|end|>', '<|return|>', '<|call|>', '<end_of_turn>', '<|endoftext|>',
  '<|eom_id|>', '<EOT>', '_<EOT>', '<|end_of_text|>', '<｜end▁of▁sentence｜>', '<end_of_utterance>',
]);
const EOT_TEXTS = new Set([
  '<|eot_id|>', '<|im_end|>', '<|end|>', '<end_of_turn>', '<|endoftext|>', '<|end_of_text|>',
  '<EOT>', '_<EOT>', '<｜end▁of▁sentence｜>', '<end_of_utterance>',
]);

/** Reads the vocabulary; throws a TypeError for tokenizer models the engine does not implement. */
export function readVocab(md: Metadata, file: string): Vocab {
  const model = md.string('tokenizer.ggml.model');
  if (model !== 'llama' && model !== 'gpt2') {
    throw new TypeError(`${file}: tokenizer model "${model}" is not supported; supported: llama (SentencePiece), gpt2 (byte-level BPE)`);
  }
  const kind = model === 'llama' ? 'spm' : 'bpe';
  const tokens = md.strings('tokenizer.ggml.tokens');
  if (!tokens) throw new TypeError(`${file}: metadata key tokenizer.ggml.tokens is missing`);
  const n = tokens.length;
  const scores = new Float32Array(n);
  const sc = md.numbers('tokenizer.ggml.scores');
  if (sc) scores.set(sc.slice(0, n));
  const types = new Uint8Array(n).fill(TokenType.NORMAL);
  const ty = md.numbers('tokenizer.ggml.token_type');
  if (ty) for (let i = 0; i < n; i++) types[i] = ty[i]! >= 1 && ty[i]! <= 6 ? ty[i]! : TokenType.UNDEFINED;
  const tokenToId = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    if (tokens[i] === '') tokens[i] = `[EMPTY_${i}]`;
    tokenToId.set(tokens[i]!, i);
  }

  const mergeRanks = new Map<string, number>();
  let pre: PreTokenizer = 'default';
  let addBos: boolean, addEos = false, addSpacePrefix: boolean, ignoreMerges = false, cleanSpaces: boolean;
  let bos: number, eos: number, unk: number;
  if (kind === 'spm') {
    bos = 1; eos = 2; unk = 0;
    addBos = true; addSpacePrefix = true; cleanSpaces = false;
  } else {
    const merges = md.strings('tokenizer.ggml.merges');
    if (!merges) throw new TypeError(`${file}: metadata key tokenizer.ggml.merges is missing`);
    merges.forEach((m, i) => {
      const sp = m.indexOf(' ', 1);
      if (sp > 0) mergeRanks.set(m, i);
    });
    bos = 11; eos = 11; unk = -1;
    addBos = false; addSpacePrefix = false; cleanSpaces = true;
    const preName = md.string('tokenizer.ggml.pre', 'default');
    if (['llama3', 'llama-v3', 'llama-bpe', 'falcon3'].includes(preName)) {
      pre = 'llama3'; ignoreMerges = true; addBos = true;
    } else if (['qwen2', 'deepseek-r1-qwen', 'megrez'].includes(preName)) {
      pre = 'qwen2'; cleanSpaces = preName === 'megrez';
    } else if (['gpt-2', 'phi-2', 'jina-es', 'jina-de', 'gigachat', 'jina-v2-es', 'jina-v2-de', 'mpt', 'olmo'].includes(preName)) {
      pre = 'gpt2';
    } else if (preName === 'default') {
      pre = 'default';
    } else {
      throw new TypeError(`${file}: BPE pre-tokenizer "${preName}" is not supported; supported: llama-bpe, qwen2, gpt-2, default`);
    }
  }
  addSpacePrefix = md.bool('tokenizer.ggml.add_space_prefix', addSpacePrefix);
  const id = (key: string, fallback: number): number => {
    const v = md.number(key, -1);
    return v >= 0 && v < n ? v : fallback;
  };
  bos = id('tokenizer.ggml.bos_token_id', bos);
  eos = id('tokenizer.ggml.eos_token_id', eos);
  unk = id('tokenizer.ggml.unknown_token_id', unk);
  let eot = id('tokenizer.ggml.eot_token_id', -1);
  addBos = md.bool('tokenizer.ggml.add_bos_token', addBos);
  addEos = md.bool('tokenizer.ggml.add_eos_token', addEos);

  // llama.cpp recognises end-of-turn tokens by their text and treats them as control tokens
  const endOfGeneration = new Set<number>();
  for (let i = 0; i < n; i++) {
    const t = tokens[i]!;
    if (eot < 0 && EOT_TEXTS.has(t)) { eot = i; types[i] = TokenType.CONTROL; }
    if (EOG_TEXTS.has(t)) endOfGeneration.add(i);
  }
  if (eos >= 0) endOfGeneration.add(eos);
  if (eot >= 0) endOfGeneration.add(eot);

  const specialTokens: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = types[i]!;
    if (t === TokenType.CONTROL || t === TokenType.USER_DEFINED || t === TokenType.UNKNOWN) specialTokens.push(i);
  }
  const utf8Len = (s: string) => new TextEncoder().encode(s).length;
  specialTokens.sort((a, b) => utf8Len(tokens[b]!) - utf8Len(tokens[a]!) || a - b);

  return {
    kind, tokens, scores, types, tokenToId, mergeRanks, pre, bos, eos, eot, unk,
    addBos, addEos, addSpacePrefix, ignoreMerges, cleanSpaces, specialTokens, endOfGeneration,
  };
}
