/** An internal failure inside a command, end to end: exit code 2, stack only with --verbose. */
import { jest } from '@jest/globals';

const bug = () => { throw new TypeError('Cannot read properties of undefined (reading \'vocab\')'); };
jest.unstable_mockModule('@ggufkit/engine/node', () => ({
  computeLogits: bug, computePerplexity: bug, loadModelFile: bug, tokenizeText: bug, enableRelaxedSimd: () => false,
}));
const { runCli } = await import('./run-cli.js');

describe('an internal error in a command', () => {
  it('exits 2 with a one-line message and a hint', async () => {
    const r = await runCli(['tokenize', 'model.gguf', 'hello']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('ggufkit: internal error: Cannot read properties of undefined (reading \'vocab\') (run with --verbose for the stack trace)\n');
  });

  it('prints the stack with --verbose', async () => {
    const r = await runCli(['tokenize', 'model.gguf', 'hello', '--verbose']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ggufkit: internal error: TypeError: Cannot read properties of undefined \(reading 'vocab'\)\n {4}at /);
  });
});
