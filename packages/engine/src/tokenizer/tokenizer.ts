/**
 * Text <-> token ids for a GGUF vocabulary, following llama.cpp's `llama_tokenize` and
 * `llama_detokenize`: special tokens are cut out of the text first (longest first), the
 * remaining fragments go through the SentencePiece or byte-level BPE tokenizer, and BOS/EOS
 * are added as the vocabulary asks.
 */
import { CHAR_TO_BYTE, tokenizeBpe } from './bpe.js';
import { tokenizeSpm } from './spm.js';
import { TokenType, type Vocab } from './vocab.js';

export interface TokenizeOptions {
  /** Prepend BOS (and append EOS when the vocabulary asks for it). Default: the vocabulary's `add_bos_token`. */
  bos?: boolean;
  /**
   * Recognise control tokens written in the text (e.g. `<|eot_id|>`). Default: as the
   * tokenizer the vocabulary came from does: Hugging Face BPE tokenizers do, SentencePiece
   * does not. User-defined tokens are always recognised.
   */
  special?: boolean;
}

export interface DetokenizeOptions {
  /** Render control tokens (BOS, EOS, ...) as their text. Default false. */
  special?: boolean;
}

type Fragment = string | number;

export class Tokenizer {
  readonly vocab: Vocab;
  private readonly decoder = new TextDecoder();

  constructor(vocab: Vocab) {
    this.vocab = vocab;
  }

  /** Tokens in the vocabulary. */
  get size(): number {
    return this.vocab.tokens.length;
  }

  /** True for tokens that end generation (EOS, end-of-turn). */
  isEndOfGeneration(id: number): boolean {
    return this.vocab.endOfGeneration.has(id);
  }

  tokenize(text: string, opts: TokenizeOptions = {}): number[] {
    const v = this.vocab;
    const addSpecial = opts.bos ?? v.addBos;
    const parseSpecial = opts.special ?? v.kind === 'bpe';
    const out: number[] = [];
    const fragments = text.length > 0 ? this.partition(text, parseSpecial) : [];
    if (addSpecial && v.addBos) out.push(v.bos);
    if (v.kind === 'spm') {
      let prevSpecial = true;
      for (const f of fragments) {
        if (typeof f === 'number') { out.push(f); prevSpecial = true; continue; }
        const t = (v.addSpacePrefix && prevSpecial ? ' ' : '') + f;
        tokenizeSpm(v, t.replaceAll(' ', '\u2581'), out);
        prevSpecial = false;
      }
    } else {
      for (const f of fragments) {
        if (typeof f === 'number') out.push(f);
        else tokenizeBpe(v, f, out);
      }
    }
    if (addSpecial && v.addEos) out.push(v.eos);
    return out;
  }

  /** Splits text at occurrences of special tokens, longest tokens first. */
  private partition(text: string, parseSpecial: boolean): Fragment[] {
    const v = this.vocab;
    let frags: Fragment[] = [text];
    for (const id of v.specialTokens) {
      const type = v.types[id]!;
      if (!parseSpecial && (type === TokenType.CONTROL || type === TokenType.UNKNOWN)) continue;
      const tok = v.tokens[id]!;
      if (!frags.some((f) => typeof f === 'string' && f.includes(tok))) continue;
      const next: Fragment[] = [];
      for (const f of frags) {
        if (typeof f !== 'string') { next.push(f); continue; }
        let from = 0;
        for (let at = f.indexOf(tok); at >= 0; at = f.indexOf(tok, from)) {
          if (at > from) next.push(f.slice(from, at));
          next.push(id);
          from = at + tok.length;
        }
        if (from < f.length) next.push(f.slice(from));
      }
      frags = next;
    }
    return frags;
  }

  /** The bytes a token stands for (empty for control tokens unless `special`). */
  tokenBytes(id: number, special = false): Uint8Array {
    const v = this.vocab;
    if (!(id >= 0 && id < v.tokens.length)) throw new RangeError(`token id ${id} is outside the vocabulary (0..${v.tokens.length - 1})`);
    const type = v.types[id]!;
    const text = v.tokens[id]!;
    if (type === TokenType.CONTROL || type === TokenType.UNKNOWN) return special ? utf8(text) : new Uint8Array(0);
    if (type === TokenType.USER_DEFINED) return utf8(text);
    if (type === TokenType.BYTE) {
      const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(text);
      return Uint8Array.of(m ? parseInt(m[1]!, 16) : (CHAR_TO_BYTE.get(text) ?? text.charCodeAt(0)));
    }
    if (type === TokenType.NORMAL) {
      if (v.kind === 'spm') return utf8(text.replaceAll('\u2581', ' '));
      const bytes: number[] = [];
      for (const ch of text) {
        const b = CHAR_TO_BYTE.get(ch);
        if (b !== undefined) bytes.push(b);
        else bytes.push(...utf8(ch));
      }
      return Uint8Array.from(bytes);
    }
    return new Uint8Array(0);
  }

  /** Text of token ids, as llama.cpp's `llama_detokenize` (without removing special tokens). */
  detokenize(ids: ArrayLike<number>, opts: DetokenizeOptions = {}): string {
    const v = this.vocab;
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      let b = this.tokenBytes(ids[i]!, opts.special ?? false);
      // the space the tokenizer prefixed is dropped from the first piece
      if (i === 0 && v.addSpacePrefix && b.length > 0 && b[0] === 0x20) b = b.subarray(1);
      parts.push(b);
      total += b.length;
    }
    const all = new Uint8Array(total);
    let o = 0;
    for (const p of parts) { all.set(p, o); o += p.length; }
    const text = this.decoder.decode(all);
    return v.cleanSpaces ? cleanUpSpaces(text) : text;
  }
}

function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** llama.cpp's clean_up_tokenization_spaces: " ?" -> "?", " ' " -> "'", " 's" -> "'s", ... */
function cleanUpSpaces(text: string): string {
  let s = text.replace(/ ([?!.,])/g, '$1');
  s = s.replace(/ ' /g, "'");
  s = s.replace(/ '(s|m|re|ve)/g, "'$1");
  return s;
}
