/**
 * @packageDocumentation
 * Node entry: models from file paths, and the library functions behind the `ggufkit logits`,
 * `tokenize` and `run` commands.
 */
import v8 from 'node:v8';
import { openSplitGGUFFile } from '@ggufkit/gguf/node';
import { relaxedSimdSupported, resetRelaxedSimdProbe } from './wasm/module.js';
import type { ModelFile } from './model/model-file.js';
import { loadModelFromFile, loadTokenizerFromFile, type GenerateOptions, type GenerateResult, type LoadModelOptions, type Model } from './model.js';
import type { TokenizeOptions } from './tokenizer/tokenizer.js';
import type { Tokenizer } from './tokenizer/tokenizer.js';
import type { PerplexityResult } from './generate/perplexity.js';

export * from './index.js';

/**
 * Turns on WebAssembly relaxed SIMD in this Node process where V8 has it behind a flag
 * (Node 20 and 21), so that models loaded afterwards run the relaxed-SIMD kernels (see
 * `LoadModelOptions.simd`). Returns whether relaxed SIMD is available now. It sets a
 * process-wide V8 flag, so the library leaves the choice to the application; the `ggufkit`
 * CLI calls it.
 */
export function enableRelaxedSimd(): boolean {
  if (relaxedSimdSupported()) return true;
  try {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  resetRelaxedSimdProbe();
  return relaxedSimdSupported();
}

/** A local GGUF file, or every shard of a split model from any one of its paths, as the engine reads it. */
async function openModelPath(path: string): Promise<ModelFile & { close(): Promise<void> }> {
  const model = await openSplitGGUFFile(path);
  return {
    metadata: model.metadata,
    tensors: model.tensors,
    get: (key) => model.get(key),
    readTensorData: (t) => model.readTensorData(t.name),
    readTensorRange: (t, start, end) => model.readTensorRange(t.name, start, end),
    close: () => model.close(),
  };
}

/** Loads a GGUF model from a file path; a shard of a split model (`-00001-of-0000N.gguf`) loads the whole model. */
export async function loadModelFile(path: string, opts: LoadModelOptions = {}): Promise<Model> {
  const file = await openModelPath(path);
  try {
    return await loadModelFromFile(file, { name: path, ...opts });
  } finally {
    await file.close();
  }
}

/** Loads only the tokenizer of a GGUF file (or split model). */
export async function loadTokenizerFile(path: string): Promise<Tokenizer> {
  const file = await openModelPath(path);
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

/** Options of {@link computePerplexity}. */
export interface ComputePerplexityOptions {
  /** Tokens per chunk (llama.cpp's `-c`). */
  ctx: number;
  /** Tokens per forward step (llama.cpp's `-b`; default min(ctx, 512)); the result does not depend on it. */
  batch?: number;
  /** Compute threads (default: the available cores). */
  threads?: number;
  /** Score at most this many chunks (llama.cpp's `--chunks`); default all. */
  chunks?: number;
}

/**
 * Perplexity of `text` under the model at `modelPath`, computed as llama.cpp's
 * `llama-perplexity -c ctx` does: chunks of `ctx` tokens starting with BOS, the second half
 * of each chunk scored.
 */
export async function computePerplexity(modelPath: string, text: string, opts: ComputePerplexityOptions): Promise<PerplexityResult> {
  if (!(Number.isInteger(opts.ctx) && opts.ctx >= 3)) throw new RangeError(`ctx must be an integer >= 3, got ${opts.ctx}`);
  const model = await loadModelFile(modelPath, {
    contextLength: opts.ctx, batchSize: opts.batch ?? Math.min(opts.ctx, 512), threads: opts.threads,
  });
  try {
    return model.perplexity(text, { ctx: opts.ctx, chunks: opts.chunks });
  } finally {
    model.dispose();
  }
}
