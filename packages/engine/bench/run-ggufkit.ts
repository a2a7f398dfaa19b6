/** Prompt processing and generation speed of @ggufkit/engine. */
import { loadModelFile } from '../src/node.js';
import type { Model } from '../src/model.js';
import type { SpeedResult } from './speed.js';

/**
 * Processes `pp` (a prompt) and generates `tg` tokens after `short`, on `threads` threads,
 * with the relaxed-SIMD or the SIMD128 kernels.
 */
export async function benchGgufkit(file: string, threads: number, pp: number[], short: number[], tg: number, simd: 'relaxed' | 'baseline'): Promise<SpeedResult> {
  const model = await loadModelFile(file, { threads, simd, contextLength: pp.length + tg + 64, batchSize: 512 });
  try {
    // warm-up: the kernels reach their optimized tier after a few calls
    await model.generate(pp.slice(0, 64), { maxTokens: 8, temperature: 0 });
    const t = performance.now();
    await model.generate(pp, { maxTokens: 0 });
    const ppSeconds = (performance.now() - t) / 1000;
    return { ppTokS: pp.length / ppSeconds, tgTokS: tg / await decodeSeconds(model, short, tg), threads: model.threads };
  } finally {
    model.dispose();
  }
}

/** Seconds for `tg` decoding steps: from the first generated token to the (tg + 1)-th. */
async function decodeSeconds(model: Model, prompt: number[], tg: number): Promise<number> {
  const stamps: number[] = [];
  await model.generate(prompt, { maxTokens: tg + 1, temperature: 0, ignoreEos: true, onToken: () => { stamps.push(performance.now()); } });
  if (stamps.length !== tg + 1) throw new Error(`generation stopped after ${stamps.length} tokens`);
  return (stamps[tg]! - stamps[0]!) / 1000;
}
