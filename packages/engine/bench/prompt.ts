/** Benchmark prompts: ordinary English prose, cut to a number of tokens. */
import type { Tokenizer } from '../src/tokenizer/tokenizer.js';

const PROSE = `The database stores each table as a collection of pages, and every page holds a small
header followed by the rows that fit in it. When a query asks for rows in a given order, the
planner first looks for an index that already keeps them in that order; if none exists, it
reads the rows and sorts them in memory, spilling to temporary files when the work area is
too small. A function can return a set of rows, and the caller may treat that set as if it
were a table. Errors raised inside a function roll back the work of the current transaction
unless they are caught by an exception block. The documentation describes each option with
its default value, the range of values it accepts, and the situations in which changing it
helps. Some settings take effect at once, others only after the server restarts.`;

/** `n` token ids of English prose (BOS first when the vocabulary asks for it), and their text. */
export function benchPrompt(tok: Tokenizer, n: number): { ids: number[]; text: string } {
  let text = PROSE;
  while (tok.tokenize(text).length < n + 8) text += `\n${PROSE}`;
  const ids = tok.tokenize(text).slice(0, n);
  const body = tok.vocab.addBos && ids[0] === tok.vocab.bos ? ids.slice(1) : ids;
  return { ids, text: tok.detokenize(body) };
}
