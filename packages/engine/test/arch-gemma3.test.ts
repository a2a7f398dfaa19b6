/**
 * gemma3 (text) end to end: a tiny random Gemma3ForCausalLM checkpoint converted by
 * @ggufkit/convert and run by the engine, against a float64 forward pass written from
 * transformers' `modeling_gemma3.py` over the checkpoint's own tensors: embeddings times
 * sqrt(hidden), RMSNorms applied as (1 + w), per-head Q/K norms before RoPE, query scale
 * query_pre_attn_scalar^-0.5, GeGLU (tanh GELU), post-attention and post-FFN norms, five
 * sliding-window layers (local RoPE base) for each global one (global base), optional final
 * soft-cap. Six layers and a window of 4 so both layer kinds and the window's edge are hit.
 */
import { tinySpmModel, tinyTensor, type TinyTensor } from '../../convert/test/helpers/tiny-checkpoint.js';
import {
  Checkpoint, add, attention, embed, geluTanh, geluTanhF16, linear, perHead, rmsNorm, rope, type Vec,
} from './helpers/arch-reference.js';
import {
  TempDir, itMatchesTheReference, checkpointFiles, convertTiny, loadTiny,
} from './helpers/arch-harness.js';
import type { Model } from '../src/model.js';

const H = 64, FF = 96, HEADS = 4, KV = 1, HD = 16, LAYERS = 6, WINDOW = 4, PATTERN = 6;
const EPS = 1e-6, THETA = 1000000, LOCAL_THETA = 10000;
const SPM_PIECES = ['\u2581a', '\u2581b', 'c', 'd', 'e', '\u2581the', 'f', 'g', 'h', 'i', 'j', 'k'];
const V = 4 + SPM_PIECES.length;

function gemma3Config(finalSoftcap: number | null): Record<string, unknown> {
  return {
    architectures: ['Gemma3ForCausalLM'], attention_bias: false, attention_dropout: 0, attn_logit_softcapping: null, bos_token_id: 2,
    cache_implementation: 'hybrid', eos_token_id: 1, final_logit_softcapping: finalSoftcap, head_dim: HD, hidden_activation: 'gelu_pytorch_tanh',
    hidden_size: H, intermediate_size: FF, max_position_embeddings: 256, model_type: 'gemma3_text', num_attention_heads: HEADS,
    num_hidden_layers: LAYERS, num_key_value_heads: KV, pad_token_id: 0, query_pre_attn_scalar: HD, rms_norm_eps: EPS,
    rope_local_base_freq: LOCAL_THETA, rope_scaling: null, rope_theta: THETA, sliding_window: WINDOW, sliding_window_pattern: PATTERN,
    torch_dtype: 'float32', use_cache: true, vocab_size: V,
  };
}

function checkpoint(): TinyTensor[] {
  const t: TinyTensor[] = [tinyTensor('model.embed_tokens.weight', [V, H]), tinyTensor('model.norm.weight', [H])];
  for (let i = 0; i < LAYERS; i++) {
    const p = `model.layers.${i}`;
    t.push(
      tinyTensor(`${p}.input_layernorm.weight`, [H]),
      tinyTensor(`${p}.self_attn.q_proj.weight`, [HEADS * HD, H]),
      tinyTensor(`${p}.self_attn.k_proj.weight`, [KV * HD, H]),
      tinyTensor(`${p}.self_attn.v_proj.weight`, [KV * HD, H]),
      tinyTensor(`${p}.self_attn.o_proj.weight`, [H, HEADS * HD]),
      tinyTensor(`${p}.self_attn.q_norm.weight`, [HD]),
      tinyTensor(`${p}.self_attn.k_norm.weight`, [HD]),
      tinyTensor(`${p}.post_attention_layernorm.weight`, [H]),
      tinyTensor(`${p}.pre_feedforward_layernorm.weight`, [H]),
      tinyTensor(`${p}.post_feedforward_layernorm.weight`, [H]),
      tinyTensor(`${p}.mlp.gate_proj.weight`, [FF, H]),
      tinyTensor(`${p}.mlp.up_proj.weight`, [FF, H]),
      tinyTensor(`${p}.mlp.down_proj.weight`, [H, FF]),
    );
  }
  return t;
}

/** Gemma3ForCausalLM.forward, one position at a time, in float64 (f16: round where llama.cpp stores f16). */
function reference(ck: Checkpoint, tokens: readonly number[], finalSoftcap: number | null, f16 = false): Vec[] {
  const norm = (x: Vec, w: TinyTensor) => rmsNorm(x, w, EPS, true);
  const gelu = f16 ? geluTanhF16 : geluTanh;
  let xs = tokens.map((t) => embed(ck.get('model.embed_tokens.weight'), t, Math.sqrt(H)));
  for (let i = 0; i < LAYERS; i++) {
    const w = (n: string) => ck.get(`model.layers.${i}.${n}`);
    const sliding = (i + 1) % PATTERN !== 0;
    const theta = sliding ? LOCAL_THETA : THETA;
    const normed = xs.map((x) => norm(x, w('input_layernorm.weight')));
    const qs = normed.map((x, p) => perHead(linear(w('self_attn.q_proj.weight'), x), HD, (h) => rope(norm(h, w('self_attn.q_norm.weight')), p, theta)));
    const ks = normed.map((x, p) => perHead(linear(w('self_attn.k_proj.weight'), x), HD, (h) => rope(norm(h, w('self_attn.k_norm.weight')), p, theta)));
    const vs = normed.map((x) => linear(w('self_attn.v_proj.weight'), x));
    const att = attention(qs, ks, vs, { nHeads: HEADS, nKvHeads: KV, headDim: HD, scale: HD ** -0.5, window: sliding ? WINDOW : 0, f16 });
    xs = xs.map((x, p) => add(x, norm(linear(w('self_attn.o_proj.weight'), att[p]!), w('post_attention_layernorm.weight'))));
    xs = xs.map((x) => {
      const h = norm(x, w('pre_feedforward_layernorm.weight'));
      const g = linear(w('mlp.gate_proj.weight'), h);
      const u = linear(w('mlp.up_proj.weight'), h);
      const down = linear(w('mlp.down_proj.weight'), g.map((v, j) => gelu(v) * u[j]!));
      return add(x, norm(down, w('post_feedforward_layernorm.weight')));
    });
  }
  // tied: lm_head is embed_tokens (unscaled)
  const logits = xs.map((x) => linear(ck.get('model.embed_tokens.weight'), norm(x, ck.get('model.norm.weight'))));
  return finalSoftcap === null ? logits : logits.map((l) => l.map((v) => Math.tanh(v / finalSoftcap) * finalSoftcap));
}

const SEQUENCES = [[2, 5, 9, 13, 4, 7, 15, 8, 6, 11, 12, 10], [2, 6, 3]];

describe.each([
  ['no final soft-cap', null],
  ['final soft-cap 5', 5],
] as const)('gemma3 (%s): tiny random checkpoint through convert and the engine', (_what, finalSoftcap) => {
  const tensors = checkpoint();
  const ck = new Checkpoint(tensors);
  const files = checkpointFiles(gemma3Config(finalSoftcap), tensors, { 'tokenizer.model': tinySpmModel(SPM_PIECES) });
  const tmp = new TempDir();
  const models: Record<string, Model> = {};
  const outtypes = finalSoftcap === null ? ['f32', 'f16', 'q8_0'] : ['f32'];

  beforeAll(async () => {
    for (const outtype of outtypes) models[outtype] = await loadTiny(await convertTiny(tmp, 'tiny-gemma3', files, outtype));
  });
  afterAll(() => {
    for (const m of Object.values(models)) m.dispose();
    tmp.dispose();
  });

  it('loads as gemma3: five sliding layers per global one, local RoPE base 10000', () => {
    const hp = models['f32']!.hparams;
    expect(models['f32']!.architecture).toBe('gemma3');
    expect(hp.slidingWindow).toBe(WINDOW);
    expect(Array.from({ length: LAYERS }, (_, i) => hp.isSlidingLayer(i))).toEqual([true, true, true, true, true, false]);
    expect(hp.ropeBase).toBe(THETA);
    expect(hp.ropeBaseSwa).toBe(LOCAL_THETA);
    expect(hp.attnSoftcap).toBe(0);
    expect(hp.finalSoftcap).toBe(finalSoftcap ?? 0);
  });

  itMatchesTheReference({
    label: `gemma3 (${_what})`, vocab: V, sequences: SEQUENCES, models,
    reference: (seq, f16) => reference(ck, seq, finalSoftcap, f16),
  }, { conversions: finalSoftcap === null, greedyTokens: 8 });
});
