/**
 * Progress bars appear only on a terminal, and NO_COLOR (or a non-terminal) means no
 * ANSI escape sequence in anything ggufkit prints.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './run-cli.js';
import { exampleModel } from './paths.js';

const ESC = '\u001b';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-tty-'));

/** Runs the CLI with stdout/stderr claiming to be terminals and the given environment overrides. */
async function runOnTerminal(args: string[], env: Record<string, string | undefined>) {
  const saved = { out: process.stdout.isTTY, err: process.stderr.isTTY, env: { ...process.env } };
  process.stdout.isTTY = true;
  process.stderr.isTTY = true;
  delete process.env.CI;
  delete process.env.NO_COLOR;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await runCli(args);
  } finally {
    process.stdout.isTTY = saved.out;
    process.stderr.isTTY = saved.err;
    process.env = saved.env;
  }
}

const label = (args: string[]) => args.join(' ').replace(exampleModel, 'MODEL').replace(tmp, 'TMP');

const reporting: string[][] = [
  ['--help'],
  ['inspect', '--help'],
  ['inspect', exampleModel],
  ['inspect', exampleModel, '--summary'],
  ['inspect', exampleModel, '--summary', '--json'],
  ['tokenize', exampleModel, 'Hello world'],
  ['run', exampleModel, '-p', 'Hello', '-n', '4', '--temp', '0', '--threads', '1'],
  ['inspect', path.join(tmp, 'absent.gguf')],
];

describe('not on a terminal', () => {
  it('rewrite draws no progress bar and prints nothing', async () => {
    const r = await runCli(['rewrite', exampleModel, '-o', path.join(tmp, 'piped.gguf')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
  });

  it.each(reporting.map((a) => [label(a), a]))('%s prints no escape sequence', async (_n, args) => {
    const r = await runCli(args as string[]);
    expect(r.stdout + r.stderr).not.toContain(ESC);
    expect(r.stdout + r.stderr).not.toBe('');
  });
});

describe('on a terminal', () => {
  it('rewrite draws a coloured progress bar to stderr when NO_COLOR is unset', async () => {
    const r = await runOnTerminal(['rewrite', exampleModel, '-o', path.join(tmp, 'tty.gguf')], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/rewrite .*100% \| tensor 57\/57/);
    expect(r.stderr).toContain(`${ESC}[36m`);
  });

  it('with NO_COLOR the bar is redrawn with carriage returns only', async () => {
    const r = await runOnTerminal(['rewrite', exampleModel, '-o', path.join(tmp, 'nocolor.gguf')], { NO_COLOR: '1' });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain(ESC);
    expect(r.stderr).toMatch(/^\rrewrite \[[#-]{30}\] /);
    expect(r.stderr).toMatch(/\rrewrite \[#{30}\] 100% \| tensor 57\/57 \| [\d.]+ MB \| [\d.]+ MB\/s \| ETA \S+\s*\n$/);
  });

  it('an empty NO_COLOR counts as unset (no-color.org)', async () => {
    const r = await runOnTerminal(['meta', exampleModel, '-o', path.join(tmp, 'empty.gguf'), '--set', 'general.name=x'], { NO_COLOR: '' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${ESC}[36m`);
  });

  it('CI=true disables the bar even on a terminal', async () => {
    const r = await runOnTerminal(['rewrite', exampleModel, '-o', path.join(tmp, 'ci.gguf')], { CI: 'true' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it.each(reporting.map((a) => [label(a), a]))('with NO_COLOR, %s prints no escape sequence', async (_n, args) => {
    const r = await runOnTerminal(args as string[], { NO_COLOR: '1' });
    expect(r.stdout + r.stderr).not.toContain(ESC);
    expect(r.stdout + r.stderr).not.toBe('');
  });
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
