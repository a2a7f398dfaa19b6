/**
 * phi3 end to end: a tiny random Phi3ForCausalLM checkpoint converted by @ggufkit/convert and
 * run by the engine, against a float64 forward pass written from transformers'
 * `modeling_phi3.py` over the checkpoint's own tensors: fused `qkv_proj` (Q rows, then K,
 * then V; GQA), fused `gate_up_proj` (gate half first, `up * silu(gate)`), rotate-half RoPE
 * on part of each head (`partial_rotary_factor`, as Phi-4-mini has), untied `lm_head`.
 */
import { gguf } from '@huggingface/gguf';
import { tinyTensor, type TinyTensor } from '../../convert/test/helpers/tiny-checkpoint.js';
import { Checkpoint, add, attention, embed, linear, perHead, rmsNorm, rope, silu, type Vec } from './helpers/arch-reference.js';
import {
  TempDir, itMatchesTheReference, bpeTokenizerFiles, checkpointFiles, convertTiny, loadTiny,
} from './helpers/arch-harness.js';
import type { Model } from '../src/model.js';

const H = 64, FF = 96, HEADS = 4, KV = 2, HD = 16, LAYERS = 2, V = 4096;
const EPS = 1e-5, THETA = 10000, PARTIAL = 0.5, WINDOW = 2047;
const ROT = HD * PARTIAL;

const config = {
  architectures: ['Phi3ForCausalLM'], attention_bias: false, attention_dropout: 0, bos_token_id: 0, embd_pdrop: 0, eos_token_id: 1,
  hidden_act: 'silu', hidden_size: H, intermediate_size: FF, max_position_embeddings: 256, model_type: 'phi3',
  num_attention_heads: HEADS, num_hidden_layers: LAYERS, num_key_value_heads: KV, original_max_position_embeddings: 256,
  pad_token_id: 0, partial_rotary_factor: PARTIAL, resid_pdrop: 0, rms_norm_eps: EPS, rope_scaling: null, rope_theta: THETA,
  sliding_window: WINDOW, tie_word_embeddings: false, torch_dtype: 'float32', use_cache: true, vocab_size: V,
};
const tokenizerConfig = { tokenizer_class: 'GPT2Tokenizer', bos_token: '<|begin_of_text|>', eos_token: '<|end_of_text|>' };

function checkpoint(): TinyTensor[] {
  const t: TinyTensor[] = [
    tinyTensor('model.embed_tokens.weight', [V, H]), tinyTensor('model.norm.weight', [H]), tinyTensor('lm_head.weight', [V, H]),
  ];
  for (let i = 0; i < LAYERS; i++) {
    const p = `model.layers.${i}`;
    t.push(
      tinyTensor(`${p}.input_layernorm.weight`, [H]),
      tinyTensor(`${p}.self_attn.qkv_proj.weight`, [(HEADS + 2 * KV) * HD, H]),
      tinyTensor(`${p}.self_attn.o_proj.weight`, [H, HEADS * HD]),
      tinyTensor(`${p}.post_attention_layernorm.weight`, [H]),
      tinyTensor(`${p}.mlp.gate_up_proj.weight`, [2 * FF, H]),
      tinyTensor(`${p}.mlp.down_proj.weight`, [H, FF]),
    );
  }
  return t;
}

/**
 * Phi3ForCausalLM.forward, one position at a time, in float64 (f16: round where llama.cpp
 * stores f16). The sequences are shorter than the sliding window, so the window masks nothing.
 */
function reference(ck: Checkpoint, tokens: readonly number[], f16 = false): Vec[] {
  if (tokens.length > WINDOW) throw new Error('reference: sequence longer than the sliding window');
  let xs = tokens.map((t) => embed(ck.get('model.embed_tokens.weight'), t));
  const qPos = HEADS * HD;
  const kvLen = KV * HD;
  for (let i = 0; i < LAYERS; i++) {
    const w = (n: string) => ck.get(`model.layers.${i}.${n}`);
    const qkv = xs.map((x) => linear(w('self_attn.qkv_proj.weight'), rmsNorm(x, w('input_layernorm.weight'), EPS)));
    const qs = qkv.map((r, p) => perHead(r.slice(0, qPos), HD, (h) => rope(h, p, THETA, ROT)));
    const ks = qkv.map((r, p) => perHead(r.slice(qPos, qPos + kvLen), HD, (h) => rope(h, p, THETA, ROT)));
    const vs = qkv.map((r) => r.slice(qPos + kvLen));
    const att = attention(qs, ks, vs, { nHeads: HEADS, nKvHeads: KV, headDim: HD, scale: HD ** -0.5, f16 });
    xs = xs.map((x, p) => add(x, linear(w('self_attn.o_proj.weight'), att[p]!)));
    xs = xs.map((x) => {
      const gu = linear(w('mlp.gate_up_proj.weight'), rmsNorm(x, w('post_attention_layernorm.weight'), EPS));
      const gate = gu.slice(0, FF);
      const up = gu.slice(FF);
      return add(x, linear(w('mlp.down_proj.weight'), up.map((u, j) => u * silu(gate[j]!))));
    });
  }
  return xs.map((x) => linear(ck.get('lm_head.weight'), rmsNorm(x, ck.get('model.norm.weight'), EPS)));
}

const SEQUENCES = [[1, 200, 3000, 17, 4095, 42, 42, 7, 1024, 555, 9, 2048], [5, 6, 7]];

describe('phi3: tiny random checkpoint through convert and the engine', () => {
  const tensors = checkpoint();
  const ck = new Checkpoint(tensors);
  const files = checkpointFiles(config, tensors, bpeTokenizerFiles(tokenizerConfig));
  const tmp = new TempDir();
  const models: Record<string, Model> = {};
  const paths: Record<string, string> = {};

  beforeAll(async () => {
    for (const outtype of ['f32', 'f16', 'q8_0']) {
      paths[outtype] = await convertTiny(tmp, 'tiny-phi3', files, outtype);
      models[outtype] = await loadTiny(paths[outtype]!);
    }
  });
  afterAll(() => {
    for (const m of Object.values(models)) m.dispose();
    tmp.dispose();
  });

  it('loads the fused tensors as phi3, rotating part of each head, without the sliding window (as llama.cpp)', async () => {
    const { tensorInfos, metadata } = await gguf(paths['f32']!, { allowLocalFile: true });
    const names = tensorInfos.map((t) => t.name);
    expect(names).toContain('blk.0.attn_qkv.weight');
    expect(names).not.toContain('blk.0.ffn_gate.weight');
    expect((metadata as unknown as Record<string, unknown>)['phi3.attention.sliding_window']).toBe(WINDOW);
    const m = models['f32']!;
    expect(m.architecture).toBe('phi3');
    expect(m.hparams.nRot).toBe(ROT);
    expect(m.hparams.fusedGateUp).toBe(true);
    // llama.cpp reads phi3's window and then disables it (ggml-org/llama.cpp#13676)
    expect(m.hparams.slidingWindow).toBe(0);
    expect(m.hparams.isSlidingLayer(0)).toBe(false);
  });

  itMatchesTheReference({
    label: 'phi3', vocab: V, sequences: SEQUENCES, models,
    reference: (seq, f16) => reference(ck, seq, f16),
  }, { conversions: true, greedyTokens: 6 });

  it('refuses LongRoPE factors, naming the tensor', async () => {
    const longrope = {
      ...config, max_position_embeddings: 1024,
      rope_scaling: { type: 'longrope', long_factor: Array.from({ length: HD / 2 }, (_, i) => 1 + i), short_factor: Array.from({ length: HD / 2 }, () => 1) },
    };
    const file = await convertTiny(tmp, 'tiny-phi3-longrope', checkpointFiles(longrope, tensors, bpeTokenizerFiles(tokenizerConfig)), 'f32');
    await expect(loadTiny(file)).rejects.toThrow(/rope_factors_long\.weight.*LongRoPE/);
  });
});
