/** Help text: examples everywhere, and the same flag names for the same jobs across commands. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from './run-cli.js';
import { repoRoot } from './paths.js';

const COMMANDS = ['inspect', 'rewrite', 'meta', 'split', 'merge', 'convert', 'run', 'logits', 'tokenize', 'perplexity',
  'quantize', 'quantize-rows', 'dequantize-rows'];
/** Commands whose output is one file or a path prefix (quantize keeps llama-quantize's positional form). */
const WRITERS = ['rewrite', 'meta', 'split', 'merge', 'convert', 'logits', 'quantize-rows', 'dequantize-rows'];
/** Commands that compute in parallel. */
const THREADED = ['run', 'logits', 'perplexity', 'quantize'];

async function help(args: string[]): Promise<string> {
  const r = await runCli(args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

describe('ggufkit --help', () => {
  it('lists every command, examples, the exit codes, and exits 0', async () => {
    const out = await help(['--help']);
    for (const c of COMMANDS) expect(out).toContain(`ggufkit ${c}`);
    expect(out).toMatch(/\nExamples:\n {2}ggufkit /);
    expect(out).toMatch(/Exit codes: 0 ok, 1 .*, 2 internal error/);
  });

  it('-h is --help', async () => {
    expect(await help(['-h'])).toBe(await help(['--help']));
  });

  it('--version prints the ggufkit package version', async () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'packages/cli/package.json'), 'utf8'));
    expect((await help(['--version'])).trim()).toBe(pkg.version);
  });

  it('wraps help lines at word boundaries', async () => {
    const out = (await help(['inspect', '--help'])).replace(/\s+/g, ' ');
    // with lines cut at a fixed column the words came out split ("print JS ON")
    expect(out).toContain('read the header over HTTP Range requests, print JSON');
    expect(out).toContain('Architecture, parameter count, size and bits per weight per tensor type');
  });
});

describe.each(COMMANDS)('ggufkit %s --help', (command) => {
  let out = '';
  beforeAll(async () => { out = await help([command, '--help']); });

  it('shows at least one example invoking the command', () => {
    expect(out).toMatch(new RegExp(`\\nExamples:\\n {2}ggufkit ${command} `));
  });
  it('offers --json and --verbose', () => {
    expect(out).toMatch(/ --json /);
    expect(out).toMatch(/ --verbose /);
  });
  if (WRITERS.includes(command)) {
    it('names its output with -o/--outfile', () => {
      expect(out).toMatch(/-o, --outfile/);
    });
  }
  if (THREADED.includes(command)) {
    it('takes -t/--threads', () => {
      expect(out).toMatch(/-t, --threads/);
    });
  }
});
