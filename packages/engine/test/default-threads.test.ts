/** The default thread count: one for small models, the available cores otherwise. */
import path from 'node:path';
import { availableCores, threadsSupported } from '../src/wasm/threads.js';
import { resolveThreads, SMALL_MODEL_BYTES } from '../src/model/load.js';
import { loadModelFile } from '../src/node.js';
import { repoRoot } from './helpers/shared.js';

describe('default threads', () => {
  it('is one below SMALL_MODEL_BYTES of weights and the available cores above', async () => {
    const cores = threadsSupported() ? await availableCores() : 1;
    expect(await resolveThreads(undefined, SMALL_MODEL_BYTES - 1)).toBe(1);
    expect(await resolveThreads(undefined, SMALL_MODEL_BYTES)).toBe(cores);
    expect(await resolveThreads(2, 1024)).toBe(threadsSupported() ? 2 : 1);
    await expect(resolveThreads(0)).rejects.toThrow(RangeError);
  });

  it('loads the shipped 4 MB model on one thread unless asked for more', async () => {
    const model = await loadModelFile(path.join(repoRoot, 'examples/models/tl-bpe-Q4_K_M.gguf'));
    try {
      expect(model.threads).toBe(1);
    } finally {
      model.dispose();
    }
  });
});
