/**
 * The engine's public model API: load a GGUF model into WebAssembly memory, compute logits,
 * tokenize and detokenize, and generate text.
 */
import type { HParams } from './model/hparams.js';
import { loadTransformer, type LoadTransformerOptions } from './model/load.js';
import { Metadata, type ModelFile } from './model/model-file.js';
import type { Transformer } from './model/transformer.js';
import { Tokenizer, type DetokenizeOptions, type TokenizeOptions } from './tokenizer/tokenizer.js';
import { readVocab } from './tokenizer/vocab.js';
import { Sampler, type SamplerOptions } from './generate/sampler.js';
import { perplexityOfTokens, type PerplexityOptions, type PerplexityResult } from './generate/perplexity.js';
import { renderChatTemplate, type ChatMessage, type ChatTemplateOptions } from './chat/template.js';

export interface LoadModelOptions extends LoadTransformerOptions {
  /** Name used in error messages (default: the source's name). */
  name?: string;
}

export interface GeneratedToken {
  readonly id: number;
  /** The text this token completes (may be empty while a UTF-8 sequence is incomplete). */
  readonly text: string;
}

export interface GenerateOptions extends SamplerOptions {
  /** Most tokens to generate. Default 128. */
  maxTokens?: number;
  /** Tokenizer options for a string prompt (BOS as the vocabulary asks by default). */
  tokenize?: TokenizeOptions;
  /** Called for each generated token; return `false` to stop. */
  onToken?: (token: GeneratedToken) => void | boolean;
  /** Cancels generation; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Keep generating past end-of-generation tokens (llama.cpp's `ignore_eos`). Default false. */
  ignoreEos?: boolean;
}

export interface GenerateResult {
  /** The generated text (without the prompt). */
  readonly text: string;
  /** The generated token ids (without the prompt). */
  readonly tokens: number[];
  /** Number of prompt tokens. */
  readonly promptTokens: number;
  /** Why generation stopped. */
  readonly stopReason: 'eog' | 'maxTokens' | 'callback' | 'context';
}

export class Model {
  readonly hparams: HParams;
  readonly metadata: Metadata;
  readonly tokenizer: Tokenizer;
  /** Bytes of WebAssembly memory the model uses (weights, KV cache, buffers). */
  readonly memoryBytes: number;
  private readonly transformer: Transformer;

  /** @internal use `loadModel` */
  constructor(transformer: Transformer, hparams: HParams, metadata: Metadata, tokenizer: Tokenizer, memoryBytes: number) {
    this.transformer = transformer;
    this.hparams = hparams;
    this.metadata = metadata;
    this.tokenizer = tokenizer;
    this.memoryBytes = memoryBytes;
    if (transformer.threads > 1) poolRegistry.register(this, transformer, this);
  }

  /** `general.architecture`. */
  get architecture(): string {
    return this.hparams.arch;
  }

  /** Rows of the output projection (logits per position). */
  get vocabSize(): number {
    return this.transformer.vocab;
  }

  /** Threads computing the forward pass (the calling thread included). */
  get threads(): number {
    return this.transformer.threads;
  }

  /**
   * Stops the model's worker threads. Idle workers sleep and do not keep a Node process
   * alive, and they are stopped when the model is garbage-collected; `dispose` stops them
   * at once. The model cannot compute afterwards.
   */
  dispose(): void {
    poolRegistry.unregister(this);
    this.transformer.dispose();
  }

  /** The KV cache length: the longest sequence `logits` and `generate` accept. */
  get contextLength(): number {
    return this.transformer.contextLength;
  }

  /**
   * Logits of every position of a token sequence evaluated from position 0:
   * a (positions x vocabSize) row-major array.
   */
  logits(tokens: ArrayLike<number>): Float32Array {
    const V = this.vocabSize;
    const out = new Float32Array(tokens.length * V);
    this.transformer.forward(tokens, 0, 'all', (row, l) => out.set(l, row * V));
    return out;
  }

  /**
   * Perplexity of a text (or of token ids, BOS included) as llama.cpp's `perplexity` tool
   * computes it: chunks of `ctx` tokens, each starting with BOS, the second half of each
   * scored (see `generate/perplexity.ts`). `ctx` must not exceed `contextLength`.
   */
  perplexity(text: string | readonly number[], opts: PerplexityOptions): PerplexityResult {
    if (opts.ctx > this.contextLength) {
      throw new RangeError(`ctx ${opts.ctx} exceeds the model's context length ${this.contextLength}; load it with a larger contextLength`);
    }
    const ids = typeof text === 'string' ? this.tokenize(text) : [...text];
    const v = this.tokenizer.vocab;
    return perplexityOfTokens({
      bos: v.bos,
      addBos: v.addBos,
      evaluate: (chunk, fromRow, onLogits) => this.transformer.forward(chunk, 0, 'all', onLogits, fromRow),
    }, ids, opts);
  }

  tokenize(text: string, opts?: TokenizeOptions): number[] {
    return this.tokenizer.tokenize(text, opts);
  }

  detokenize(ids: ArrayLike<number>, opts?: DetokenizeOptions): string {
    return this.tokenizer.detokenize(ids, opts);
  }

  /** The model's chat template (`tokenizer.chat_template`), if it has one. */
  get chatTemplate(): string | undefined {
    const t = this.metadata.string('tokenizer.chat_template', '');
    return t === '' ? undefined : t;
  }

  /**
   * The prompt text for a conversation, rendered with the model's chat template (or
   * `opts.template`). A BOS the template writes is left out when tokenizing adds one,
   * as llama.cpp does, so the prompt does not start with two.
   */
  applyChatTemplate(messages: readonly ChatMessage[], opts: ChatTemplateOptions & { template?: string } = {}): string {
    const template = opts.template ?? this.chatTemplate;
    if (template === undefined) throw new TypeError('the model has no chat template (tokenizer.chat_template); pass one as `template`');
    const v = this.tokenizer.vocab;
    const bosToken = v.bos >= 0 ? v.tokens[v.bos] ?? '' : '';
    const eosToken = v.eos >= 0 ? v.tokens[v.eos] ?? '' : '';
    const text = renderChatTemplate(template, messages, { bosToken, eosToken }, opts);
    return v.addBos && bosToken !== '' && text.startsWith(bosToken) ? text.slice(bosToken.length) : text;
  }

  /**
   * Generates the assistant's reply to a conversation: the messages rendered with the
   * chat template, control tokens in it recognised, BOS added as the vocabulary asks.
   */
  chat(messages: readonly ChatMessage[], opts: GenerateOptions & { template?: ChatTemplateOptions & { template?: string } } = {}): Promise<GenerateResult> {
    const prompt = this.applyChatTemplate(messages, opts.template);
    return this.generate(prompt, { ...opts, tokenize: { special: true, ...opts.tokenize } });
  }

  /** Generates a continuation of `prompt` (text or token ids). */
  async generate(prompt: string | readonly number[], opts: GenerateOptions = {}): Promise<GenerateResult> {
    const promptIds = typeof prompt === 'string' ? this.tokenize(prompt, opts.tokenize) : [...prompt];
    if (promptIds.length === 0) throw new RangeError('the prompt is empty (no tokens)');
    const maxTokens = opts.maxTokens ?? 128;
    if (!(maxTokens >= 0)) throw new RangeError(`maxTokens must be >= 0, got ${maxTokens}`);
    if (promptIds.length > this.contextLength) {
      throw new RangeError(`the prompt has ${promptIds.length} tokens, more than the context length ${this.contextLength}`);
    }
    opts.signal?.throwIfAborted();
    const sampler = new Sampler(this.vocabSize, opts);
    const history = [...promptIds];
    const generated: number[] = [];
    const decoder = new TextDecoder();
    let text = '';
    let next = -1;
    const take = (_row: number, logits: Float32Array) => { next = sampler.sample(logits, history); };
    this.transformer.forward(promptIds, 0, 'last', take);
    let stopReason: GenerateResult['stopReason'] = 'maxTokens';
    while (generated.length < maxTokens) {
      if (!opts.ignoreEos && this.tokenizer.isEndOfGeneration(next)) { stopReason = 'eog'; break; }
      generated.push(next);
      history.push(next);
      const piece = decoder.decode(this.tokenizer.tokenBytes(next), { stream: true });
      text += piece;
      if (opts.onToken?.({ id: next, text: piece }) === false) { stopReason = 'callback'; break; }
      if (generated.length >= maxTokens) break;
      if (history.length > this.contextLength) { stopReason = 'context'; break; }
      await yieldToEventLoop();
      opts.signal?.throwIfAborted();
      this.transformer.forward([next], history.length - 1, 'last', take);
    }
    text += decoder.decode();
    return { text, tokens: generated, promptTokens: promptIds.length, stopReason };
  }
}

/** Stops the workers of models that were garbage-collected without `dispose`. */
const poolRegistry = new FinalizationRegistry<Transformer>((t) => t.dispose());

const yieldToEventLoop: () => Promise<void> = typeof setImmediate === 'function'
  ? () => new Promise((r) => setImmediate(r))
  : typeof MessageChannel === 'function'
    // browsers clamp nested timers to 4 ms, which would cap a small model at 250 tokens/s
    ? messageChannelYield()
    : () => new Promise((r) => setTimeout(r, 0));

function messageChannelYield(): () => Promise<void> {
  const channel = new MessageChannel();
  const waiting: Array<() => void> = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  return () => new Promise<void>((r) => {
    waiting.push(r);
    channel.port2.postMessage(null);
  });
}

/** Builds a Model from an opened GGUF file. */
export async function loadModelFromFile(file: ModelFile, opts: LoadModelOptions = {}): Promise<Model> {
  const name = opts.name ?? (file as { source?: { name?: string } }).source?.name ?? '<gguf>';
  if (opts.threads !== undefined && !(Number.isInteger(opts.threads) && opts.threads >= 1)) {
    throw new RangeError(`threads must be a positive integer, got ${opts.threads}`);
  }
  const loaded = await loadTransformer(file, name, opts);
  const tokenizer = new Tokenizer(readVocab(loaded.metadata, name));
  return new Model(loaded.transformer, loaded.hparams, loaded.metadata, tokenizer, loaded.memory.used);
}

/** Reads only the vocabulary of an opened GGUF file (no weights). */
export function loadTokenizerFromFile(file: ModelFile, name = '<gguf>'): Tokenizer {
  return new Tokenizer(readVocab(new Metadata(file, name), name));
}
