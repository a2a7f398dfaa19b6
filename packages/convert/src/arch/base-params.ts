/** The hyperparameters every text architecture writes (llama.cpp's base `set_gguf_parameters`). */
import { findHParam, type HParams } from '../config/hf-config.js';
import { archKeys, GeneralKeys } from '../metadata/keys.js';
import type { MetadataBuilder } from '../metadata/builder.js';
import type { ArchContext } from './types.js';

function asInt(key: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new RangeError(`config.json: "${key}" must be an integer, got ${JSON.stringify(v)}`);
  return v;
}

function asNum(key: string, v: unknown): number {
  if (typeof v !== 'number') throw new RangeError(`config.json: "${key}" must be a number, got ${JSON.stringify(v)}`);
  return v;
}

/** Writes `key` as uint32 when the first present of `names` is not null. */
export function u32From(md: MetadataBuilder, key: string, h: HParams, names: readonly string[], required = false): void {
  const v = findHParam(h, names, true);
  if (v === undefined || v === null) {
    if (required) throw new RangeError(`config.json: could not find any of: ${names.join(', ')}`);
    return;
  }
  md.u32(key, asInt(names.find((n) => n in h)!, v));
}

/** Writes `key` as float32 when the first present of `names` is not null. */
export function f32From(md: MetadataBuilder, key: string, h: HParams, names: readonly string[]): void {
  const v = findHParam(h, names, true);
  if (v === undefined || v === null) return;
  md.f32(key, asNum(names.find((n) => n in h)!, v));
}

/** The block count llama.cpp reads (`n_layers`, `num_hidden_layers`, ...). */
export function blockCountOf(h: HParams): number {
  const keys = ['n_layers', 'num_hidden_layers', 'n_layer', 'num_layers'];
  return asInt(keys.find((k) => k in h) ?? keys[1]!, findHParam(h, keys));
}

/** Config names of the sliding-window layers' rope base, in the order llama.cpp looks for them. */
const SLIDING_ROPE_THETA_NAMES = ['local_rope_theta', 'rope_local_theta', 'rope_theta_local', 'swa_rope_theta', 'rope_local_base_freq'] as const;

/**
 * The rope base of the sliding-window (local) attention layers as llama.cpp reads it: from
 * transformers 5's per-attention-type `rope_parameters.sliding_attention.rope_theta` when the
 * config uses that layout, otherwise from the first of the older names present. `undefined`
 * when the config has none (`null` when it names one but leaves it null).
 */
export function slidingRopeTheta(h: HParams): unknown {
  const rp = h['rope_parameters'];
  if (typeof rp === 'object' && rp !== null && ('full_attention' in rp || 'sliding_attention' in rp)) {
    const sliding = (rp as Record<string, unknown>)['sliding_attention'];
    return typeof sliding === 'object' && sliding !== null ? (sliding as Record<string, unknown>)['rope_theta'] : undefined;
  }
  return findHParam(h, SLIDING_ROPE_THETA_NAMES, true);
}

/**
 * Values a model's transformers config class fills in when config.json leaves them out.
 * llama.cpp loads the config through `AutoConfig`, so it sees (and writes) these defaults.
 */
export interface BaseParamDefaults {
  /** `rope_theta`. */
  readonly ropeTheta?: number;
  /** The sliding-window layers' rope base (`rope_local_base_freq`). */
  readonly slidingRopeTheta?: number;
}

/**
 * Writes llama.cpp's base `TextModel.set_gguf_parameters` keys, in its order. An architecture
 * table calls this first and then sets its own keys; setting a key again keeps its position.
 */
export function setBaseParams(ctx: ArchContext, defaults: BaseParamDefaults = {}): void {
  const { md, hparams: h } = ctx;
  const k = archKeys(ctx.arch);
  md.u32(k.BLOCK_COUNT, ctx.blockCount);
  u32From(md, k.CONTEXT_LENGTH, h, ['max_position_embeddings', 'n_ctx']);
  u32From(md, k.EMBEDDING_LENGTH, h, ['hidden_size', 'n_embd'], true);
  u32From(md, k.FEED_FORWARD_LENGTH, h, ['intermediate_size', 'n_inner']);
  u32From(md, k.HEAD_COUNT, h, ['num_attention_heads', 'n_head'], true);
  u32From(md, k.HEAD_COUNT_KV, h, ['num_key_value_heads']);
  const theta = 'rope_theta' in h ? h['rope_theta'] : defaults.ropeTheta;
  if (theta !== undefined && theta !== null) md.f32(k.ROPE_FREQ_BASE, asNum('rope_theta', theta));
  const namedSwaTheta = slidingRopeTheta(h);
  const swaTheta = namedSwaTheta === undefined ? defaults.slidingRopeTheta : namedSwaTheta;
  if (swaTheta !== undefined && swaTheta !== null) md.f32(k.ROPE_FREQ_BASE_SWA, asNum('rope_local_base_freq', swaTheta));
  f32From(md, k.LAYERNORM_RMS_EPS, h, ['rms_norm_eps']);
  f32From(md, k.LAYERNORM_EPS, h, ['layer_norm_eps', 'layer_norm_epsilon', 'norm_epsilon']);
  u32From(md, k.EXPERT_COUNT, h, ['num_local_experts']);
  u32From(md, k.EXPERT_USED_COUNT, h, ['num_experts_per_tok']);
  const headDim = h['head_dim'];
  if (headDim !== undefined && headDim !== null) {
    md.u32(k.KEY_LENGTH, asInt('head_dim', headDim));
    md.u32(k.VALUE_LENGTH, asInt('head_dim', headDim));
  }
  md.u32(GeneralKeys.FILE_TYPE, ctx.fileType);
}
