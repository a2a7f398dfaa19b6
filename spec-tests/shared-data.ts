/** Where the shared llama.cpp fixtures live, and visible skipping when they are absent. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const sharedDir = path.resolve(repoRoot, '../shared');
export const modelsDir = path.join(sharedDir, 'models');
export const exampleModel = path.join(repoRoot, 'examples/models/tl-bpe-Q4_K_M.gguf');

/** `describe`, or a visibly skipped `describe` when `dir` is absent. */
export function describeIfPresent(dir: string, what: string): typeof describe {
  if (fs.existsSync(dir)) return describe;
  console.warn(`skipping ${what}: ${dir} is absent`);
  return describe.skip as typeof describe;
}

/** Every .gguf file under the shared models (empty when absent), sorted. */
export function sharedGGUFFiles(): string[] {
  if (!fs.existsSync(modelsDir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.gguf')) out.push(p);
    }
  };
  walk(modelsDir);
  return out.sort();
}
