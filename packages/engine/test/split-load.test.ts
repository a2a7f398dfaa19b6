/** A split model loads from the path of any shard and computes what the unsplit file does. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openGGUFFile, writeSplitGGUF } from '@ggufkit/gguf/node';
import { loadModelFile } from '../src/node.js';
import { repoRoot } from './helpers/shared.js';

const shipped = path.join(repoRoot, 'examples/models/tl-bpe-Q4_K_M.gguf');

it('loads a split model from its first shard with the logits of the whole file', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-split-load-'));
  try {
    const src = await openGGUFFile(shipped);
    let paths: string[];
    try {
      ({ paths } = await writeSplitGGUF(src, path.join(tmp, 'tl-bpe'), { maxTensors: 20 }));
    } finally {
      await src.close();
    }
    expect(paths.length).toBe(3);
    const whole = await loadModelFile(shipped, { threads: 1 });
    const split = await loadModelFile(paths[0]!, { threads: 1 });
    try {
      const ids = whole.tokenize('The quick brown fox');
      expect(split.tokenize('The quick brown fox')).toEqual(ids);
      expect(Buffer.from(split.logits(ids).buffer).equals(Buffer.from(whole.logits(ids).buffer))).toBe(true);
    } finally {
      whole.dispose();
      split.dispose();
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
