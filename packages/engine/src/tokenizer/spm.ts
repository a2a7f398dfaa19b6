/**
 * SentencePiece-style tokenization as llama.cpp does it for `llama` vocabularies: start from
 * single characters, repeatedly merge the adjacent pair whose concatenation is the
 * highest-scoring token (leftmost first on ties), then emit each piece, splitting pieces that
 * are not tokens back along their merges and falling back to `<0xXX>` byte tokens.
 */
import { MinHeap } from './heap.js';
import type { Vocab } from './vocab.js';

interface Bigram { left: number; right: number; score: number; size: number }

const utf8 = new TextEncoder();

/** Tokenizes `text` (spaces already escaped to U+2581) and appends the ids to `out`. */
export function tokenizeSpm(vocab: Vocab, text: string, out: number[]): void {
  const chars = Array.from(text);
  const n = chars.length;
  if (n === 0) return;
  // a symbol is a run of characters [start, start + len) in `chars`
  const start = new Int32Array(n), len = new Int32Array(n), prev = new Int32Array(n), next = new Int32Array(n);
  for (let i = 0; i < n; i++) { start[i] = i; len[i] = 1; prev[i] = i - 1; next[i] = i + 1 < n ? i + 1 : -1; }
  const textOf = (s: number, l: number) => chars.slice(s, s + l).join('');

  const queue = new MinHeap<Bigram>((a, b) => a.score > b.score || (a.score === b.score && a.left < b.left));
  const revMerge = new Map<string, [number, number]>();
  const tryAdd = (left: number, right: number): void => {
    if (left < 0 || right < 0) return;
    const t = textOf(start[left]!, len[left]! + len[right]!);
    const id = vocab.tokenToId.get(t);
    if (id === undefined) return;
    queue.push({ left, right, score: vocab.scores[id]!, size: len[left]! + len[right]! });
    revMerge.set(t, [left, right]);
  };
  for (let i = 1; i < n; i++) tryAdd(i - 1, i);

  for (let b = queue.pop(); b; b = queue.pop()) {
    const { left, right } = b;
    if (len[left] === 0 || len[right] === 0 || len[left]! + len[right]! !== b.size) continue;
    len[left]! += len[right]!;
    len[right] = 0;
    next[left] = next[right]!;
    if (next[right]! >= 0) prev[next[right]!] = left;
    tryAdd(prev[left]!, left);
    tryAdd(left, next[left]!);
  }

  const resegment = (sym: number): void => {
    const t = textOf(start[sym]!, len[sym]!);
    const id = vocab.tokenToId.get(t);
    if (id !== undefined) { out.push(id); return; }
    const m = revMerge.get(t);
    if (!m) {
      for (const byte of utf8.encode(t)) out.push(byteToken(vocab, byte));
      return;
    }
    resegment(m[0]);
    resegment(m[1]);
  };
  for (let i = 0; i !== -1; i = next[i]!) resegment(i);
}

/** The id of the `<0xXX>` token for a byte. */
export function byteToken(vocab: Vocab, byte: number): number {
  const id = vocab.tokenToId.get(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);
  if (id !== undefined) return id;
  // some vocabularies store printable bytes as the character itself
  const ch = vocab.tokenToId.get(String.fromCharCode(byte));
  if (ch !== undefined) return ch;
  throw new RangeError(`the vocabulary has no token for byte 0x${byte.toString(16)}`);
}
