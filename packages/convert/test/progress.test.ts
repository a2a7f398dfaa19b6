/**
 * convertModel's progress follows the disk, not the write queue: whenever it reports n
 * bytes, the output files already hold at least n bytes; the figures only grow and end at
 * the total size of the files written, for a single file and for gguf-split shards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertModel, type ConvertProgress } from '@ggufkit/convert/node';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const model = path.join(repoRoot, 'examples/models/tl-bpe-hf');

let tmp = '';
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-progress-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Bytes in the files of dir (finished shards and the temporary file being written). */
const bytesOnDisk = (dir: string) => fs.readdirSync(dir).reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);

it.each([
  ['one file', {}],
  ['shards', { splitMaxSize: 1_000_000 }],
])('reports bytes the output files hold (%s)', async (_label, split) => {
  const dir = fs.mkdtempSync(path.join(tmp, 'out-'));
  const seen: ConvertProgress[] = [];
  const lagging: string[] = [];
  const summary = await convertModel(model, {
    outFile: path.join(dir, 'model.gguf'),
    outtype: 'Q4_K_M',
    ...split,
    onProgress: (p) => {
      const onDisk = bytesOnDisk(dir);
      if (p.bytesWritten > onDisk) lagging.push(`${p.bytesWritten} reported, ${onDisk} in the files`);
      seen.push({ ...p });
    },
  });
  expect(lagging).toEqual([]);
  const total = summary.files.reduce((s, f) => s + fs.statSync(f).size, 0);
  expect(seen.length).toBeGreaterThanOrEqual(summary.files.length);
  expect(seen.every((p, i) => i === 0 || p.bytesWritten >= seen[i - 1]!.bytesWritten)).toBe(true);
  expect(seen.every((p, i) => i === 0 || p.fileIndex >= seen[i - 1]!.fileIndex)).toBe(true);
  expect(seen.every((p) => p.totalBytes === total && p.fileCount === summary.files.length)).toBe(true);
  expect(seen.at(-1)!.bytesWritten).toBe(total);
  expect(seen.at(-1)!.fileIndex).toBe(summary.files.length - 1);
  if ('splitMaxSize' in split) expect(summary.files.length).toBeGreaterThan(1);
});
