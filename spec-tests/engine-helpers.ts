/** Shared by the engine conformance suites: where the fixtures are and how to open them. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openGGUFFile } from '@ggufkit/gguf/node';
import type { ModelFile } from '../packages/engine/src/model/model-file.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const modelsDir = path.resolve(repoRoot, '../shared/models');

/** `describe`, or a visibly skipped `describe` when the shared models are absent. */
export function describeWithModels(what: string): typeof describe {
  if (fs.existsSync(modelsDir)) return describe;
  console.warn(`skipping ${what}: ${modelsDir} is absent`);
  return describe.skip as typeof describe;
}

export interface LogitsManifest {
  model: string;
  vocab: number;
  prompts: Array<{ text: string; ids: number[] }>;
  files: Record<string, { logits: string; greedy24: number[][] }>;
}

/** Models with llama.cpp logits, in a stable order. */
export function modelsWithLogits(): string[] {
  if (!fs.existsSync(modelsDir)) return [];
  return fs.readdirSync(modelsDir).filter((m) => fs.existsSync(path.join(modelsDir, m, 'llama.cpp/logits/manifest.json'))).sort();
}

export function readManifest(model: string): LogitsManifest {
  return JSON.parse(fs.readFileSync(path.join(modelsDir, model, 'llama.cpp/logits/manifest.json'), 'utf8'));
}

/** The GGUF file a manifest entry was computed from (convert-* for F16/Q8_0, quantize-* otherwise). */
export function ggufFor(model: string, key: string): string {
  const dir = path.join(modelsDir, model, 'llama.cpp');
  const converted = path.join(dir, `${model}-convert-${key.toLowerCase()}.gguf`);
  return fs.existsSync(converted) ? converted : path.join(dir, `${model}-quantize-${key}.gguf`);
}

export function readF32(file: string): Float32Array {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Opens a GGUF file with ggufkit's reader. */
export function openModelFile(file: string): Promise<ModelFile> {
  return openGGUFFile(file);
}
