import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, the shipped example model and the shared fixtures beside the repo. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const exampleModel = path.join(repoRoot, 'examples/models/tl-bpe-Q4_K_M.gguf');
export const sharedModelsDir = path.resolve(repoRoot, '../shared/models');
