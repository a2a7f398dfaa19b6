/**
 * Runs the browser demo's end-to-end check (`examples/browser/test/run.ts`, also
 * `npm run test:browser`) when Debian's Chromium is installed; skips with a warning where
 * it is not, so that `npm test` passes on machines without a browser.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) console.warn(`skipping the browser demo test: ${CHROMIUM} is absent (apt-get install -y chromium, then npm run test:browser)`);
const d = hasChromium ? describe : describe.skip;

function runScript(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/browser/test/run.ts'], {
      cwd: repoRoot,
      // the packages' sources, as in the other tests (not their built dist/)
      env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.test.json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (b: Buffer) => { output += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { output += b.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

d('browser demo in headless Chromium', () => {
  it('shows the model and generates the same greedy tokens as Node, with and without threads', async () => {
    const { code, output } = await runScript();
    if (code !== 0) console.error(output);
    expect(output).not.toMatch(/^\s*FAIL /m);
    expect(output).toContain('browser demo: all checks passed');
    expect(code).toBe(0);
  }, 600_000);
});
