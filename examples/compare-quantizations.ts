/**
 * Compare quantizations of one model by what they do to its predictions: run the reference
 * and each candidate over the same text with @ggufkit/engine, then report file size, bits
 * per weight, perplexity on the text, the mean and max KL divergence KL(reference ||
 * candidate) of the next-token distributions, and how often both put the same token on top.
 *
 *   npx tsx examples/compare-quantizations.ts          # F16 of the shipped model vs the shipped Q4_K_M
 *   npx tsx examples/compare-quantizations.ts ref-f16.gguf a-Q4_K_M.gguf b-Q8_0.gguf [--text-file t.txt] [--json]
 *
 * Every position of the text is scored (llama-perplexity's --kl-divergence scores the second
 * half of each chunk instead, so its numbers differ somewhat on the same text).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { convertModel } from '@ggufkit/convert/node';
import { loadModelFile } from '@ggufkit/engine/node';
import { openGGUFFile } from '@ggufkit/gguf/node';
import { elementCount } from '@ggufkit/tensor-layout';

/** Original prose in the style of the shipped model's training text (software documentation). */
const SAMPLE_TEXT = `A table in a relational database is a named collection of rows. Each row has the same set of
named columns, and each column has a data type. When a query asks for rows in a particular order,
the server sorts them before returning them; without an ORDER BY clause the order is unspecified.
An index makes lookups faster at the cost of extra work whenever rows are inserted or updated, so
it is worth creating one only for columns that appear often in search conditions or joins.

A transaction groups several statements into a single unit of work. Either all of its changes
become visible to other sessions when it commits, or none of them do, because a rollback undoes
everything since the transaction began. While a transaction is open, the rows it has modified are
locked, and another session that wants to change the same rows must wait until the lock is released.

In Python, a list is a mutable sequence: items can be appended, removed or replaced, and the
built-in function len() returns the number of items it holds. A tuple is similar but immutable, which
makes it usable as a dictionary key. A dictionary maps keys to values, and iterating over it yields
the keys in the order in which they were inserted. The method get() returns a default value instead
of raising KeyError when a key is missing.

A function is defined with the def keyword, followed by its name and a parenthesized list of
parameters. Parameters may have default values, and a call may pass arguments by position or by
keyword. When the function returns without a return statement, the caller receives None. Exceptions
raised inside the function propagate to the caller unless they are handled by a try statement with a
matching except clause; a finally clause runs in every case, which makes it the right place to close
files and release other resources.

The command line tool reads its configuration from a file in the user's home directory, then from
environment variables, and finally from options given on the command line, each source overriding
the one before it. If the configuration file does not exist, the defaults described below are used.`;

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'text-file': { type: 'string' }, json: { type: 'boolean', default: false } },
});
if (positionals.length === 1) throw new RangeError('give a reference and at least one candidate, or no files for the default comparison');

let reference = positionals[0];
const candidates = positionals.slice(1);
let scratch: string | undefined;
if (reference === undefined) {
  // Default: an F16 conversion of the shipped checkpoint is the reference for the shipped Q4_K_M.
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-compare-'));
  reference = path.join(scratch, 'tl-bpe-F16.gguf');
  await convertModel(fileURLToPath(new URL('./models/tl-bpe-hf', import.meta.url)), { outFile: reference, outtype: 'f16' });
  candidates.push(fileURLToPath(new URL('./models/tl-bpe-Q4_K_M.gguf', import.meta.url)));
}
const text = opts['text-file'] !== undefined ? fs.readFileSync(opts['text-file'], 'utf8') : SAMPLE_TEXT;

/** One model's logits over the text, with what the table shows about its file. */
interface Evaluated { file: string; bytes: number; bitsPerWeight: number; logits: Float32Array; vocab: number }

async function evaluate(file: string, tokens: readonly number[]): Promise<Evaluated> {
  const gguf = await openGGUFFile(file);
  const params = gguf.tensors.reduce((n, t) => n + elementCount(t.ne), 0);
  const dataBytes = gguf.tensors.reduce((n, t) => n + t.byteLength, 0);
  await gguf.close();
  const model = await loadModelFile(file, { contextLength: tokens.length });
  try {
    return { file, bytes: fs.statSync(file).size, bitsPerWeight: (dataBytes * 8) / params, logits: model.logits(tokens), vocab: model.vocabSize };
  } finally {
    model.dispose();
  }
}

/** Natural-log softmax of one row, in float64. */
function logSoftmax(row: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of row) if (v > max) max = v;
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  const logZ = max + Math.log(sum);
  return Float64Array.from(row, (v) => v - logZ);
}

function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

/** Perplexity of the text's own next tokens (positions 0..n-2 predict tokens 1..n-1). */
function perplexity(e: Evaluated, tokens: readonly number[]): number {
  let nll = 0;
  for (let p = 0; p + 1 < tokens.length; p++) nll -= logSoftmax(e.logits.subarray(p * e.vocab, (p + 1) * e.vocab))[tokens[p + 1]!]!;
  return Math.exp(nll / (tokens.length - 1));
}

function compare(ref: Evaluated, cand: Evaluated, positions: number): { meanKL: number; maxKL: number; top1: number } {
  if (ref.vocab !== cand.vocab) throw new RangeError(`${cand.file} has ${cand.vocab} logits per position, the reference ${ref.vocab}: not the same model`);
  let sum = 0;
  let max = 0;
  let same = 0;
  for (let p = 0; p < positions; p++) {
    const r = ref.logits.subarray(p * ref.vocab, (p + 1) * ref.vocab);
    const c = cand.logits.subarray(p * cand.vocab, (p + 1) * cand.vocab);
    const lr = logSoftmax(r);
    const lc = logSoftmax(c);
    let kl = 0;
    for (let i = 0; i < lr.length; i++) kl += Math.exp(lr[i]!) * (lr[i]! - lc[i]!);
    kl = Math.max(0, kl); // rounding can leave -1e-17 for identical rows
    sum += kl;
    max = Math.max(max, kl);
    if (argmax(r) === argmax(c)) same++;
  }
  return { meanKL: sum / positions, maxKL: max, top1: same / positions };
}

try {
  const tokenizerModel = await loadModelFile(reference, { contextLength: 1 });
  const tokens = tokenizerModel.tokenize(text);
  tokenizerModel.dispose();
  const ref = await evaluate(reference, tokens);
  const rows = [];
  for (const c of candidates) {
    const cand = await evaluate(c, tokens);
    rows.push({ file: c, bytes: cand.bytes, bitsPerWeight: cand.bitsPerWeight, perplexity: perplexity(cand, tokens), ...compare(ref, cand, tokens.length) });
  }
  const result = {
    tokens: tokens.length,
    reference: { file: reference, bytes: ref.bytes, bitsPerWeight: ref.bitsPerWeight, perplexity: perplexity(ref, tokens) },
    candidates: rows,
  };
  if (opts.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const mib = (b: number) => (b / 2 ** 20).toFixed(2);
    console.log(`text: ${tokens.length} tokens; reference ${path.basename(reference)}: ${mib(ref.bytes)} MiB, ${ref.bitsPerWeight.toFixed(2)} bpw, PPL ${result.reference.perplexity.toFixed(3)}`);
    console.log('| model | size (MiB) | bits/weight | PPL | mean KL | max KL | same top-1 |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows) {
      console.log(`| ${path.basename(r.file)} | ${mib(r.bytes)} | ${r.bitsPerWeight.toFixed(2)} | ${r.perplexity.toFixed(3)} | ${r.meanKL.toFixed(5)} | ${r.maxKL.toFixed(4)} | ${(r.top1 * 100).toFixed(1)}% |`);
    }
  }
} finally {
  if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
}
