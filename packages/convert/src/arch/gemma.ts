/**
 * Gemma 2 and Gemma 3 (text): RMSNorm weights are stored as `w` but applied as `1 + w`,
 * so llama.cpp adds 1 to every `*norm.weight`; the output projection is tied (lm_head,
 * when present, is dropped); SentencePiece vocabulary without a leading space. Gemma 3's
 * sliding-window layers have their own rope base (`rope.freq_base_swa`).
 */
import { intParam, numParam } from '../config/hf-config.js';
import { archKeys, GeneralKeys, TokenizerKeys } from '../metadata/keys.js';
import { addScalar, sliceRows } from '../tensors/work-tensor.js';
import { setVocabAuto, setVocabSentencepiece } from '../tokenizer/set-vocab.js';
import { readSpmModel, buildSpmVocab } from '../tokenizer/spm-vocab.js';
import { setBaseParams } from './base-params.js';
import { mapTensorName, type ArchContext, type ArchitectureDef, type PlannedTensor } from './types.js';

function planGemmaTensor(name: string, shape: readonly number[], ctx: ArchContext): PlannedTensor[] {
  if (name === 'lm_head.weight') return [];
  const out: PlannedTensor = { name: mapTensorName(ctx, name), shape };
  if (name.endsWith('norm.weight')) out.transform = (t) => addScalar(t, 1);
  return [out];
}

export const gemma2: ArchitectureDef = {
  name: 'gemma2',
  hfArchitectures: ['Gemma2ForCausalLM'],
  tensorKinds: ['TOKEN_EMBD', 'OUTPUT_NORM', 'ATTN_Q', 'ATTN_K', 'ATTN_V', 'ATTN_OUT', 'FFN_GATE', 'FFN_DOWN', 'FFN_UP', 'ATTN_NORM', 'ATTN_POST_NORM', 'FFN_PRE_NORM', 'FFN_POST_NORM'],

  setParams(ctx) {
    const h = ctx.hparams;
    const k = archKeys(ctx.arch);
    const md = ctx.md;
    md.u32(k.CONTEXT_LENGTH, intParam(h, 'max_position_embeddings'));
    md.u32(k.EMBEDDING_LENGTH, intParam(h, 'hidden_size'));
    md.u32(k.BLOCK_COUNT, ctx.blockCount);
    md.u32(k.FEED_FORWARD_LENGTH, intParam(h, 'intermediate_size'));
    md.u32(k.HEAD_COUNT, intParam(h, 'num_attention_heads'));
    md.u32(k.HEAD_COUNT_KV, 'num_key_value_heads' in h ? intParam(h, 'num_key_value_heads') : intParam(h, 'num_attention_heads'));
    md.f32(k.LAYERNORM_RMS_EPS, numParam(h, 'rms_norm_eps'));
    md.u32(k.KEY_LENGTH, intParam(h, 'head_dim'));
    md.u32(k.VALUE_LENGTH, intParam(h, 'head_dim'));
    md.u32(GeneralKeys.FILE_TYPE, ctx.fileType);
    md.f32(k.ATTN_LOGIT_SOFTCAPPING, numParam(h, 'attn_logit_softcapping'));
    md.f32(k.FINAL_LOGIT_SOFTCAPPING, numParam(h, 'final_logit_softcapping'));
    md.u32(k.SLIDING_WINDOW, intParam(h, 'sliding_window'));
  },

  async setVocab(ctx) {
    await setVocabSentencepiece(ctx);
    ctx.md.bool(TokenizerKeys.ADD_PREFIX, false);
  },

  planTensor: planGemmaTensor,
};

export const gemma3: ArchitectureDef = {
  name: 'gemma3',
  hfArchitectures: ['Gemma3ForCausalLM', 'Gemma3ForConditionalGeneration'],
  tensorKinds: ['TOKEN_EMBD', 'OUTPUT_NORM', 'ATTN_Q', 'ATTN_K', 'ATTN_V', 'ATTN_OUT', 'ATTN_Q_NORM', 'ATTN_K_NORM', 'FFN_GATE', 'FFN_DOWN', 'FFN_UP', 'ATTN_NORM', 'ATTN_POST_NORM', 'FFN_PRE_NORM', 'FFN_POST_NORM'],

  setParams(ctx) {
    // Gemma3TextConfig's defaults (global 1e6, local 1e4): llama.cpp reads the config through
    // AutoConfig, so a config.json without them still gets both rope bases, in the base positions.
    setBaseParams(ctx, { ropeTheta: 1_000_000, slidingRopeTheta: 10_000 });
    const h = ctx.hparams;
    const k = archKeys(ctx.arch);
    const md = ctx.md;
    const num = (key: string, d: number) => (typeof h[key] === 'number' ? (h[key] as number) : d);
    md.u32(k.CONTEXT_LENGTH, num('max_position_embeddings', 131072));
    md.u32(k.HEAD_COUNT, num('num_attention_heads', 8));
    md.f32(k.LAYERNORM_RMS_EPS, num('rms_norm_eps', 1e-6));
    md.u32(k.KEY_LENGTH, num('head_dim', 256));
    md.u32(k.VALUE_LENGTH, num('head_dim', 256));
    md.f32(k.ROPE_FREQ_BASE, num('rope_theta', 1_000_000));
    if (h['attn_logit_softcapping'] !== undefined && h['attn_logit_softcapping'] !== null) {
      throw new RangeError('config.json: Gemma 3 has no attention logit softcapping, but attn_logit_softcapping is set');
    }
    if (typeof h['final_logit_softcapping'] === 'number' && h['final_logit_softcapping'] !== 0) md.f32(k.FINAL_LOGIT_SOFTCAPPING, h['final_logit_softcapping']);
    if (h['sliding_window_pattern'] !== 1) md.u32(k.SLIDING_WINDOW, intParam(h, 'sliding_window'));
    md.u32(k.HEAD_COUNT_KV, num('num_key_value_heads', 4));
    const rs = h['rope_scaling'];
    if (typeof rs === 'object' && rs !== null) {
      const r = rs as Record<string, unknown>;
      if ((r['rope_type'] ?? r['type']) === 'linear' && typeof r['factor'] === 'number') {
        md.str(k.ROPE_SCALING_TYPE, 'linear');
        md.f32(k.ROPE_SCALING_FACTOR, r['factor']);
      }
    }
  },

  async setVocab(ctx) {
    if (await ctx.dir.has('tokenizer.model')) {
      await setVocabSentencepiece(ctx);
      ctx.md.bool(TokenizerKeys.ADD_PREFIX, false);
    } else {
      await setVocabAuto(ctx);
    }
  },

  async planTensor(name, shape, ctx) {
    if (name.startsWith('vision_tower.') || name.startsWith('multi_modal_projector.') || name.startsWith('model.vision_tower.') || name.startsWith('model.multi_modal_projector.')) return [];
    const textName = name.replace(/^language_model\.model\./, 'model.').replace(/^model\.language_model\./, 'model.').replace(/^language_model\.lm_head\./, 'lm_head.');
    const planned = planGemmaTensor(textName, shape, ctx);
    if (textName === 'model.embed_tokens.weight' && planned.length === 1) {
      // Rows past the real vocabulary (padding) are dropped, as llama.cpp does.
      let nVocab: number | undefined;
      const spm = await readSpmModel(ctx.dir);
      if (spm) nVocab = (await buildSpmVocab(ctx.dir, spm, typeof ctx.hparams['vocab_size'] === 'number' ? { vocabSize: ctx.hparams['vocab_size'] as number } : {})).tokens.length;
      else {
        const tj = await ctx.tokenizerJson();
        if (tj) nVocab = Object.keys(tj.model.vocab).length + (tj.added_tokens?.length ?? 0);
      }
      if (nVocab !== undefined && nVocab < shape[0]!) {
        const rows = nVocab;
        const p = planned[0]!;
        const prev = p.transform;
        p.shape = [rows, ...shape.slice(1)];
        p.transform = (t) => (prev ? prev(sliceRows(t, rows)) : sliceRows(t, rows));
      }
    }
    return planned;
  },
};
