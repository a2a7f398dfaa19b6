import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (four levels above this helper). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
/** Fixtures shared beside the repository (absent in a plain clone). */
export const sharedDir = path.resolve(repoRoot, '../shared');

/** `describe`, or `describe.skip` with a warning when `dir` does not exist. */
export function describeIfExists(dir: string, what: string): typeof describe {
  if (fs.existsSync(dir)) return describe;
  console.warn(`skipping ${what}: ${dir} is absent`);
  return describe.skip as typeof describe;
}

export function readF32(file: string): Float32Array {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
