/**
 * Byte-level BPE as llama.cpp does it for `gpt2` vocabularies: the pre-tokenizer regex splits
 * the text into words, each word's UTF-8 bytes are mapped to GPT-2's printable characters,
 * and adjacent symbols are merged by merge rank (lowest first, leftmost on ties). With
 * `ignoreMerges` (llama3) a word that is itself a token is emitted whole.
 */
import { MinHeap } from './heap.js';
import type { PreTokenizer, Vocab } from './vocab.js';

/** GPT-2's byte -> printable character table, and its inverse. */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const table: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = bs.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  return table;
})();
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

const CONTRACTIONS = "'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]";
const PATTERNS: Record<PreTokenizer, RegExp[]> = {
  llama3: [new RegExp(`(?:${CONTRACTIONS})|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`, 'gu')],
  qwen2: [new RegExp(`(?:${CONTRACTIONS})|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`, 'gu')],
  gpt2: [/'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)/gu],
  default: [
    /[\p{P}$+<=>^~|]+/gu,
    /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)/gu,
    /\p{N}+/gu,
    /[0-9][0-9][0-9]/gu,
  ],
};

/**
 * Splits text into words with a sequence of regexes as llama.cpp's `unicode_regex_split`
 * does: each regex splits every piece the previous ones produced, keeping both the matches
 * and the text between them.
 */
export function preTokenize(text: string, pre: PreTokenizer): string[] {
  let pieces = [text];
  for (const re of PATTERNS[pre]) {
    const next: string[] = [];
    for (const piece of pieces) {
      let last = 0;
      for (const m of piece.matchAll(re)) {
        if (m[0].length === 0) continue;
        if (m.index! > last) next.push(piece.slice(last, m.index));
        next.push(m[0]);
        last = m.index! + m[0].length;
      }
      if (last < piece.length) next.push(piece.slice(last));
    }
    pieces = next;
  }
  return pieces;
}

interface Bigram { left: number; right: number; text: string; rank: number }

const utf8 = new TextEncoder();

/** Maps a word's UTF-8 bytes to GPT-2 characters. */
export function byteEncode(word: string): string {
  let s = '';
  for (const b of utf8.encode(word)) s += BYTE_TO_CHAR[b];
  return s;
}

/** Tokenizes raw text (no special tokens in it) and appends the ids to `out`. */
export function tokenizeBpe(vocab: Vocab, text: string, out: number[]): void {
  for (const rawWord of preTokenize(text, vocab.pre)) {
    const word = byteEncode(rawWord);
    if (vocab.ignoreMerges) {
      const id = vocab.tokenToId.get(word);
      if (id !== undefined) { out.push(id); continue; }
    }
    const syms = Array.from(word);
    const n = syms.length;
    const prev = new Int32Array(n), next = new Int32Array(n);
    for (let i = 0; i < n; i++) { prev[i] = i - 1; next[i] = i + 1 < n ? i + 1 : -1; }
    const queue = new MinHeap<Bigram>((a, b) => a.rank < b.rank || (a.rank === b.rank && a.left < b.left));
    const add = (left: number, right: number): void => {
      if (left < 0 || right < 0) return;
      const rank = vocab.mergeRanks.get(`${syms[left]} ${syms[right]}`);
      if (rank === undefined) return;
      queue.push({ left, right, text: syms[left]! + syms[right]!, rank });
    };
    for (let i = 1; i < n; i++) add(i - 1, i);
    for (let b = queue.pop(); b; b = queue.pop()) {
      const l = syms[b.left]!, r = syms[b.right]!;
      if (l === '' || r === '' || l + r !== b.text) continue;
      syms[b.left] = l + r;
      syms[b.right] = '';
      next[b.left] = next[b.right]!;
      if (next[b.right]! >= 0) prev[next[b.right]!] = b.left;
      add(prev[b.left]!, b.left);
      add(b.left, next[b.left]!);
    }
    for (let i = 0; i !== -1; i = next[i]!) {
      const s = syms[i]!;
      const id = vocab.tokenToId.get(s);
      if (id !== undefined) { out.push(id); continue; }
      for (const ch of s) {
        const bid = vocab.tokenToId.get(ch);
        if (bid !== undefined) out.push(bid);
      }
    }
  }
}
