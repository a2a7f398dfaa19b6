/**
 * BPE merges as GGUF stores them: one `"left right"` string per merge. tokenizer.json
 * has them either in that form or, since transformers 4.45, as `["left", "right"]`
 * pairs; spaces inside a pair's parts are written as U+0120 (byte-level space) so that
 * the string form stays unambiguous, as llama.cpp's converter does.
 */
export function normalizeMerges(merges: unknown, file = 'tokenizer.json'): string[] {
  if (!Array.isArray(merges) || merges.length === 0) return [];
  const first = merges[0];
  if (typeof first === 'string') {
    return merges.map((m, i) => {
      if (typeof m !== 'string') throw new TypeError(`${file}: merge ${i} is not a string (mixed merge formats)`);
      return m;
    });
  }
  if (Array.isArray(first) && first.length === 2 && typeof first[0] === 'string') {
    return merges.map((m, i) => {
      if (!Array.isArray(m) || m.length !== 2 || typeof m[0] !== 'string' || typeof m[1] !== 'string') {
        throw new TypeError(`${file}: merge ${i} is not a pair of strings`);
      }
      return `${(m[0] as string).replace(/ /g, '\u0120')} ${(m[1] as string).replace(/ /g, '\u0120')}`;
    });
  }
  throw new TypeError(`${file}: unknown merges format (expected "a b" strings or ["a", "b"] pairs)`);
}

/** Reads a `merges.txt` (optional `#version` first line, then `left right` per line). */
export function parseMergesTxt(text: string): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line.length === 0 || (i === 0 && line.startsWith('#'))) return;
    const parts = line.split(/\s+/);
    if (parts.length === 2) out.push(`${parts[0]} ${parts[1]}`);
  });
  return out;
}
