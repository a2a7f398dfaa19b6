/**
 * SentencePiece-style BPE vocabularies that only come as tokenizer.json (BPE with byte
 * fallback, e.g. Llama 2 or Gemma "fast" tokenizers), as llama.cpp's `LlamaHfVocab`
 * writes them: `tokenizer.ggml.model = llama`, every score -1000, `<0xXX>` tokens typed
 * byte, the tokenizer's special tokens control, added tokens past the base vocabulary
 * appended (user-defined unless special).
 *
 * Deliberate differences, each so that llama.cpp's SentencePiece tokenizer (and ours)
 * tokenizes text as the Hugging Face tokenizer does:
 * - Scores come from the merge ranks (a token made by the merge of rank r scores -r; tokens
 *   no merge makes score below all of them). The tokenizer merges the adjacent pair whose
 *   result scores highest, so this reproduces BPE's lowest-rank-first order; with
 *   llama.cpp's constant -1000 it merges leftmost-first instead and splits words
 *   differently from the model's training.
 * - `add_space_prefix` is false when the normalizer does not prepend U+2581 (Gemma's fast
 *   tokenizers); llama.cpp's default, true, would add a space before the text.
 * - Added tokens inside the base vocabulary are typed as llama.cpp types added tokens
 *   everywhere else (control when flagged `special` or special-looking, like Gemma's
 *   `<start_of_turn>`; otherwise user-defined with U+2581 written as a space).
 *   llama.cpp's `LlamaHfVocab` would leave them normal tokens, which its tokenizer then
 *   cannot recognise in text.
 */
import { doesTokenLookSpecial, TokenType, type GGUFVocab } from './token-types.js';
import { fullVocab, modelVocab, type TokenizerJson } from './tokenizer-json.js';
import { normalizeMerges } from './merges.js';

/** Whether the tokenizer puts U+2581 before the text (a `Prepend` normalizer or a prepending `Metaspace`). */
export function prependsSpace(t: TokenizerJson): boolean {
  const found = (node: unknown): boolean => {
    if (typeof node !== 'object' || node === null) return false;
    const n = node as Record<string, unknown>;
    if (n['type'] === 'Prepend' && n['prepend'] === '\u2581') return true;
    if (n['type'] === 'Metaspace') return n['add_prefix_space'] === true || (n['prepend_scheme'] !== undefined && n['prepend_scheme'] !== 'never');
    for (const key of ['normalizers', 'pretokenizers']) {
      const list = n[key];
      if (Array.isArray(list) && list.some(found)) return true;
    }
    return false;
  };
  const raw = t as unknown as Record<string, unknown>;
  return found(raw['normalizer']) || found(raw['pre_tokenizer']);
}

/** Scores that make SentencePiece's highest-score-first merging follow the BPE merge ranks. */
function scoresFromMerges(t: TokenizerJson, tokens: readonly string[]): Float32Array {
  const merges = normalizeMerges((t.model as { merges?: unknown }).merges);
  const rank = new Map<string, number>();
  merges.forEach((m, r) => {
    const space = m.indexOf(' ');
    const merged = m.slice(0, space) + m.slice(space + 1);
    if (!rank.has(merged)) rank.set(merged, r);
  });
  const unmerged = -(merges.length + 1);
  return Float32Array.from(tokens, (tok) => {
    const r = rank.get(tok);
    return r === undefined ? unmerged : -r;
  });
}

/** The `all_special_tokens` transformers derives from tokenizer_config.json and special_tokens_map.json. */
export function specialTokenTexts(...configs: Array<Record<string, unknown> | undefined>): Set<string> {
  const out = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === 'string') out.add(v);
    else if (typeof v === 'object' && v !== null && typeof (v as { content?: unknown }).content === 'string') out.add((v as { content: string }).content);
  };
  for (const c of configs) {
    if (!c) continue;
    for (const k of ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token']) add(c[k]);
    const extra = c['additional_special_tokens'];
    if (Array.isArray(extra)) extra.forEach(add);
  }
  return out;
}

/** True when tokenizer.json is a byte-fallback BPE with a SentencePiece-like decoder. */
export function isLlamaHfTokenizer(t: TokenizerJson): boolean {
  const llama3Like = t.model.type === 'BPE' && t.model.ignore_merges === true && t.model.byte_fallback !== true;
  return !llama3Like && t.model.type === 'BPE' && t.model.byte_fallback === true && (t.decoder as { type?: unknown } | null | undefined)?.type === 'Sequence';
}

export function buildLlamaHfVocab(t: TokenizerJson, specialTexts: Set<string>): GGUFVocab {
  const base = modelVocab(t).size;
  const vocab = fullVocab(t);
  const reverse = new Map<number, string>();
  for (const [tok, id] of vocab) reverse.set(id, tok);
  const specialIds = new Set<number>();
  for (const s of specialTexts) {
    const id = vocab.get(s);
    if (id !== undefined) specialIds.add(id);
  }
  const addedPastBase = [...(t.added_tokens ?? [])].filter((a) => a.id >= base).sort((a, b) => a.id - b.id);
  const addedInBase = new Map((t.added_tokens ?? []).filter((a) => a.id < base).map((a) => [a.id, a.special === true || doesTokenLookSpecial(a.content)]));
  const addedIds = new Set(addedPastBase.map((a) => a.id));
  const tokens: string[] = [];
  const types: number[] = [];
  for (let id = 0; id < base; id++) {
    if (addedIds.has(id)) continue;
    const text = reverse.get(id);
    if (text === undefined) throw new RangeError(`tokenizer.json: no token with id ${id} in a vocabulary of ${base}`);
    const added = addedInBase.get(id);
    tokens.push(added === false ? text.replace(/\u2581/g, ' ') : text);
    types.push(/^<0x[0-9A-Fa-f]{2}>$/.test(text) ? TokenType.BYTE
      : specialIds.has(id) || added === true ? TokenType.CONTROL
        : added === false ? TokenType.USER_DEFINED : TokenType.NORMAL);
  }
  for (const a of addedPastBase) {
    tokens.push(a.content);
    types.push(specialTexts.has(a.content) ? TokenType.CONTROL : TokenType.USER_DEFINED);
  }
  return { model: 'llama', pre: 'default', tokens, scores: scoresFromMerges(t, tokens), types: Int32Array.from(types) };
}
