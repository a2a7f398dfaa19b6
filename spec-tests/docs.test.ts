/**
 * Runs the code blocks of the documentation (README.md and docs/*.md), in order, one working
 * folder per document (with `examples/` linked in, as if run from the repository root):
 *
 * - ```ts blocks are written to a file in that folder and run with tsx; they must exit 0
 *   (blocks check their own results with node:assert where a result matters);
 * - ```sh blocks run line by line; every line must be `npx ggufkit ...` (or `ggufkit ...`) or
 *   `npx tsx examples/...` and exit 0;
 * - blocks tagged `no-run` (```ts no-run, ```sh no-run) are counted and skipped.
 *
 * Other languages (text, json, console, mermaid) are not code to run. docs/benchmarks.md is
 * left out: its commands take minutes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runTsx, type ScriptResult } from './run-script.js';
import { repoRoot } from './shared-data.js';

type Kind = 'ts' | 'sh';
interface Block { kind: Kind; run: boolean; code: string; line: number }

const RUNNABLE_INFO = new Map<string, { kind: Kind; run: boolean }>([
  ['ts', { kind: 'ts', run: true }], ['ts no-run', { kind: 'ts', run: false }],
  ['sh', { kind: 'sh', run: true }], ['sh no-run', { kind: 'sh', run: false }],
]);
const OTHER_INFO = new Set(['', 'text', 'json', 'console', 'mermaid']);

/** Fenced blocks of a Markdown file; any other fence language is an error (so nothing escapes by a typo). */
function extractBlocks(markdown: string, doc: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const info = open[1]!.trim();
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`${doc}:${start + 1}: unclosed code fence`);
    const runnable = RUNNABLE_INFO.get(info);
    if (runnable) blocks.push({ ...runnable, code: body.join('\n') + '\n', line: start + 1 });
    else if (!OTHER_INFO.has(info)) throw new Error(`${doc}:${start + 1}: code fence "${info}": use ts, sh (optionally "no-run") or ${[...OTHER_INFO].filter(Boolean).join(', ')}`);
  }
  return blocks;
}

/** Splits a command line into words with POSIX-shell quoting; operators and expansions are refused. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed ' in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let s = '';
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) i++;
        else if ('$`'.includes(line[i]!)) throw new Error(`expansions are not supported in runnable blocks: ${line}`);
        s += line[i];
      }
      if (i >= line.length) throw new Error(`unclosed " in: ${line}`);
      word = (word ?? '') + s;
    } else if (c === ' ' || c === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '#' && word === undefined) {
      break;
    } else if ('|&;<>$`(){}*?'.includes(c)) {
      throw new Error(`shell operators and expansions are not supported in runnable blocks (mark the block no-run): ${line}`);
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** Commands of an sh block: continuation lines joined, comments and blank lines dropped. */
function shellCommands(code: string): string[][] {
  return code.replace(/\\\n/g, ' ').split('\n').map(shellWords).filter((w) => w.length > 0);
}

const DOCS = [
  'README.md',
  ...fs.readdirSync(path.join(repoRoot, 'docs')).filter((f) => f.endsWith('.md') && f !== 'benchmarks.md').sort().map((f) => `docs/${f}`),
];
const scratchRoot = path.join(repoRoot, 'tmp');
fs.mkdirSync(scratchRoot, { recursive: true });
const scratch = fs.mkdtempSync(path.join(scratchRoot, 'docs-test-'));
/** A CLI entry over the sources, so the test needs no build. */
const cliEntry = path.join(scratch, 'ggufkit-cli.ts');
fs.writeFileSync(cliEntry, `import { main } from ${JSON.stringify(path.join(repoRoot, 'packages/cli/src/main.ts'))};\nprocess.exitCode = await main(process.argv.slice(2));\n`);
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function describeFailure(what: string, r: ScriptResult): string {
  return `${what} exited with ${r.code}\n--- stdout\n${r.stdout.slice(-2000)}\n--- stderr\n${r.stderr.slice(-4000)}`;
}

/** The script and arguments a runnable command stands for; throws for any other command. */
function resolveCommand(words: string[], cwd: string): { script: string; args: string[] } {
  const w = words[0] === 'npx' ? words.slice(1) : words;
  if (w[0] === 'ggufkit') return { script: cliEntry, args: w.slice(1) };
  if (w[0] === 'tsx' && w[1]?.startsWith('examples/')) return { script: path.join(cwd, w[1]), args: w.slice(2) };
  throw new Error(`runnable sh blocks may only run "npx ggufkit ..." or "npx tsx examples/...": ${words.join(' ')} (mark the block no-run)`);
}

const counts: Array<{ doc: string; ran: number; noRun: number }> = [];
afterAll(() => {
  const total = counts.reduce((a, c) => ({ ran: a.ran + c.ran, noRun: a.noRun + c.noRun }), { ran: 0, noRun: 0 });
  console.log(`documentation code blocks: ${total.ran} run, ${total.noRun} marked no-run\n${counts.map((c) => `  ${c.doc}: ${c.ran} run, ${c.noRun} no-run`).join('\n')}`);
});

describe.each(DOCS)('%s', (doc) => {
  let blocks: Block[];
  try {
    blocks = extractBlocks(fs.readFileSync(path.join(repoRoot, doc), 'utf8'), doc);
  } catch (e) {
    it('has well-formed code fences', () => { throw e; });
    return;
  }
  const cwd = path.join(scratch, doc.replace(/[/.]/g, '_'));
  fs.mkdirSync(cwd, { recursive: true });
  fs.symlinkSync(path.join(repoRoot, 'examples'), path.join(cwd, 'examples'), 'dir');
  counts.push({ doc, ran: blocks.filter((b) => b.run).length, noRun: blocks.filter((b) => !b.run).length });

  it('has only well-formed runnable blocks', () => {
    for (const b of blocks.filter((x) => x.kind === 'sh' && x.run)) {
      for (const words of shellCommands(b.code)) resolveCommand(words, cwd);
    }
  });

  const runnable = blocks.filter((b) => b.run);
  if (runnable.length === 0) return;
  it.each(runnable.map((b) => [`${b.kind} block at line ${b.line}`, b] as const))('%s runs', async (_name, b) => {
    if (b.kind === 'ts') {
      const file = path.join(cwd, `block-${b.line}.ts`);
      fs.writeFileSync(file, b.code);
      const r = await runTsx(file, [], cwd);
      if (r.code !== 0) throw new Error(describeFailure(`${doc}:${b.line}`, r));
      return;
    }
    for (const words of shellCommands(b.code)) {
      const { script, args } = resolveCommand(words, cwd);
      const r = await runTsx(script, args, cwd);
      if (r.code !== 0) throw new Error(describeFailure(`${doc}:${b.line}: ${words.join(' ')}`, r));
    }
    // a hang guard, not a speed check: a block may run several CLI commands on a busy machine
  }, 600_000);
});
