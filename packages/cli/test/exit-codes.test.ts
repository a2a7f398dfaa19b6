/** Exit codes: 0 ok, 1 user error in one line, 2 internal error with a stack only under --verbose. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isUserError, reportError } from '../src/exit-codes.js';
import { runCli } from './run-cli.js';
import { exampleModel } from './paths.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-exit-'));

function expectUserError(r: { code: number; stdout: string; stderr: string }, message: RegExp): void {
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^ggufkit: /);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
}

describe('user errors exit 1 with one line', () => {
  it.each([
    ['no command', [], /Name a command/],
    ['an unknown command', ['frobnicate'], /Unknown argument: frobnicate/],
    ['an unknown flag', ['inspect', exampleModel, '--frob'], /Unknown argument/],
    ['a missing positional', ['inspect'], /Not enough non-option arguments/],
    ['a flag without its value', ['run', exampleModel, '-p'], /Not enough arguments following: p/],
    ['a missing input file', ['inspect', path.join(tmp, 'absent.gguf')], /no such file: .*absent\.gguf/],
    ['a directory as input', ['inspect', tmp], /EISDIR/],
    ['a missing output name', ['rewrite', exampleModel], /-o\/--outfile/],
    ['two different output names', ['rewrite', exampleModel, path.join(tmp, 'a.gguf'), '-o', path.join(tmp, 'b.gguf')], /two output paths/],
    ['--threads 0', ['run', exampleModel, '-p', 'x', '--threads', '0'], /--threads must be a positive integer, got 0/],
    ['--threads 1.5', ['logits', exampleModel, '--tokens', '1,2', '--json', '--threads', '1.5'], /--threads must be a positive integer, got 1.5/],
    ['conflicting split limits', ['split', exampleModel, '-o', path.join(tmp, 's'), '--split-max-tensors', '2', '--split-max-size', '1M'], /mutually exclusive/],
  ])('%s', async (_name, args, message) => {
    expectUserError(await runCli(args as string[]), message as RegExp);
  });

  it('--verbose does not turn a user error into a stack trace', async () => {
    const r = await runCli(['inspect', path.join(tmp, 'absent.gguf'), '--verbose']);
    expectUserError(r, /no such file/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a malformed file names the file and offset on one line', async () => {
    const bad = path.join(tmp, 'truncated.gguf');
    fs.writeFileSync(bad, fs.readFileSync(exampleModel).subarray(0, 4000));
    expectUserError(await runCli(['inspect', bad, '--summary']), /truncated\.gguf.*offset \d+/);
  });
});

describe('classification and reporting', () => {
  it('treats typed input errors as user errors and runtime bugs as internal', () => {
    const enoent = Object.assign(new Error('ENOENT: no such file or directory, open \'x\''), { code: 'ENOENT' });
    expect(isUserError(enoent)).toBe(true);
    expect(isUserError(new RangeError('unknown ggml type "q9"'))).toBe(true);
    expect(isUserError(new TypeError('config.json: not a JSON object'))).toBe(true);
    expect(isUserError(new SyntaxError('Unexpected token } in JSON at position 3'))).toBe(true);
    expect(isUserError(Object.assign(new Error('bad imatrix'), { name: 'ImatrixFormatError' }))).toBe(true);
    expect(isUserError(new TypeError('Cannot read properties of undefined (reading \'ne\')'))).toBe(false);
    expect(isUserError(new TypeError('model.generate is not a function'))).toBe(false);
    expect(isUserError(new RangeError('Maximum call stack size exceeded'))).toBe(false);
    expect(isUserError(new Error('assertion failed'))).toBe(false);
    expect(isUserError('a string')).toBe(false);
  });

  function capture(fn: () => number): { code: number; stderr: string } {
    const orig = process.stderr.write.bind(process.stderr);
    let stderr = '';
    process.stderr.write = ((c: string | Uint8Array) => { stderr += String(c); return true; }) as typeof process.stderr.write;
    try {
      return { code: fn(), stderr };
    } finally {
      process.stderr.write = orig;
    }
  }

  it('reports an internal error with exit code 2, one line without --verbose', () => {
    const r = capture(() => reportError(new Error('invariant broken\nsecond line'), false));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('ggufkit: internal error: invariant broken; second line (run with --verbose for the stack trace)\n');
  });

  it('adds the stack under --verbose', () => {
    const err = new Error('invariant broken');
    const r = capture(() => reportError(err, true));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ggufkit: internal error: Error: invariant broken\n    at ');
  });

  it('joins a multi-line user message into one line', () => {
    const r = capture(() => reportError(new RangeError('first\n  second'), true));
    expect(r).toEqual({ code: 1, stderr: 'ggufkit: first; second\n' });
  });
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
