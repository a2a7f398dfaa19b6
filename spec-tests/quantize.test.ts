/**
 * `ggufkit quantize` and `ggufkit convert --outtype FTYPE` against llama.cpp: every
 * `*-quantize-*.gguf` that llama-quantize made from `*-convert-f16.gguf` (with the
 * imatrix where the name says so) is reproduced byte for byte, and converting the Hugging
 * Face checkpoint straight to Q4_K_M gives the same file as llama.cpp's two steps.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeGGUFFile } from '@ggufkit/gguf/node';
import { GGMLType, GGUFValueType } from '@ggufkit/tensor-layout';
import { runCli } from '../packages/cli/test/run-cli.js';
import { describeIfPresent, modelsDir } from './shared-data.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-quantize-'));
const sha = (p: string) => createHash('sha256').update(fs.readFileSync(p)).digest('hex');

const quantized: Array<[string, string, string, boolean]> = [];
if (fs.existsSync(modelsDir)) {
  for (const m of fs.readdirSync(modelsDir).sort()) {
    const dir = path.join(modelsDir, m, 'llama.cpp');
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).sort()) {
      const match = /-quantize-(.+?)(-imatrix)?\.gguf$/.exec(f);
      if (match) quantized.push([m, f, match[1]!, match[2] !== undefined]);
    }
  }
}

describeIfPresent(modelsDir, 'quantization conformance against llama.cpp')('byte-identical with llama-quantize', () => {
  it('finds llama.cpp quantizations to compare with', () => {
    expect(quantized.length).toBeGreaterThanOrEqual(11);
  });

  it.each(quantized)('ggufkit quantize reproduces %s %s', async (model, file, ftype, imatrix) => {
    const dir = path.join(modelsDir, model, 'llama.cpp');
    const out = path.join(tmp, file);
    const args = ['quantize', path.join(dir, `${model}-convert-f16.gguf`), out, ftype, '--json'];
    if (imatrix) args.push('--imatrix', path.join(dir, `${model}.imatrix.dat`));
    const r = await runCli(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(sha(out)).toBe(sha(path.join(dir, file)));
    fs.rmSync(out);
  });

  it.each(['tl-bpe', 'tl-spm', 'tq-qwen2', 'rg-gemma2'])('ggufkit convert %s --outtype Q4_K_M equals llama.cpp convert + quantize', async (model) => {
    const out = path.join(tmp, `${model}-direct-Q4_K_M.gguf`);
    const r = await runCli(['convert', path.join(modelsDir, model, 'hf'), '-o', out, '--outtype', 'Q4_K_M']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(sha(out)).toBe(sha(path.join(modelsDir, model, 'llama.cpp', `${model}-quantize-Q4_K_M.gguf`)));
    fs.rmSync(out);
  });

  it('an imatrix in the GGUF format gives the same file as the legacy one it was made from', async () => {
    // re-express the legacy tl-bpe imatrix (raw sums, 37 calls each) as in_sum2/counts tensors
    const dir = path.join(modelsDir, 'tl-bpe/llama.cpp');
    const dat = fs.readFileSync(path.join(dir, 'tl-bpe.imatrix.dat'));
    const tensors = [];
    let pos = 4;
    for (let i = 0, n = dat.readInt32LE(0); i < n; i++) {
      const len = dat.readInt32LE(pos); pos += 4;
      const name = dat.subarray(pos, pos + len).toString('utf8'); pos += len;
      const ncall = dat.readInt32LE(pos); const nval = dat.readInt32LE(pos + 4); pos += 8;
      const sums = new Uint8Array(dat.subarray(pos, pos + 4 * nval)); pos += 4 * nval;
      tensors.push({ name: `${name}.in_sum2`, ne: [nval, 1], type: GGMLType.F32, data: sums });
      tensors.push({ name: `${name}.counts`, ne: [1, 1], type: GGMLType.F32, data: new Uint8Array(new Float32Array([ncall]).buffer) });
    }
    const im = path.join(tmp, 'tl-bpe.imatrix.gguf');
    await writeGGUFFile(im, { metadata: [
      { key: 'general.type', type: GGUFValueType.STRING, value: 'imatrix' },
      { key: 'imatrix.chunk_count', type: GGUFValueType.UINT32, value: 37 },
    ] }, tensors);
    const out = path.join(tmp, 'tl-bpe-gguf-imatrix.gguf');
    // on the calling thread (the other cases use a worker per core)
    const r = await runCli(['quantize', path.join(dir, 'tl-bpe-convert-f16.gguf'), out, 'Q4_K_M', '--imatrix', im, '--threads', '1']);
    expect(r.code).toBe(0);
    expect(sha(out)).toBe(sha(path.join(dir, 'tl-bpe-quantize-Q4_K_M-imatrix.gguf')));
  });

  it('refuses an unknown ftype with exit code 1 and writes nothing', async () => {
    const out = path.join(tmp, 'never.gguf');
    const r = await runCli(['quantize', path.join(modelsDir, 'tl-spm/llama.cpp/tl-spm-convert-f16.gguf'), out, 'Q7_K']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unsupported quantization type "Q7_K"/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('refuses to re-quantize a quantized file unless asked', async () => {
    const out = path.join(tmp, 'requant.gguf');
    const r = await runCli(['quantize', path.join(modelsDir, 'tl-spm/llama.cpp/tl-spm-quantize-Q4_0.gguf'), out, 'Q8_0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already Q4_0/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
