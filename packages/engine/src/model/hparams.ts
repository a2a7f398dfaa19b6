/**
 * Model hyperparameters read from GGUF metadata (`<arch>.*` keys), with the per-architecture
 * choices llama.cpp makes (RoPE layout, FFN activation, norms, scales, sliding windows).
 */
import { Metadata } from './model-file.js';

/** Architectures the engine runs (`general.architecture`). */
export const SUPPORTED_ARCHITECTURES = ['llama', 'qwen2', 'qwen3', 'phi3', 'gemma2', 'gemma3'] as const;
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
  /** RoPE base of the sliding-window layers (gemma3's local base), else `ropeBase`. */
  readonly ropeBaseSwa: number;
  /** Position multiplier of the sliding-window layers (gemma3: 1), else `ropeFreqScale`. */
  readonly ropeFreqScaleSwa: number;
  /** Dimensions of each head that RoPE rotates. */
  readonly nRot: number;
  /** NeoX RoPE rotates (x[i], x[i + nRot/2]); normal RoPE rotates (x[2i], x[2i+1]). */
  readonly ropeNeox: boolean;
  /** Scale applied to KQ before the softmax. */
  readonly kqScale: number;
  /** Scale applied to Q after RoPE (gemma2/3, phi3), or 1. */
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
  /** Extra RMS norms after attention and after the FFN (gemma2/3). */
  readonly postNorms: boolean;
  /** Per-head RMS norms of Q and K before RoPE (`attn_q_norm`, `attn_k_norm`: qwen3, gemma3). */
  readonly qkNorm: boolean;
  /** `ffn_up` holds the gate rows then the up rows, and there is no `ffn_gate` (phi3). */
  readonly fusedGateUp: boolean;
}

/**
 * Gemma's Q scale: 1/sqrt(head dim), except for the 27B models (identified by their layer
 * count, as llama.cpp does), which use 1/sqrt(dim / heads).
 */
function gemmaQueryScale(nLayers: number, layers27B: number, dim: number, nHeads: number, headDim: number): number {
  const d = nLayers === layers27B ? Math.trunc(dim / nHeads) : headDim;
  return Math.fround(1 / Math.fround(Math.sqrt(d)));
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
  const nLayers = md.number(k('block_count'));
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
  const ropeBase = md.number(k('rope.freq_base'), 10000);
  const ropeFreqScale = scalingType === 'linear' && scalingFactor > 0 ? Math.fround(1 / scalingFactor) : 1;
  const gemma2 = a === 'gemma2';
  const gemma3 = a === 'gemma3';
  const gemma = gemma2 || gemma3;
  const defaultKqScale = Math.fround(1 / Math.fround(Math.sqrt(headDim)));

  // Q is scaled after RoPE (and KQ left unscaled) where llama.cpp's graph does so
  const scalesQuery = gemma || a === 'phi3';
  let queryScale = 1;
  if (gemma2) queryScale = gemmaQueryScale(nLayers, 46, dim, nHeads, headDim);
  else if (gemma3) queryScale = gemmaQueryScale(nLayers, 62, dim, nHeads, headDim);
  else if (a === 'phi3') queryScale = defaultKqScale;

  // Sliding windows: gemma2 alternates (even layers slide); gemma3 slides in five layers of
  // every six when the file has a window. llama.cpp runs phi3 without its window (it reads
  // `attention.sliding_window` and then disables it), so the engine does too.
  let slidingWindow = 0;
  let isSliding = (_il: number) => false;
  if (gemma2) {
    slidingWindow = md.number(k('attention.sliding_window'), 4096);
    isSliding = (il) => il % 2 === 0;
  } else if (gemma3) {
    slidingWindow = md.number(k('attention.sliding_window'), 0);
    isSliding = (il) => il % 6 < 5;
  }
  const window = slidingWindow;

  return {
    arch: a,
    vocabSize: md.number(k('vocab_size'), 0),
    dim,
    nLayers,
    nHeads,
    nKvHeads,
    headDim,
    ffnDim: md.number(k('feed_forward_length')),
    trainContext: md.number(k('context_length'), 2048),
    rmsEps: md.number(k('attention.layer_norm_rms_epsilon')),
    ropeBase,
    ropeFreqScale,
    // gemma3's local layers: their own base (10000 unless the file says) and no scaling
    ropeBaseSwa: gemma3 && window > 0 ? md.number(k('rope.freq_base_swa'), 10000) : ropeBase,
    ropeFreqScaleSwa: gemma3 && window > 0 ? 1 : ropeFreqScale,
    nRot: md.number(k('rope.dimension_count'), headDim),
    ropeNeox: a !== 'llama',
    kqScale: scalesQuery ? 1 : defaultKqScale,
    queryScale,
    attnSoftcap: gemma2 ? md.number(k('attn_logit_softcapping'), 50) : 0,
    finalSoftcap: gemma2 ? md.number(k('final_logit_softcapping'), 30) : gemma3 ? md.number(k('final_logit_softcapping'), 0) : 0,
    slidingWindow: window,
    isSlidingLayer: (il: number) => window > 0 && isSliding(il),
    embedScale: gemma ? Math.fround(Math.sqrt(dim)) : 1,
    ffnActivation: gemma ? 'gelu' : 'silu',
    postNorms: gemma,
    qkNorm: a === 'qwen3' || gemma3,
    fusedGateUp: a === 'phi3',
  };
}
