/**
 * Phi-3: fused `qkv_proj` and `gate_up_proj` stay fused (`attn_qkv`, `ffn_up`), as
 * llama.cpp's Phi-3 graph splits them itself; LongRoPE factors become
 * `rope_factors_long/short`.
 */
import { findHParam, intParam, numParam } from '../config/hf-config.js';
import { archKeys, GeneralKeys } from '../metadata/keys.js';
import { setVocabGpt2, setVocabSentencepiece, VocabNotFoundError } from '../tokenizer/set-vocab.js';
import { ggufTensorName } from './tensor-names.js';
import type { ArchitectureDef, GeneratedTensor } from './types.js';

export const phi3: ArchitectureDef = {
  name: 'phi3',
  hfArchitectures: ['Phi3ForCausalLM'],
  tensorKinds: ['TOKEN_EMBD', 'OUTPUT_NORM', 'OUTPUT', 'ROPE_FACTORS_LONG', 'ROPE_FACTORS_SHORT', 'ATTN_NORM', 'ATTN_QKV', 'ATTN_Q', 'ATTN_K', 'ATTN_V', 'ATTN_OUT', 'FFN_NORM', 'FFN_DOWN', 'FFN_UP'],

  setParams(ctx) {
    const h = ctx.hparams;
    const k = archKeys(ctx.arch);
    const nEmbd = intParam(h, ['hidden_size', 'n_embd']);
    const nHead = intParam(h, ['num_attention_heads', 'n_head']);
    const rotPct = typeof h['partial_rotary_factor'] === 'number' ? h['partial_rotary_factor'] : 1;
    ctx.md.u32(k.CONTEXT_LENGTH, intParam(h, ['n_positions', 'max_position_embeddings']));
    ctx.md.u32(k.ROPE_SCALING_ORIG_CTX_LEN, intParam(h, 'original_max_position_embeddings'));
    ctx.md.u32(k.EMBEDDING_LENGTH, nEmbd);
    ctx.md.u32(k.FEED_FORWARD_LENGTH, intParam(h, 'intermediate_size'));
    ctx.md.u32(k.BLOCK_COUNT, ctx.blockCount);
    ctx.md.u32(k.HEAD_COUNT, nHead);
    ctx.md.u32(k.HEAD_COUNT_KV, intParam(h, ['num_key_value_heads', 'n_head_kv']));
    ctx.md.f32(k.LAYERNORM_RMS_EPS, numParam(h, 'rms_norm_eps'));
    ctx.md.u32(k.ROPE_DIMENSION_COUNT, Math.floor(Math.floor(rotPct * nEmbd) / nHead));
    ctx.md.f32(k.ROPE_FREQ_BASE, numParam(h, 'rope_theta'));
    ctx.md.u32(GeneralKeys.FILE_TYPE, ctx.fileType);
    // A null sliding_window made llama.cpp's converter of late 2024 crash; current llama.cpp writes 0.
    const sw = findHParam(h, ['sliding_window'], true);
    ctx.md.u32(archKeys(ctx.arch).SLIDING_WINDOW, typeof sw === 'number' ? sw : 0);
  },

  async setVocab(ctx) {
    try {
      await setVocabSentencepiece(ctx, { phi3: true });
    } catch (e) {
      if (!(e instanceof VocabNotFoundError)) throw e;
      await setVocabGpt2(ctx);
    }
  },

  extraTensors(ctx): GeneratedTensor[] {
    const h = ctx.hparams;
    const rs = h['rope_scaling'];
    if (typeof rs !== 'object' || rs === null) return [];
    const r = rs as Record<string, unknown>;
    const nEmbd = intParam(h, ['hidden_size', 'n_embd']);
    const nHead = intParam(h, ['num_attention_heads', 'n_head']);
    const maxPos = intParam(h, ['n_positions', 'max_position_embeddings']);
    const origMaxPos = intParam(h, 'original_max_position_embeddings');
    const ropeDims = nEmbd / nHead;
    const type = String(r['type'] ?? r['rope_type'] ?? '').toLowerCase();
    if (type.length === 0) throw new RangeError('config.json: rope_scaling has no type');
    const scale = maxPos / origMaxPos;
    let attnFactor: number;
    if (type === 'su' || type === 'longrope') attnFactor = scale > 1 ? Math.sqrt(1 + Math.log(scale) / Math.log(origMaxPos)) : 1;
    else if (type === 'yarn') attnFactor = scale > 1 ? 0.1 * Math.log(scale) + 1 : 1;
    else throw new RangeError(`config.json: rope scaling type "${type}" is not supported for Phi-3`);
    ctx.md.f32(archKeys(ctx.arch).ROPE_SCALING_ATTN_FACTOR, attnFactor);
    const long = r['long_factor'];
    const short = r['short_factor'];
    if (!Array.isArray(long) || !Array.isArray(short)) throw new RangeError('config.json: rope_scaling needs long_factor and short_factor');
    if (long.length !== short.length || long.length !== ropeDims / 2) throw new RangeError(`config.json: rope long and short factors must have ${ropeDims / 2} entries`);
    const mk = (v: unknown[]) => Float32Array.from(v as number[]);
    const l = mk(long);
    const s = mk(short);
    return [
      { name: `${ggufTensorName('ROPE_FACTORS_LONG')}.weight`, data: { dtype: 'f32', shape: [l.length], data: l } },
      { name: `${ggufTensorName('ROPE_FACTORS_SHORT')}.weight`, data: { dtype: 'f32', shape: [s.length], data: s } },
    ];
  },
};
