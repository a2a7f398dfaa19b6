/**
 * Choosing the kernel build: the relaxed-SIMD and SIMD128 builds give the same logits on a
 * whole model (the shipped Q4_K_M example, whose Q4_K and Q6_K matrices take the relaxed
 * kernels, with prompt rows in fours and one at a time), and a bad `simd` value is refused.
 */
import path from 'node:path';
import { loadModelFile, enableRelaxedSimd } from '../src/node.js';
import { repoRoot } from './helpers/shared.js';

const MODEL = path.join(repoRoot, 'examples/models/tl-bpe-Q4_K_M.gguf');

describe('kernel builds', () => {
  it('relaxed SIMD and SIMD128 give the same logits bit for bit', async () => {
    expect(enableRelaxedSimd()).toBe(true);
    // 7 tokens: one batch of four rows plus three single rows in the prompt kernels
    const tokens = [1, 450, 3996, 1735, 1701, 2916, 432];
    const logits: Float32Array[] = [];
    for (const simd of ['baseline', 'relaxed'] as const) {
      const model = await loadModelFile(MODEL, { simd, threads: 1, contextLength: 32 });
      try {
        logits.push(model.logits(tokens));
      } finally {
        model.dispose();
      }
    }
    expect(logits[0]!.length).toBeGreaterThan(0);
    expect(Buffer.from(logits[1]!.buffer).equals(Buffer.from(logits[0]!.buffer))).toBe(true);
  });

  it('refuses an unknown simd value', async () => {
    await expect(loadModelFile(MODEL, { simd: 'fast' as never })).rejects.toThrow(/simd must be 'auto', 'relaxed' or 'baseline', got fast/);
  });
});
