/**
 * `inspect --summary` against @huggingface/gguf, an independent parser: the parameter
 * count is the sum of the element counts of the tensors it reports, the per-type counts
 * are its tensors grouped by type, and the bytes follow ggml's block sizes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gguf, GGMLQuantizationType } from '@huggingface/gguf';
import { runCli } from './run-cli.js';
import { exampleModel, sharedModelsDir } from './paths.js';

/** Values per block and bytes per block, from ggml-common.h (block_q4_K etc.). */
const GGML_BLOCKS: Record<string, [number, number]> = {
  F32: [1, 4], F16: [1, 2], BF16: [1, 2],
  Q4_0: [32, 18], Q4_1: [32, 20], Q5_0: [32, 22], Q5_1: [32, 24], Q8_0: [32, 34], IQ4_NL: [32, 18],
  Q2_K: [256, 84], Q3_K: [256, 110], Q4_K: [256, 144], Q5_K: [256, 176], Q6_K: [256, 210],
};

function sharedFiles(): string[] {
  if (!fs.existsSync(sharedModelsDir)) {
    console.warn(`skipping inspect --summary on the shared llama.cpp files: ${sharedModelsDir} is absent`);
    return [];
  }
  const out: string[] = [];
  for (const m of fs.readdirSync(sharedModelsDir)) {
    const d = path.join(sharedModelsDir, m, 'llama.cpp');
    if (fs.existsSync(d)) for (const f of fs.readdirSync(d)) if (f.endsWith('.gguf')) out.push(path.join(d, f));
  }
  return out.sort();
}

interface TypeRow { type: string; tensors: number; parameters: number; bytes: number; bitsPerWeight: number }

const files = [exampleModel, ...sharedFiles()];

describe('ggufkit inspect --summary --json agrees with @huggingface/gguf', () => {
  it.each(files.map((f) => [path.basename(f), f]))('%s', async (_name, file) => {
    const r = await runCli(['inspect', file, '--summary', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ours = JSON.parse(r.stdout);
    const theirs = await gguf(file, { allowLocalFile: true, computeParametersCount: true });
    const meta = theirs.metadata as unknown as Record<string, unknown>;

    const count = (shape: readonly bigint[]) => shape.reduce((a, d) => a * Number(d), 1);
    const params = theirs.tensorInfos.reduce((a, t) => a + count(t.shape), 0);
    expect(ours.parameters).toBe(params);
    expect(ours.parameters).toBe(theirs.parameterCount);
    expect(ours.tensors).toBe(theirs.tensorInfos.length);
    expect(ours.architecture).toBe(meta['general.architecture']);
    expect(ours.name).toBe(meta['general.name'] ?? null);

    const expected = new Map<string, { tensors: number; parameters: number; bytes: number }>();
    for (const t of theirs.tensorInfos) {
      const type = GGMLQuantizationType[t.dtype]!;
      const block = GGML_BLOCKS[type];
      if (!block) throw new Error(`add ${type} to GGML_BLOCKS`);
      const n = count(t.shape);
      const e = expected.get(type) ?? { tensors: 0, parameters: 0, bytes: 0 };
      e.tensors++;
      e.parameters += n;
      e.bytes += (n / block[0]) * block[1];
      expected.set(type, e);
    }
    const rows = ours.types as TypeRow[];
    expect(Object.fromEntries(rows.map((t) => [t.type, { tensors: t.tensors, parameters: t.parameters, bytes: t.bytes }])))
      .toEqual(Object.fromEntries(expected));
    for (const t of rows) expect(t.bitsPerWeight).toBeCloseTo((GGML_BLOCKS[t.type]![1] * 8) / GGML_BLOCKS[t.type]![0], 12);
    const bytes = [...expected.values()].reduce((a, e) => a + e.bytes, 0);
    expect(ours.bytes).toBe(bytes);
    expect(ours.bitsPerWeight).toBeCloseTo((bytes * 8) / params, 12);
    // largest share first
    expect(rows.map((t) => t.bytes)).toEqual([...rows.map((t) => t.bytes)].sort((a, b) => b - a));
  });
});

describe('ggufkit inspect --summary (text)', () => {
  it('shows the architecture, parameters, bits per weight and one row per type', async () => {
    const r = await runCli(['inspect', exampleModel, '-s']);
    expect(r.code).toBe(0);
    const theirs = await gguf(exampleModel, { allowLocalFile: true, computeParametersCount: true });
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(exampleModel);
    expect(r.stdout).toMatch(/\n {2}architecture +llama\n/);
    expect(r.stdout).toContain(`(${theirs.parameterCount.toLocaleString('en-US')})`);
    expect(r.stdout).toMatch(/\n {2}tensors +57\n/);
    expect(r.stdout).toMatch(/tensor data +[\d.]+ MiB, [\d.]+ bits per weight\n/);
    expect(r.stdout).toMatch(/\n {2}Q4_K +\d+ +[\d,]+ +[\d.]+ [KM]iB +4\.50 +[\d.]+%\n/);
    expect(r.stdout).toMatch(/\n {2}Q6_K +\d+ +[\d,]+ +[\d.]+ [KM]iB +6\.56 +[\d.]+%\n/);
  });
});
