/**
 * SentencePiece-style BPE vocabularies that only come as tokenizer.json (BPE with byte
 * fallback, e.g. Llama 2 or Gemma "fast" tokenizers), as llama.cpp's `LlamaHfVocab`
 * writes them: `tokenizer.ggml.model = llama`, every score -1000, `<0xXX>` tokens typed
 * byte, the tokenizer's special tokens control, added tokens past the base vocabulary
 * appended (user-defined unless special).
 *
 * One deliberate difference: added tokens inside the base vocabulary are typed as
 * llama.cpp types added tokens everywhere else (control when flagged `special` or
 * special-looking, like Gemma's `<start_of_turn>`; otherwise user-defined with U+2581
 * written as a space). llama.cpp's `LlamaHfVocab` would leave them normal tokens, which
 * its tokenizer then cannot recognise in text.
 */
import { doesTokenLookSpecial, TokenType, type GGUFVocab } from './token-types.js';
import { fullVocab, modelVocab, type TokenizerJson } from './tokenizer-json.js';

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
  return { model: 'llama', pre: 'default', tokens, scores: new Float32Array(tokens.length).fill(-1000), types: Int32Array.from(types) };
}
