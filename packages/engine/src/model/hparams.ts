/**
 * Model hyperparameters read from GGUF metadata (`<arch>.*` keys), with the per-architecture
 * choices llama.cpp makes (RoPE layout, FFN activation, norms, scales).
 */
import { Metadata } from './model-file.js';

/** Architectures the engine runs (`general.architecture`). */
export const SUPPORTED_ARCHITECTURES = ['llama', 'qwen2', 'gemma2'] as const;
export type Architecture = (typeof SUPPORTED_ARCHITECTURES)[number];

export interface HParams {
  readonly arch: Architecture;
  readonly vocabSize: number;
  /** Width of the residual stream (`embedding_length`). */
  readonly dim: number;
  readonly nLayers: number;
  readonly nHeads: number;
  readonly nKvHeads: number;
  readonly headDim: number;
  readonly ffnDim: number;
  /** Context length the model was trained with. */
  readonly trainContext: number;
  readonly rmsEps: number;
  readonly ropeBase: number;
  /** Multiplier on positions (1 / linear scaling factor). */
  readonly ropeFreqScale: number;
  /** Dimensions of each head that RoPE rotates. */
  readonly nRot: number;
  /** NeoX RoPE rotates (x[i], x[i + nRot/2]); normal RoPE rotates (x[2i], x[2i+1]). */
  readonly ropeNeox: boolean;
  /** Scale applied to KQ before the softmax. */
  readonly kqScale: number;
  /** Scale applied to Q after RoPE (gemma2), or 1. */
  readonly queryScale: number;
  /** Attention logit soft-cap, 0 when none. */
  readonly attnSoftcap: number;
  /** Final logit soft-cap, 0 when none. */
  readonly finalSoftcap: number;
  /** Sliding window size for layers that use one, 0 when none. */
  readonly slidingWindow: number;
  /** Whether layer `il` uses the sliding window. */
  isSlidingLayer(il: number): boolean;
  /** Multiplier on token embeddings (gemma: sqrt(dim)), or 1. */
  readonly embedScale: number;
  readonly ffnActivation: 'silu' | 'gelu';
  /** Extra RMS norms after attention and after the FFN (gemma2). */
  readonly postNorms: boolean;
}

/** Reads the hyperparameters; throws a TypeError for an unsupported architecture. */
export function readHParams(md: Metadata, file: string): HParams {
  const arch = md.string('general.architecture');
  if (!(SUPPORTED_ARCHITECTURES as readonly string[]).includes(arch)) {
    throw new TypeError(`${file}: architecture "${arch}" is not supported; supported: ${SUPPORTED_ARCHITECTURES.join(', ')}`);
  }
  const a = arch as Architecture;
  const k = (s: string) => `${a}.${s}`;
  const dim = md.number(k('embedding_length'));
  const nHeads = md.number(k('attention.head_count'));
  const nKvHeads = md.number(k('attention.head_count_kv'), nHeads);
  const headDim = md.number(k('attention.key_length'), dim / nHeads);
  const valueDim = md.number(k('attention.value_length'), headDim);
  if (valueDim !== headDim) throw new TypeError(`${file}: key length ${headDim} differs from value length ${valueDim}`);
  const scalingType = md.string(k('rope.scaling.type'), 'none');
  const scalingFactor = md.number(k('rope.scaling.factor'), 0);
  if (scalingType !== 'none' && scalingType !== 'linear') {
    throw new TypeError(`${file}: RoPE scaling "${scalingType}" is not supported`);
  }
  const gemma2 = a === 'gemma2';
  const slidingWindow = gemma2 ? md.number(k('attention.sliding_window'), 4096) : 0;
  return {
    arch: a,
    vocabSize: md.number(k('vocab_size'), 0),
    dim,
    nLayers: md.number(k('block_count')),
    nHeads,
    nKvHeads,
    headDim,
    ffnDim: md.number(k('feed_forward_length')),
    trainContext: md.number(k('context_length'), 2048),
    rmsEps: md.number(k('attention.layer_norm_rms_epsilon')),
    ropeBase: md.number(k('rope.freq_base'), 10000),
    ropeFreqScale: scalingType === 'linear' && scalingFactor > 0 ? Math.fround(1 / scalingFactor) : 1,
    nRot: md.number(k('rope.dimension_count'), headDim),
    ropeNeox: a !== 'llama',
    kqScale: gemma2 ? 1 : Math.fround(1 / Math.fround(Math.sqrt(headDim))),
    queryScale: gemma2 ? Math.fround(1 / Math.fround(Math.sqrt(headDim))) : 1,
    attnSoftcap: gemma2 ? md.number(k('attn_logit_softcapping'), 50) : 0,
    finalSoftcap: gemma2 ? md.number(k('final_logit_softcapping'), 30) : 0,
    slidingWindow,
    // gemma2 alternates: even layers use the window, odd layers see everything
    isSlidingLayer: (il: number) => slidingWindow > 0 && (!gemma2 || il % 2 === 0),
    embedScale: gemma2 ? Math.fround(Math.sqrt(dim)) : 1,
    ffnActivation: gemma2 ? 'gelu' : 'silu',
    postNorms: gemma2,
  };
}
