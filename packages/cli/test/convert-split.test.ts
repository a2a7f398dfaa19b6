/**
 * `ggufkit convert --split-max-size / --split-max-tensors` on the shipped model (a copy of
 * tl-bpe): the shards are the very files llama.cpp's gguf-split makes from the unsplit
 * conversion (`ggufkit split` reproduces gguf-split), they open as the same model, and
 * merging them gives what gguf-split's merge gives: shard 0's metadata with `split.count`
 * set to 0, followed by every tensor, so the data section equals the unsplit file's.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openGGUFFile, openSplitGGUFFile } from '@ggufkit/gguf/node';
import { runCli } from './run-cli.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const model = path.join(repoRoot, 'examples/models/tl-bpe-hf');
const SPLIT_KEYS = ['split.no', 'split.count', 'split.tensors.count'];

const sha = (p: string) => createHash('sha256').update(fs.readFileSync(p)).digest('hex');
let tmp = '';
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-convert-split-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function ok(args: string[]): Promise<string> {
  const r = await runCli(args);
  expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
  return r.stdout;
}

/** Metadata as comparable plain values (typed arrays and string lists as arrays). */
function plainMetadata(entries: readonly { key: string; type: number; value: unknown }[]): unknown[] {
  const plain = (v: unknown): unknown => {
    if (v && typeof v === 'object' && 'values' in v) {
      const a = v as unknown as { itemType: number; values: unknown };
      return { itemType: a.itemType, values: plain(a.values) };
    }
    if (v && typeof v === 'object' && Symbol.iterator in v) return Array.from(v as Iterable<unknown>, plain);
    return v;
  };
  return entries.filter((e) => !SPLIT_KEYS.includes(e.key)).map((e) => [e.key, e.type, plain(e.value)]);
}

describe.each([
  ['f16', ['--split-max-size', '3M']],
  ['Q4_K_M', ['--split-max-size', '1M']],
  ['q8_0', ['--split-max-tensors', '20']],
])('convert --outtype %s %j', (outtype, splitArgs) => {
  it('writes gguf-split shards that equal splitting the unsplit conversion, and merge back', async () => {
    const dir = path.join(tmp, outtype);
    fs.mkdirSync(path.join(dir, 'direct'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'split'), { recursive: true });
    const whole = path.join(dir, 'whole.gguf');
    await ok(['convert', model, '-o', whole, '--outtype', outtype]);
    await ok(['convert', model, '-o', path.join(dir, 'direct', 'model.gguf'), '--outtype', outtype, ...splitArgs]);
    const splitOut = JSON.parse(await ok(['split', whole, path.join(dir, 'split', 'model'), ...splitArgs, '--json'])) as { shards: string[] };

    // same names (llama.cpp's -0000i-of-0000n pattern) and the same bytes as gguf-split's
    const direct = fs.readdirSync(path.join(dir, 'direct')).sort();
    expect(splitOut.shards.length).toBeGreaterThan(2);
    expect(direct).toEqual(splitOut.shards.map((p) => path.basename(p)));
    expect(direct.every((f, i) => f === `model-${String(i + 1).padStart(5, '0')}-of-${String(direct.length).padStart(5, '0')}.gguf`)).toBe(true);
    for (const [i, f] of direct.entries()) {
      expect({ shard: f, sha: sha(path.join(dir, 'direct', f)) }).toEqual({ shard: f, sha: sha(splitOut.shards[i]!) });
    }

    // opened as one model: the unsplit file's tensors (names, types, shapes, bytes) and metadata
    const split = await openSplitGGUFFile(path.join(dir, 'direct', direct[0]!));
    const one = await openGGUFFile(whole);
    try {
      expect(split.shards.length).toBe(direct.length);
      expect(split.tensors.map((t) => [t.name, t.type, t.ne])).toEqual(one.tensors.map((t) => [t.name, t.type, t.ne]));
      for (const t of one.tensors) {
        expect(Buffer.from(await split.readTensorData(t.name)).equals(Buffer.from(await one.readTensorData(t.name)))).toBe(true);
      }
      expect(plainMetadata(split.shards[0]!.metadata)).toEqual(plainMetadata(one.metadata));
      for (const [i, s] of split.shards.entries()) {
        expect(s.metadata.filter((e) => SPLIT_KEYS.includes(e.key)).map((e) => [e.key, e.value]))
          .toEqual([['split.no', i], ['split.tensors.count', one.tensors.length], ['split.count', direct.length]]);
        if (i > 0) expect(s.metadata.length).toBe(3);
      }
    } finally {
      await split.close();
      await one.close();
    }

    // merge: identical to merging gguf-split's shards; data section identical to the unsplit file
    const mergedDirect = path.join(dir, 'merged-direct.gguf');
    const mergedSplit = path.join(dir, 'merged-split.gguf');
    await ok(['merge', path.join(dir, 'direct', direct[0]!), mergedDirect]);
    await ok(['merge', splitOut.shards[0]!, mergedSplit]);
    expect(sha(mergedDirect)).toBe(sha(mergedSplit));
    const a = await openGGUFFile(whole);
    const b = await openGGUFFile(mergedDirect);
    try {
      expect(b.metadata.map((e) => e.key)).toEqual([...a.metadata.map((e) => e.key), 'split.no', 'split.tensors.count', 'split.count']);
      expect(b.metadata.find((e) => e.key === 'split.count')?.value).toBe(0);
      expect(fs.readFileSync(mergedDirect).subarray(b.dataOffset).equals(fs.readFileSync(whole).subarray(a.dataOffset))).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('convert split edge cases', () => {
  it('writes a plain file when the model fits one shard, as llama.cpp\'s converter does', async () => {
    const out = path.join(tmp, 'fits.gguf');
    await ok(['convert', model, '-o', out, '--split-max-size', '2G']);
    expect(fs.existsSync(out)).toBe(true);
    const f = await openGGUFFile(out);
    try {
      expect(f.metadata.some((e) => SPLIT_KEYS.includes(e.key))).toBe(false);
    } finally {
      await f.close();
    }
  });

  it('rejects a malformed size and both limits at once, writing nothing', async () => {
    const out = path.join(tmp, 'bad', 'model.gguf');
    const r1 = await runCli(['convert', model, '-o', out, '--split-max-size', '2X']);
    expect(r1.code).not.toBe(0);
    expect(r1.stderr).toMatch(/split-max-size.*2X/);
    const r2 = await runCli(['convert', model, '-o', out, '--split-max-size', '2G', '--split-max-tensors', '3']);
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toMatch(/split-max-size|split-max-tensors/);
    expect(fs.existsSync(path.dirname(out))).toBe(false);
  });
});
