/**
 * @packageDocumentation
 * llama.cpp-compatible CPU inference in WebAssembly SIMD: load a GGUF model (llama, qwen2,
 * qwen3, phi3, gemma2, gemma3; F32/F16/BF16 and Q4_0..Q8_0, IQ4_NL, Q2_K..Q6_K weights), compute logits,
 * tokenize, and generate text. Node file paths: `@ggufkit/engine/node`.
 */
import { openGGUF } from '@ggufkit/gguf';
import { loadModelFromFile, loadTokenizerFromFile, type LoadModelOptions, Model } from './model.js';
import type { ModelFile } from './model/model-file.js';
import type { Tokenizer } from './tokenizer/tokenizer.js';

export { Model, loadModelFromFile, loadTokenizerFromFile } from './model.js';
export type { LoadModelOptions, GenerateOptions, GenerateResult, GeneratedToken } from './model.js';
export { Metadata, type ModelFile } from './model/model-file.js';
export type { HParams, Architecture } from './model/hparams.js';
export { SUPPORTED_ARCHITECTURES } from './model/hparams.js';
export { Tokenizer } from './tokenizer/tokenizer.js';
export type { TokenizeOptions, DetokenizeOptions } from './tokenizer/tokenizer.js';
export type { Vocab, PreTokenizer } from './tokenizer/vocab.js';
export { Sampler, argmax } from './generate/sampler.js';
export { renderChatTemplate } from './chat/template.js';
export type { ChatMessage, ChatTemplateOptions, ChatTemplateTokens } from './chat/template.js';
export type { SamplerOptions } from './generate/sampler.js';
export { negativeLogLikelihood } from './generate/perplexity.js';
export type { PerplexityOptions, PerplexityResult } from './generate/perplexity.js';
export { threadsSupported, availableCores } from './wasm/threads.js';
export { DEFAULT_WASM_URL, compileEngineModule, relaxedSimdSupported } from './wasm/module.js';
export type { WasmSource } from './wasm/module.js';

/** Where a model can come from: an opened GGUF file, bytes, a Blob/File, or an http(s) URL. */
export type ModelSource = ModelFile | Uint8Array | ArrayBuffer | Blob | URL | string;

function isModelFile(x: unknown): x is ModelFile {
  return typeof x === 'object' && x !== null && 'tensors' in x && typeof (x as ModelFile).readTensorData === 'function';
}

/**
 * Loads a GGUF model. Throws a TypeError for unsupported architectures or tensor types (the
 * message lists what is supported) and a RangeError when the model does not fit the 4 GiB
 * of wasm32 memory.
 */
export async function loadModel(source: ModelSource, opts: LoadModelOptions = {}): Promise<Model> {
  if (isModelFile(source)) return loadModelFromFile(source, opts);
  const file = await openGGUF(source);
  try {
    return await loadModelFromFile(file, { name: file.source.name, ...opts });
  } finally {
    await file.close();
  }
}

/** Loads only the tokenizer of a GGUF model (reads the header, no weights). */
export async function loadTokenizer(source: ModelSource): Promise<Tokenizer> {
  if (isModelFile(source)) return loadTokenizerFromFile(source);
  const file = await openGGUF(source);
  try {
    return loadTokenizerFromFile(file, file.source.name);
  } finally {
    await file.close();
  }
}
