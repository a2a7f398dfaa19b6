/**
 * The engine against llama.cpp's own logits on the shared models: for every file in each
 * model's logits manifest, our logits for the same tokens, and our argmax along
 * llama.cpp's greedy continuation (teacher-forced). Bands: F16 within 0.05 of llama.cpp at
 * every logit; quantized files mean KL(llama.cpp || ours) <= 3e-3, max |diff| <= 1.0, and
 * top-1 agreement on >= 95% of positions.
 */
import path from 'node:path';
import { loadModelFromFile } from '../packages/engine/src/model.js';
import { enableRelaxedSimd } from '../packages/engine/src/node.js';
import { describeWithModels, ggufFor, modelsDir, modelsWithLogits, openModelFile, readF32, readManifest } from './engine-helpers.js';

interface Figures { maxDiff: number; meanKL: number; top1: number; forced: number }

function logSoftmax(x: ArrayLike<number>): Float64Array {
  let mx = -Infinity;
  for (let i = 0; i < x.length; i++) mx = Math.max(mx, x[i]!);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp(x[i]! - mx);
  const lse = Math.log(s) + mx;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! - lse;
  return out;
}

function argmax(x: ArrayLike<number>): number {
  let b = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[b]!) b = i;
  return b;
}

async function compare(model: string, key: string): Promise<Figures> {
  const man = readManifest(model);
  const V = man.vocab;
  const ref = readF32(path.join(modelsDir, model, 'llama.cpp/logits', man.files[key]!.logits));
  const file = await openModelFile(ggufFor(model, key));
  const longest = Math.max(...man.prompts.map((p) => p.ids.length)) + 24;
  // the relaxed-SIMD kernels, which the CLI and current browsers run (the unit tests check
  // that the SIMD128 build gives the same bits)
  expect(enableRelaxedSimd()).toBe(true);
  const m = await loadModelFromFile(file, { name: ggufFor(model, key), contextLength: longest, simd: 'relaxed' }).finally(() => file.close?.());
  let off = 0, maxDiff = 0, kl = 0, agree = 0, positions = 0, forcedAgree = 0, forced = 0;
  man.prompts.forEach((p, pi) => {
    // one causal pass over prompt + continuation: its first rows are the prompt's logits
    const greedy = man.files[key]!.greedy24[pi]!;
    const seq = [...p.ids, ...greedy];
    const ours = m.logits(seq.slice(0, -1));
    for (let t = 0; t < p.ids.length; t++) {
      const a = ours.subarray(t * V, (t + 1) * V);
      const r = ref.subarray((off + t) * V, (off + t + 1) * V);
      for (let i = 0; i < V; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - r[i]!));
      const lp = logSoftmax(r), lq = logSoftmax(a);
      for (let i = 0; i < V; i++) kl += Math.exp(lp[i]!) * (lp[i]! - lq[i]!);
      agree += argmax(a) === argmax(r) ? 1 : 0;
      positions++;
    }
    for (let t = p.ids.length - 1; t < seq.length - 1; t++) {
      forcedAgree += argmax(ours.subarray(t * V, (t + 1) * V)) === seq[t + 1] ? 1 : 0;
      forced++;
    }
    off += p.ids.length;
  });
  return { maxDiff, meanKL: kl / positions, top1: agree / positions, forced: forcedAgree / forced };
}

const models = modelsWithLogits();
const cases = models.flatMap((m) => Object.keys(readManifest(m).files).map((k) => [m, k] as const));

describeWithModels('engine logits vs llama.cpp')('engine logits match llama.cpp', () => {
  const rows: string[] = [];
  afterAll(() => {
    if (rows.length) console.log(['model     file     max|diff|  mean KL   top-1   forced', ...rows].join('\n'));
  });

  it.each(cases)('%s %s', async (model, key) => {
    const f = await compare(model, key);
    rows.push(`${model.padEnd(9)} ${key.padEnd(8)} ${f.maxDiff.toFixed(4).padStart(9)}  ${f.meanKL.toExponential(2)}  ${(100 * f.top1).toFixed(1).padStart(5)}%  ${(100 * f.forced).toFixed(1).padStart(5)}%`);
    if (key === 'F16') {
      expect(f.maxDiff).toBeLessThanOrEqual(0.05);
    } else {
      expect(f.maxDiff).toBeLessThanOrEqual(1.0);
    }
    expect(f.meanKL).toBeLessThanOrEqual(3e-3);
    expect(f.top1).toBeGreaterThanOrEqual(0.95);
    expect(f.forced).toBeGreaterThanOrEqual(0.95);
  });
});
