/**
 * Runs a TypeScript script or the CLI in a child process with tsx, against the package
 * sources (the test tsconfig maps `@ggufkit/<name>` to `packages/<name>/src`), so no build is needed.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './shared-data.js';

const TSX_CLI = path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs');
const TEST_TSCONFIG = path.join(repoRoot, 'tsconfig.test.json');

export interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A script still running after this long is killed (with its process group) and reported as failed. */
const SCRIPT_TIMEOUT_MS = 480_000;

/** Runs `tsx script ...args` in `cwd` (default: the repository root) and collects its output. */
export function runTsx(script: string, args: readonly string[] = [], cwd = repoRoot): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX_CLI, script, ...args], {
      cwd,
      env: { ...process.env, TSX_TSCONFIG_PATH: TEST_TSCONFIG, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // its own process group, so that a timeout also stops the node process tsx starts
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => {
      err.push(Buffer.from(`\nkilled after ${SCRIPT_TIMEOUT_MS / 1000} s\n`));
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, SCRIPT_TIMEOUT_MS);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** Runs an example by name (`inspect` for `examples/inspect.ts`). */
export function runExample(name: string, args: readonly string[] = []): Promise<ScriptResult> {
  return runTsx(path.join(repoRoot, 'examples', `${name}.ts`), args);
}
