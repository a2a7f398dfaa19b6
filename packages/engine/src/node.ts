/**
 * @packageDocumentation
 * Node entry: models from file paths, and the library functions behind the `ggufkit logits`,
 * `tokenize` and `run` commands.
 */
import { openGGUFFile } from '@ggufkit/gguf/node';
import { loadModelFromFile, loadTokenizerFromFile, type GenerateOptions, type GenerateResult, type LoadModelOptions, type Model } from './model.js';
import type { TokenizeOptions } from './tokenizer/tokenizer.js';
import type { Tokenizer } from './tokenizer/tokenizer.js';

export * from './index.js';

/** Loads a GGUF model from a file path. */
export async function loadModelFile(path: string, opts: LoadModelOptions = {}): Promise<Model> {
  const file = await openGGUFFile(path);
  try {
    return await loadModelFromFile(file, { name: path, ...opts });
  } finally {
    await file.close();
  }
}

/** Loads only the tokenizer of a GGUF file. */
export async function loadTokenizerFile(path: string): Promise<Tokenizer> {
  const file = await openGGUFFile(path);
  try {
    return loadTokenizerFromFile(file, path);
  } finally {
    await file.close();
  }
}

/** Logits of every position of `tokens` (positions x vocab, row-major). */
export async function computeLogits(modelPath: string, tokens: readonly number[], opts: LoadModelOptions = {}): Promise<Float32Array> {
  const model = await loadModelFile(modelPath, { contextLength: Math.max(1, tokens.length), ...opts });
  return model.logits(tokens);
}

/** Token ids of `text` with the model's tokenizer. */
export async function tokenizeText(modelPath: string, text: string, opts: TokenizeOptions = {}): Promise<number[]> {
  return (await loadTokenizerFile(modelPath)).tokenize(text, opts);
}

/** Generates a continuation of `prompt` with the model at `modelPath`. */
export async function runPrompt(modelPath: string, prompt: string, opts: GenerateOptions & LoadModelOptions = {}): Promise<GenerateResult> {
  const model = await loadModelFile(modelPath, opts);
  return model.generate(prompt, opts);
}
