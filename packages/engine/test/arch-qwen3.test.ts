/**
 * qwen3 end to end: a tiny random Qwen3ForCausalLM checkpoint converted by @ggufkit/convert
 * and run by the engine, against a float64 forward pass written from transformers'
 * `modeling_qwen3.py` over the checkpoint's own tensors: per-head RMSNorm of Q and K before
 * rotate-half RoPE, no q/k/v biases, GQA, SwiGLU MLP, tied embeddings.
 */
import { tinyTensor, type TinyTensor } from '../../convert/test/helpers/tiny-checkpoint.js';
import { Checkpoint, add, attention, embed, linear, perHead, rmsNorm, rope, silu, type Vec } from './helpers/arch-reference.js';
import { TempDir, itMatchesTheReference, bpeTokenizerFiles, checkpointFiles, convertTiny, loadTiny } from './helpers/arch-harness.js';
import type { Model } from '../src/model.js';

const H = 64, FF = 96, HEADS = 4, KV = 2, HD = 16, LAYERS = 2, V = 4096;
const EPS = 1e-6, THETA = 1000000;

const config = {
  architectures: ['Qwen3ForCausalLM'], attention_bias: false, attention_dropout: 0, bos_token_id: 0, eos_token_id: 1, head_dim: HD,
  hidden_act: 'silu', hidden_size: H, intermediate_size: FF, max_position_embeddings: 256, max_window_layers: LAYERS,
  model_type: 'qwen3', num_attention_heads: HEADS, num_hidden_layers: LAYERS, num_key_value_heads: KV, rms_norm_eps: EPS, rope_scaling: null,
  rope_theta: THETA, sliding_window: null, tie_word_embeddings: true, torch_dtype: 'float32', use_cache: true, use_sliding_window: false,
  vocab_size: V,
};

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
      tinyTensor(`${p}.mlp.gate_proj.weight`, [FF, H]),
      tinyTensor(`${p}.mlp.up_proj.weight`, [FF, H]),
      tinyTensor(`${p}.mlp.down_proj.weight`, [H, FF]),
    );
  }
  return t;
}

/** Qwen3ForCausalLM.forward, one position at a time, in float64 (f16: round where llama.cpp stores f16). */
function reference(ck: Checkpoint, tokens: readonly number[], f16 = false): Vec[] {
  let xs = tokens.map((t) => embed(ck.get('model.embed_tokens.weight'), t));
  for (let i = 0; i < LAYERS; i++) {
    const w = (n: string) => ck.get(`model.layers.${i}.${n}`);
    const normed = xs.map((x) => rmsNorm(x, w('input_layernorm.weight'), EPS));
    // q_norm / k_norm act on each head, then RoPE (rotate_half)
    const qs = normed.map((x, p) => perHead(linear(w('self_attn.q_proj.weight'), x), HD,
      (h) => rope(rmsNorm(h, w('self_attn.q_norm.weight'), EPS), p, THETA)));
    const ks = normed.map((x, p) => perHead(linear(w('self_attn.k_proj.weight'), x), HD,
      (h) => rope(rmsNorm(h, w('self_attn.k_norm.weight'), EPS), p, THETA)));
    const vs = normed.map((x) => linear(w('self_attn.v_proj.weight'), x));
    const att = attention(qs, ks, vs, { nHeads: HEADS, nKvHeads: KV, headDim: HD, scale: HD ** -0.5, f16 });
    xs = xs.map((x, p) => add(x, linear(w('self_attn.o_proj.weight'), att[p]!)));
    xs = xs.map((x) => {
      const h = rmsNorm(x, w('post_attention_layernorm.weight'), EPS);
      const g = linear(w('mlp.gate_proj.weight'), h);
      const u = linear(w('mlp.up_proj.weight'), h);
      return add(x, linear(w('mlp.down_proj.weight'), g.map((v, j) => silu(v) * u[j]!)));
    });
  }
  // tied: lm_head is embed_tokens
  return xs.map((x) => linear(ck.get('model.embed_tokens.weight'), rmsNorm(x, ck.get('model.norm.weight'), EPS)));
}

const SEQUENCES = [[1, 200, 3000, 17, 4095, 42, 42, 7, 1024, 555, 9, 2048], [5, 6, 7]];

describe('qwen3: tiny random checkpoint through convert and the engine', () => {
  const tensors = checkpoint();
  const ck = new Checkpoint(tensors);
  const files = checkpointFiles(config, tensors, bpeTokenizerFiles());
  const tmp = new TempDir();
  const models: Record<string, Model> = {};

  beforeAll(async () => {
    for (const outtype of ['f32', 'f16', 'q8_0']) models[outtype] = await loadTiny(await convertTiny(tmp, 'tiny-qwen3', files, outtype));
  });
  afterAll(() => {
    for (const m of Object.values(models)) m.dispose();
    tmp.dispose();
  });

  it('loads as qwen3 with per-head Q/K norms', () => {
    const m = models['f32']!;
    expect(m.architecture).toBe('qwen3');
    expect(m.hparams.qkNorm).toBe(true);
    expect(m.hparams.ropeNeox).toBe(true);
    expect(m.vocabSize).toBe(V);
  });

  itMatchesTheReference({
    label: 'qwen3', vocab: V, sequences: SEQUENCES, models,
    reference: (seq, f16) => reference(ck, seq, f16),
  }, { conversions: true, greedyTokens: 6 });
});
