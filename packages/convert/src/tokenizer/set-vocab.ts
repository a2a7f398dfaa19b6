/**
 * The vocabulary writers llama.cpp's architectures choose between: SentencePiece
 * (`tokenizer.model`), SentencePiece-style BPE from tokenizer.json, and byte-level BPE.
 * Each writes the token keys followed by the special vocabulary.
 */
import type { ModelDirectory } from '../io/model-dir.js';
import type { MetadataBuilder } from '../metadata/builder.js';
import { TokenizerKeys } from '../metadata/keys.js';
import { buildBpeVocab } from './bpe-vocab.js';
import { buildLlamaHfVocab, isLlamaHfTokenizer, prependsSpace, specialTokenTexts } from './llama-hf-vocab.js';
import { addSpecialVocab, loadSpecialVocab } from './special-vocab.js';
import { buildSpmVocab, readSpmModel } from './spm-vocab.js';
import type { GGUFVocab } from './token-types.js';
import type { TokenizerJson } from './tokenizer-json.js';
import { readJsonFile } from '../io/model-dir.js';

/** The tokenizer files a vocabulary writer needs are absent (the caller may try another). */
export class VocabNotFoundError extends Error {
  override readonly name: string = 'VocabNotFoundError';
}

/** What the vocabulary writers read. */
export interface VocabContext {
  readonly dir: ModelDirectory;
  readonly hparams: Record<string, unknown>;
  readonly md: MetadataBuilder;
  /** Forced `tokenizer.ggml.pre` for byte-level BPE. */
  readonly tokenizerPre?: string;
  /** tokenizer.json, parsed once; `undefined` when absent. */
  tokenizerJson(): Promise<TokenizerJson | undefined>;
}

/** Writes `tokenizer.ggml.{model,pre,tokens,scores,token_type}`. */
export function writeVocab(md: MetadataBuilder, v: GGUFVocab): void {
  md.str(TokenizerKeys.MODEL, v.model);
  md.str(TokenizerKeys.PRE, v.pre);
  md.strArray(TokenizerKeys.LIST, v.tokens);
  if (v.scores) md.f32Array(TokenizerKeys.SCORES, v.scores);
  md.i32Array(TokenizerKeys.TOKEN_TYPE, v.types);
}

function configVocabSize(h: Record<string, unknown>): number | undefined {
  const v = h['vocab_size'];
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

/** SentencePiece vocabulary from tokenizer.model (`_set_vocab_sentencepiece`). */
export async function setVocabSentencepiece(ctx: VocabContext, opts: { phi3?: boolean } = {}): Promise<GGUFVocab> {
  const spm = await readSpmModel(ctx.dir);
  if (!spm) throw new VocabNotFoundError(`${ctx.dir.name}: no tokenizer.model`);
  const size = configVocabSize(ctx.hparams);
  const vocab = await buildSpmVocab(ctx.dir, spm, { ...(size !== undefined ? { vocabSize: size } : {}), phi3: opts.phi3 === true });
  writeVocab(ctx.md, vocab);
  addSpecialVocab(await loadSpecialVocab(ctx.dir, { nVocab: vocab.tokens.length, tokenizerJson: await ctx.tokenizerJson(), config: ctx.hparams }), ctx.md);
  return vocab;
}

/** SentencePiece-style BPE from tokenizer.json (`_set_vocab_llama_hf`). */
export async function setVocabLlamaHf(ctx: VocabContext): Promise<GGUFVocab> {
  const tj = await ctx.tokenizerJson();
  if (!tj || !isLlamaHfTokenizer(tj)) throw new VocabNotFoundError(`${ctx.dir.name}: no SentencePiece-style tokenizer.json`);
  const cfg = (await readJsonFile(ctx.dir, 'tokenizer_config.json')) as Record<string, unknown> | undefined;
  const map = (await readJsonFile(ctx.dir, 'special_tokens_map.json')) as Record<string, unknown> | undefined;
  const vocab = buildLlamaHfVocab(tj, specialTokenTexts(cfg, map));
  writeVocab(ctx.md, vocab);
  if (!prependsSpace(tj)) ctx.md.bool(TokenizerKeys.ADD_PREFIX, false);
  addSpecialVocab(await loadSpecialVocab(ctx.dir, { nVocab: vocab.tokens.length, tokenizerJson: tj, config: ctx.hparams }), ctx.md);
  return vocab;
}

/** Byte-level BPE from tokenizer.json (`_set_vocab_gpt2`). */
export async function setVocabGpt2(ctx: VocabContext): Promise<GGUFVocab> {
  const tj = await ctx.tokenizerJson();
  if (!tj) throw new VocabNotFoundError(`${ctx.dir.name}: no tokenizer.json`);
  const size = configVocabSize(ctx.hparams);
  const vocab = buildBpeVocab(tj, { ...(size !== undefined ? { vocabSize: size } : {}), ...(ctx.tokenizerPre !== undefined ? { pre: ctx.tokenizerPre } : {}) });
  writeVocab(ctx.md, vocab);
  addSpecialVocab(await loadSpecialVocab(ctx.dir, { loadMerges: true, tokenizerJson: tj, config: ctx.hparams }), ctx.md);
  return vocab;
}

/**
 * The vocabulary the files present call for: tokenizer.model, else a SentencePiece-style
 * tokenizer.json, else byte-level BPE (llama.cpp's Llama fallback chain).
 */
export async function setVocabAuto(ctx: VocabContext): Promise<GGUFVocab> {
  try {
    return await setVocabSentencepiece(ctx);
  } catch (e) {
    if (!(e instanceof VocabNotFoundError)) throw e;
  }
  try {
    return await setVocabLlamaHf(ctx);
  } catch (e) {
    if (!(e instanceof VocabNotFoundError)) throw e;
  }
  return setVocabGpt2(ctx);
}
