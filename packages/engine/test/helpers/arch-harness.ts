/**
 * Converts a tiny random Hugging Face checkpoint with `@ggufkit/convert` (F32, F16, Q8_0),
 * loads each result with the engine, and measures the engine's logits against a float64
 * reference forward pass over the checkpoint's own tensors.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { convertModel, memoryModelDirectory } from '@ggufkit/convert/node';
import { safetensorsF32, type TinyTensor } from '../../../convert/test/helpers/tiny-checkpoint.js';
import { openGGUFFile } from '@ggufkit/gguf/node';
import { loadModelFromFile, type Model } from '../../src/model.js';
import { repoRoot } from './shared.js';
import type { Vec } from './arch-reference.js';

/** The tokenizer files of the BPE model shipped with the examples (4096 tokens). */
export function bpeTokenizerFiles(tokenizerConfig?: Record<string, unknown>): Record<string, Uint8Array> {
  const dir = path.join(repoRoot, 'examples/models/tl-bpe-hf');
  return {
    'tokenizer.json': new Uint8Array(fs.readFileSync(path.join(dir, 'tokenizer.json'))),
    'tokenizer_config.json': tokenizerConfig
      ? new TextEncoder().encode(JSON.stringify(tokenizerConfig))
      : new Uint8Array(fs.readFileSync(path.join(dir, 'tokenizer_config.json'))),
  };
}

/** A checkpoint directory's files: config.json, model.safetensors and the tokenizer's. */
export function checkpointFiles(config: Record<string, unknown>, tensors: readonly TinyTensor[], tokenizer: Record<string, Uint8Array>): Record<string, Uint8Array> {
  return { 'config.json': new TextEncoder().encode(JSON.stringify(config)), 'model.safetensors': safetensorsF32(tensors), ...tokenizer };
}

/** A temporary folder for converted files, removed by `dispose`. */
export class TempDir {
  readonly path = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-engine-arch-'));
  dispose(): void {
    fs.rmSync(this.path, { recursive: true, force: true });
  }
}

/** Converts the checkpoint to `outtype` ('f32', 'f16', 'q8_0') and returns the file's path. */
export async function convertTiny(tmp: TempDir, name: string, files: Record<string, Uint8Array>, outtype: string): Promise<string> {
  const outFile = path.join(tmp.path, `${name}-${outtype}.gguf`);
  await convertModel(memoryModelDirectory(name, files), { outFile, outtype });
  return outFile;
}

/**
 * Loads a GGUF file with a small batch size, so that a sequence of a dozen tokens takes
 * several forward steps (positions after the first step exercise the cache and RoPE offsets).
 */
export async function loadTiny(file: string): Promise<Model> {
  const f = await openGGUFFile(file);
  try {
    return await loadModelFromFile(f, { name: file, contextLength: 64, batchSize: 5, threads: 1 });
  } finally {
    await f.close();
  }
}

/**
 * Checks the engine's logits against both references and returns the measured differences.
 *
 * - Against the plain float64 reference: llama.cpp's graph (and the engine) stores K, V, Q
 *   and the softmax probabilities (and GELU's table) as f16, each a 2^-11 relative rounding;
 *   they reach the logits as about one such error of the largest logit (measured 0.5-1x), so
 *   the bound is two: max |diff| < 2^-10 * max |logit|.
 * - Against the reference that rounds at those same f16 points, only f32 against f64
 *   arithmetic remains (~1e-6 measured), except after the odd value so close to the midpoint
 *   of two f16 numbers that f32 and f64 round it apart: that one value moves by an f16 step,
 *   and so do the logits of its own and later positions (through the KV cache). So most
 *   positions (at least half of all the runs') must agree to F32_TOLERANCE, and all within 2^-11 * max |logit|.
 */
export function expectMatchesReference(
  vocab: number, runs: ReadonlyArray<{ logits: Float32Array; reference: readonly Vec[]; referenceF16: readonly Vec[] }>,
): { plain: number; f16: number; exactPositions: number; positions: number; maxLogit: number } {
  let plain = 0, f16 = 0, exactPositions = 0, positions = 0, maxLogit = 0;
  for (const { logits, reference, referenceF16 } of runs) {
    const scale = maxAbs(reference);
    const dPlain = maxDiffToReference(logits, vocab, reference);
    const perPos = referenceF16.map((r, p) => maxDiffToReference(logits.subarray(p * vocab, (p + 1) * vocab), vocab, [r]));
    expect(dPlain).toBeLessThan(2 ** -10 * scale);
    expect(Math.max(...perPos)).toBeLessThan(2 ** -11 * scale);
    plain = Math.max(plain, dPlain);
    f16 = Math.max(f16, ...perPos);
    exactPositions += perPos.filter((d) => d < F32_TOLERANCE).length;
    positions += perPos.length;
    maxLogit = Math.max(maxLogit, scale);
  }
  expect(exactPositions).toBeGreaterThanOrEqual(Math.ceil(positions / 2));
  return { plain, f16, exactPositions, positions, maxLogit };
}

/** Agreement of f32 against f64 arithmetic on logits of magnitude ~10 (measured ~1e-6). */
export const F32_TOLERANCE = 1e-5;

/** Largest |engine - reference| over all positions and vocabulary entries. */
export function maxDiffToReference(logits: Float32Array, vocab: number, reference: readonly Vec[]): number {
  if (logits.length !== reference.length * vocab) throw new Error(`expected ${reference.length} x ${vocab} logits, got ${logits.length}`);
  let worst = 0;
  reference.forEach((ref, p) => {
    if (ref.length !== vocab) throw new Error(`reference row ${p} has ${ref.length} logits, expected ${vocab}`);
    for (let i = 0; i < vocab; i++) worst = Math.max(worst, Math.abs(logits[p * vocab + i]! - ref[i]!));
  });
  return worst;
}

/** Largest |a - b| of two arrays of equal length. */
export function maxDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Largest |x| of the reference logits (to read differences against). */
export function maxAbs(rows: readonly Vec[]): number {
  let m = 0;
  for (const r of rows) for (const v of r) m = Math.max(m, Math.abs(v));
  return m;
}

/** What the checks shared by every architecture need: the loaded conversions and the reference. */
export interface ArchCase {
  readonly label: string;
  readonly vocab: number;
  readonly sequences: readonly (readonly number[])[];
  /** Loaded conversions by outtype (`f32`, and `f16`/`q8_0` for the rounding check); filled in `beforeAll`. */
  readonly models: Readonly<Record<string, Model>>;
  /** The float64 reference's logits per position, rounded at llama.cpp's f16 points when `f16`. */
  reference(tokens: readonly number[], f16?: boolean): Vec[];
}

/** F32 logits against the reference; with `conversions`, also F16/Q8_0 against F32 and greedy generation. */
export function itMatchesTheReference(c: ArchCase, opts: { conversions: boolean; greedyTokens: number }): void {
  it('F32 logits match the float64 transformers-semantics reference', () => {
    const r = expectMatchesReference(c.vocab, c.sequences.map((seq) => ({
      logits: c.models['f32']!.logits(seq), reference: c.reference(seq), referenceF16: c.reference(seq, true),
    })));
    console.log(`${c.label} F32: max |diff| ${r.plain.toExponential(2)} vs the float64 reference, ${r.f16.toExponential(2)} vs it rounded at the f16 points ` +
      `(${r.exactPositions}/${r.positions} positions within ${F32_TOLERANCE}); max |logit| ${r.maxLogit.toFixed(2)}`);
  });
  if (!opts.conversions) return;

  it('F16 and Q8_0 conversions agree with the F32 one within their rounding', () => {
    const seq = c.sequences[0]!;
    const f32 = c.models['f32']!.logits(seq);
    const dF16 = maxDiff(c.models['f16']!.logits(seq), f32);
    const dQ8 = maxDiff(c.models['q8_0']!.logits(seq), f32);
    console.log(`${c.label} F16 vs F32 max |diff| ${dF16.toExponential(2)}, Q8_0 vs F32 ${dQ8.toExponential(2)}`);
    expect(dF16).toBeLessThan(0.02);
    expect(dQ8).toBeLessThan(0.2);
  });

  it('greedy generation picks the reference\'s best token at each step', async () => {
    const prompt = c.sequences[1]!;
    const r = await c.models['f32']!.generate(prompt, { maxTokens: opts.greedyTokens, temperature: 0, ignoreEos: true });
    expect(r.tokens).toHaveLength(opts.greedyTokens);
    const seq = [...prompt];
    for (const tok of r.tokens) {
      const ref = c.reference(seq).at(-1)!;
      expect(ref[tok]!).toBeGreaterThan(Math.max(...ref) - 1e-3);
      seq.push(tok);
    }
  });
}
