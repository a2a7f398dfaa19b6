/**
 * Llama and its close relatives (Llama 2/3, TinyLlama, SmolLM, Mistral): Q and K rows
 * permuted to GGML's rotary layout, rope factors for Llama 3.1-style scaling, and the
 * SentencePiece -> SentencePiece-style BPE -> byte-level BPE vocabulary fallback.
 */
import { intParam } from '../config/hf-config.js';
import { readJsonFile } from '../io/model-dir.js';
import { archKeys, TokenizerKeys } from '../metadata/keys.js';
import { permuteQK, qkRowPermutation } from '../tensors/permute.js';
import { setVocabAuto } from '../tokenizer/set-vocab.js';
import { setBaseParams } from './base-params.js';
import { ggufTensorName } from './tensor-names.js';
import { mapTensorName, type ArchContext, type ArchitectureDef, type GeneratedTensor, type PlannedTensor } from './types.js';

function ropeScaling(ctx: ArchContext): Record<string, unknown> | undefined {
  const rs = ctx.hparams['rope_scaling'];
  return typeof rs === 'object' && rs !== null ? (rs as Record<string, unknown>) : undefined;
}

/** `rope_freqs` for Llama 3.1-style (`rope_type: llama3`) frequency scaling, in f32 as PyTorch computes it. */
export function llama3RopeFactors(h: Record<string, unknown>, rs: Record<string, unknown>): Float32Array {
  const base = typeof h['rope_theta'] === 'number' ? h['rope_theta'] : 10000;
  const dim = typeof h['head_dim'] === 'number' ? h['head_dim'] : intParam(h, 'hidden_size') / intParam(h, 'num_attention_heads');
  const num = (k: string, d: number) => (typeof rs[k] === 'number' ? (rs[k] as number) : d);
  const factor = num('factor', 8);
  const lowFreqFactor = num('low_freq_factor', 1);
  const highFreqFactor = num('high_freq_factor', 4);
  const oldContext = typeof h['original_max_position_embeddings'] === 'number' ? (h['original_max_position_embeddings'] as number)
    : typeof rs['original_max_position_embeddings'] === 'number' ? (rs['original_max_position_embeddings'] as number) : 8192;
  const lowWavelen = oldContext / lowFreqFactor;
  const highWavelen = oldContext / highFreqFactor;
  if (lowWavelen === highWavelen) throw new RangeError('config.json: rope_scaling low_freq_factor equals high_freq_factor');
  const f = Math.fround;
  const out = new Float32Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) {
    const freq = f(1 / f(base ** f(f(2 * i) / dim)));
    const wavelen = f(f(2 * Math.PI) / freq);
    if (wavelen < highWavelen) out[i] = 1;
    else if (wavelen > lowWavelen) out[i] = factor;
    else {
      const smooth = f(f(f(oldContext / wavelen) - lowFreqFactor) / (highFreqFactor - lowFreqFactor));
      out[i] = f(1 / f(f(f(1 - smooth) / factor) + smooth));
    }
  }
  return out;
}

export const llama: ArchitectureDef = {
  name: 'llama',
  hfArchitectures: ['LLaMAForCausalLM', 'LlamaForCausalLM', 'MistralForCausalLM'],
  tensorKinds: ['TOKEN_EMBD', 'OUTPUT_NORM', 'OUTPUT', 'ROPE_FREQS', 'ATTN_NORM', 'ATTN_Q', 'ATTN_K', 'ATTN_V', 'ATTN_OUT', 'ATTN_ROT_EMBD', 'FFN_NORM', 'FFN_GATE', 'FFN_DOWN', 'FFN_UP'],

  setParams(ctx) {
    setBaseParams(ctx);
    const h = ctx.hparams;
    const k = archKeys(ctx.arch);
    ctx.md.u32(k.VOCAB_SIZE, intParam(h, 'vocab_size'));
    const ropeDim = typeof h['head_dim'] === 'number' ? h['head_dim'] : intParam(h, 'hidden_size') / intParam(h, 'num_attention_heads');
    ctx.md.u32(k.ROPE_DIMENSION_COUNT, ropeDim);
    const rs = ropeScaling(ctx);
    if (rs && 'factor' in rs && (rs['type'] ?? rs['rope_type']) === 'linear') {
      ctx.md.str(k.ROPE_SCALING_TYPE, 'linear');
      ctx.md.f32(k.ROPE_SCALING_FACTOR, rs['factor'] as number);
    }
  },

  async setVocab(ctx) {
    await setVocabAuto(ctx);
    const cfg = (await readJsonFile(ctx.dir, 'tokenizer_config.json')) as Record<string, unknown> | undefined;
    if (cfg && typeof cfg['add_prefix_space'] === 'boolean') ctx.md.bool(TokenizerKeys.ADD_PREFIX, cfg['add_prefix_space']);
  },

  planTensor(name, shape, ctx): PlannedTensor[] {
    const nHead = intParam(ctx.hparams, 'num_attention_heads');
    const kv = ctx.hparams['num_key_value_heads'];
    const nKv = typeof kv === 'number' ? kv : undefined;
    const out: PlannedTensor = { name: mapTensorName(ctx, name), shape };
    const heads = name.endsWith('q_proj.weight') || name.endsWith('q_proj.bias') ? nHead
      : name.endsWith('k_proj.weight') || name.endsWith('k_proj.bias') ? nKv ?? nHead : undefined;
    if (heads !== undefined) {
      // a matrix keeps its rows whole (and can be streamed); a bias is one row of values
      if (shape.length === 2) out.rowPermutation = qkRowPermutation(shape[0]!, nHead, heads);
      else out.transform = (t) => permuteQK(t, nHead, heads);
    }
    return [out];
  },

  extraTensors(ctx): GeneratedTensor[] {
    const rs = ropeScaling(ctx);
    if (!rs || String(rs['rope_type'] ?? '').toLowerCase() !== 'llama3') return [];
    const data = llama3RopeFactors(ctx.hparams, rs);
    return [{ name: `${ggufTensorName('ROPE_FREQS')}.weight`, data: { dtype: 'f32', shape: [data.length], data } }];
  },
};
