import { openGGUF } from '@ggufkit/gguf';
import fs from 'node:fs';
import { fuzzBase, handBuiltBases, type FuzzStats } from './fuzz-engine.js';
import { exampleModel } from './reader-fixtures.js';

describe('fuzz: mutated and truncated GGUF files fail only with GGUFErrors', () => {
  it('the repo fixture (3000 variants)', async () => {
    const bytes = new Uint8Array(fs.readFileSync(exampleModel));
    const pristine = bytes.slice();
    const headerEnd = (await openGGUF(bytes)).headerLength;
    const stats: FuzzStats = { ok: 0, errors: new Map() };
    await fuzzBase(bytes, headerEnd, 3000, 0x5eed, stats, 'tl-bpe-Q4_K_M');
    expect(Buffer.compare(bytes, pristine)).toBe(0); // every in-place mutation was undone
    // both outcomes occur: the mutations reach past the first check and many still parse
    expect(stats.ok).toBeGreaterThan(50);
    expect(stats.errors.get('GGUFFormatError') ?? 0).toBeGreaterThan(300);
  });

  it('hand-built files of every value type, version and byte order (4 x 1500 variants)', async () => {
    const stats: FuzzStats = { ok: 0, errors: new Map() };
    let seed = 1;
    for (const base of handBuiltBases()) {
      const headerEnd = (await openGGUF(base)).headerLength;
      await fuzzBase(base, headerEnd, 1500, seed, stats, `hand-built-${seed}`);
      seed++;
    }
    expect(stats.ok).toBeGreaterThan(50);
    expect(stats.errors.get('GGUFFormatError') ?? 0).toBeGreaterThan(500);
  });
});
