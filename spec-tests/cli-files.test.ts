/**
 * The CLI against every GGUF llama.cpp wrote: `inspect --json` lists exactly what
 * @huggingface/gguf (an independent parser) sees, and `rewrite` reproduces each file byte
 * for byte.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gguf } from '@huggingface/gguf';
import { openGGUFFile } from '@ggufkit/gguf/node';
import { ggmlTypeName } from '@ggufkit/tensor-layout';
import { runCli } from '../packages/cli/test/run-cli.js';
import { describeIfPresent, exampleModel, modelsDir, sharedGGUFFiles } from './shared-data.js';

const files = [...sharedGGUFFiles(), exampleModel];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-cli-'));
const sha = (p: string) => createHash('sha256').update(fs.readFileSync(p)).digest('hex');

/** @huggingface/gguf's metadata as plain JSON values (bigints as numbers, typed arrays as arrays). */
function normalize(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(normalize);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, (x) => normalize(x));
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (Object.is(v, -0)) return 0; // JSON has no negative zero
  return v;
}

describeIfPresent(modelsDir, 'CLI conformance on the shared llama.cpp files')('ggufkit inspect --json and rewrite on llama.cpp files', () => {
  it.each(files.map((f) => [path.relative(path.dirname(modelsDir), f), f]))('%s', async (_name, file) => {
    const r = await runCli(['inspect', file, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ours = JSON.parse(r.stdout);
    const theirs = await gguf(file, { allowLocalFile: true });
    const { version, tensor_count, kv_count, ...meta } = theirs.metadata as unknown as Record<string, unknown>;
    expect(ours.version).toBe(Number(version));
    expect(ours.tensors.length).toBe(Number(tensor_count));
    expect(Object.keys(ours.metadata).length).toBe(Number(kv_count));
    expect(ours.metadata).toEqual(Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, normalize(v)])));
    expect(ours.tensors.map((t: { name: string; type: string; shape: number[]; offset: number }) => [t.name, t.type, t.shape, t.offset]))
      .toEqual(theirs.tensorInfos.map((t) => [t.name, ggmlTypeName(t.dtype), t.shape.map(Number), Number(t.offset)]));

    const out = path.join(tmp, path.basename(file));
    const w = await runCli(['rewrite', file, out]);
    expect(w.code).toBe(0);
    expect(sha(out)).toBe(sha(file));
    fs.rmSync(out);
  });
});

describe('ggufkit meta, split, merge on the example model', () => {
  it('sets, deletes and renames, and @huggingface/gguf reads the result', async () => {
    const out = path.join(tmp, 'edited.gguf');
    const r = await runCli(['meta', exampleModel, '-o', out, '--set', 'general.name=Edited', '--set', 'my.count:u64=12345678901234',
      '--set', 'llama.context_length=2048', '--delete', 'tokenizer.chat_template', '--rename-tensor', 'output.weight=out.weight']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { metadata, tensorInfos } = await gguf(out, { allowLocalFile: true });
    const m = metadata as unknown as Record<string, unknown>;
    expect(m['general.name']).toBe('Edited');
    expect(m['my.count']).toBe(12345678901234n);
    expect(m['llama.context_length']).toBe(2048);
    expect('tokenizer.chat_template' in m).toBe(false);
    expect(tensorInfos.map((t) => t.name)).toContain('out.weight');
    expect(tensorInfos.map((t) => t.name)).not.toContain('output.weight');
  });

  it('rejects a value that does not fit the key type, writing nothing', async () => {
    const out = path.join(tmp, 'bad-edit.gguf');
    const r = await runCli(['meta', exampleModel, '-o', out, '--set', 'llama.block_count=-3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/llama.block_count: -3 is out of range/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('splits into shards that inspect as one model and merge back to the same tensor data', async () => {
    const prefix = path.join(tmp, 'shards', 'tl');
    const s = await runCli(['split', exampleModel, prefix, '--split-max-tensors', '20', '--json']);
    expect(s.code).toBe(0);
    const shards: string[] = JSON.parse(s.stdout).shards;
    expect(shards.map((p) => path.basename(p))).toEqual(['tl-00001-of-00003.gguf', 'tl-00002-of-00003.gguf', 'tl-00003-of-00003.gguf']);
    const whole = JSON.parse((await runCli(['inspect', exampleModel, '--json'])).stdout);
    const split = JSON.parse((await runCli(['inspect', shards[0]!, '--json'])).stdout);
    expect(split.tensors.map((t: { name: string }) => t.name)).toEqual(whole.tensors.map((t: { name: string }) => t.name));
    expect(split.metadata['split.count']).toBe(3);
    const merged = path.join(tmp, 'merged.gguf');
    expect((await runCli(['merge', shards[0]!, merged])).code).toBe(0);
    // the merged file is the original plus the three split keys; its tensor data section is identical
    const a = await openGGUFFile(exampleModel);
    const b = await openGGUFFile(merged);
    expect(b.metadata.map((e) => e.key)).toEqual([...a.metadata.map((e) => e.key), 'split.no', 'split.tensors.count', 'split.count']);
    await a.close();
    await b.close();
    const original = fs.readFileSync(exampleModel).subarray(a.dataOffset);
    const result = fs.readFileSync(merged).subarray(b.dataOffset);
    expect(Buffer.compare(result, original)).toBe(0);
  });
});

describe('ggufkit on bad input', () => {
  it('reports a truncated file with exit code 1 and the offset', async () => {
    const bad = path.join(tmp, 'truncated.gguf');
    fs.writeFileSync(bad, fs.readFileSync(exampleModel).subarray(0, 5000));
    const r = await runCli(['inspect', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/truncated\.gguf.*offset \d+/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('reports a file that is not GGUF', async () => {
    const bad = path.join(tmp, 'not.gguf');
    fs.writeFileSync(bad, 'hello world, this is not a model file');
    const r = await runCli(['inspect', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/magic/i);
  });

  it('leaves no output when rewrite fails midway', async () => {
    const bad = path.join(tmp, 'short-data.gguf');
    const bytes = fs.readFileSync(exampleModel);
    fs.writeFileSync(bad, bytes.subarray(0, bytes.byteLength - 1000));
    const out = path.join(tmp, 'never.gguf');
    const r = await runCli(['rewrite', bad, out]);
    expect(r.code).toBe(1);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith('never.gguf'))).toEqual([]);
  });

  it('rejects an unknown command', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(1);
  });
});
