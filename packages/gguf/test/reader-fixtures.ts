/** Where the reader tests find real GGUF files: the repo example and the shared llama.cpp outputs. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const sharedModels = path.resolve(repoRoot, '../shared/models');
export const exampleModel = path.join(repoRoot, 'examples/models/tl-bpe-Q4_K_M.gguf');

/** Every `.gguf` under the shared models folder, sorted (empty when the folder is absent). */
export function sharedGGUFFiles(): string[] {
  if (!fs.existsSync(sharedModels)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.gguf')) out.push(p);
    }
  };
  walk(sharedModels);
  return out.sort();
}

/** `describe` when the shared folder exists, otherwise `describe.skip` with a warning naming what is skipped. */
export function describeShared(what: string): jest.Describe {
  if (fs.existsSync(sharedModels)) return describe;
  console.warn(`${sharedModels} is absent: skipping ${what}`);
  return describe.skip;
}
