/**
 * Conversion of tiny random-weight checkpoints of every supported architecture (llama,
 * qwen2, qwen3, phi3, gemma2, gemma3 text), each with a config.json in the layout
 * transformers writes for that architecture. The results are read back with
 * @huggingface/gguf and checked against tables of what llama.cpp's convert_hf_to_gguf.py
 * writes: tensor names (gguf-py `TENSOR_NAMES` / `tensor_mapping.py`), order (checkpoint
 * order, names sorted), shapes, types, the architecture's hyperparameter keys (each model
 * class's `set_gguf_parameters`), and the data layout on the random weights: llama's Q/K
 * row permutation (`LlamaModel.permute`), Gemma's norm + 1, Qwen2's q/k/v biases kept,
 * tied embeddings without `output.weight`, Phi-3's fused qkv and gate_up kept fused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gguf } from '@huggingface/gguf';
import { GGMLType } from '@ggufkit/tensor-layout';
import { convertModel, memoryModelDirectory } from '@ggufkit/convert/node';
import { safetensorsF32, tinySpmModel, tinyTensor, type TinyTensor } from './helpers/tiny-checkpoint.js';
import { readAt } from './helpers/read-at.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bpeTokenizer = path.join(repoRoot, 'examples/models/tl-bpe-hf');

const H = 64; // hidden
const FF = 96; // intermediate
const HEADS = 4;
const HD = 16; // head_dim
const LAYERS = 2;
const f32 = Math.fround;

/** A checkpoint tensor and where llama.cpp puts it. */
interface Row {
  hf: string;
  /** GGUF name, or null when llama.cpp drops the tensor. */
  gguf: string | null;
  shape: number[];
  /** Layout change llama.cpp applies. */
  layout?: 'permute-q' | 'permute-k' | 'plus-one';
}

interface Case {
  arch: string;
  config: Record<string, unknown>;
  rows: Row[];
  /** Tensors llama.cpp adds before the checkpoint's own: [name, ne]. */
  extra?: [string, number[]][];
  /** `{arch}.*` keys and values llama.cpp writes (floats as written, f32). */
  keys: Record<string, number | string>;
  tokenizer: 'bpe' | 'spm';
  tokenizerConfig?: Record<string, unknown>;
  nKv: number;
}

function layers(per: (i: number) => Row[]): Row[] {
  return Array.from({ length: LAYERS }, (_, i) => per(i)).flat();
}

/** Llama-style layer: attention, SwiGLU MLP, two RMSNorms. */
function llamaLayer(i: number, nKv: number, opts: { permute?: boolean; bias?: boolean; qkNorm?: boolean } = {}): Row[] {
  const p = `model.layers.${i}`;
  const b = `blk.${i}`;
  const rows: Row[] = [
    { hf: `${p}.input_layernorm.weight`, gguf: `${b}.attn_norm.weight`, shape: [H] },
    { hf: `${p}.mlp.down_proj.weight`, gguf: `${b}.ffn_down.weight`, shape: [H, FF] },
    { hf: `${p}.mlp.gate_proj.weight`, gguf: `${b}.ffn_gate.weight`, shape: [FF, H] },
    { hf: `${p}.mlp.up_proj.weight`, gguf: `${b}.ffn_up.weight`, shape: [FF, H] },
    { hf: `${p}.post_attention_layernorm.weight`, gguf: `${b}.ffn_norm.weight`, shape: [H] },
    { hf: `${p}.self_attn.k_proj.weight`, gguf: `${b}.attn_k.weight`, shape: [nKv * HD, H], ...(opts.permute ? { layout: 'permute-k' as const } : {}) },
    { hf: `${p}.self_attn.o_proj.weight`, gguf: `${b}.attn_output.weight`, shape: [H, H] },
    { hf: `${p}.self_attn.q_proj.weight`, gguf: `${b}.attn_q.weight`, shape: [HEADS * HD, H], ...(opts.permute ? { layout: 'permute-q' as const } : {}) },
    { hf: `${p}.self_attn.v_proj.weight`, gguf: `${b}.attn_v.weight`, shape: [nKv * HD, H] },
  ];
  if (opts.bias) {
    rows.push(
      { hf: `${p}.self_attn.k_proj.bias`, gguf: `${b}.attn_k.bias`, shape: [nKv * HD] },
      { hf: `${p}.self_attn.q_proj.bias`, gguf: `${b}.attn_q.bias`, shape: [HEADS * HD] },
      { hf: `${p}.self_attn.v_proj.bias`, gguf: `${b}.attn_v.bias`, shape: [nKv * HD] },
    );
  }
  if (opts.qkNorm) {
    rows.push(
      { hf: `${p}.self_attn.k_norm.weight`, gguf: `${b}.attn_k_norm.weight`, shape: [HD] },
      { hf: `${p}.self_attn.q_norm.weight`, gguf: `${b}.attn_q_norm.weight`, shape: [HD] },
    );
  }
  return rows;
}

/** Gemma 2/3 layer: four RMSNorms (stored as w, applied as 1 + w), optional q/k norms. */
function gemmaLayer(i: number, nKv: number, qkNorm: boolean): Row[] {
  const p = `model.layers.${i}`;
  const b = `blk.${i}`;
  const rows: Row[] = [
    { hf: `${p}.input_layernorm.weight`, gguf: `${b}.attn_norm.weight`, shape: [H], layout: 'plus-one' },
    { hf: `${p}.mlp.down_proj.weight`, gguf: `${b}.ffn_down.weight`, shape: [H, FF] },
    { hf: `${p}.mlp.gate_proj.weight`, gguf: `${b}.ffn_gate.weight`, shape: [FF, H] },
    { hf: `${p}.mlp.up_proj.weight`, gguf: `${b}.ffn_up.weight`, shape: [FF, H] },
    { hf: `${p}.post_attention_layernorm.weight`, gguf: `${b}.post_attention_norm.weight`, shape: [H], layout: 'plus-one' },
    { hf: `${p}.post_feedforward_layernorm.weight`, gguf: `${b}.post_ffw_norm.weight`, shape: [H], layout: 'plus-one' },
    { hf: `${p}.pre_feedforward_layernorm.weight`, gguf: `${b}.ffn_norm.weight`, shape: [H], layout: 'plus-one' },
    { hf: `${p}.self_attn.k_proj.weight`, gguf: `${b}.attn_k.weight`, shape: [nKv * HD, H] },
    { hf: `${p}.self_attn.o_proj.weight`, gguf: `${b}.attn_output.weight`, shape: [H, HEADS * HD] },
    { hf: `${p}.self_attn.q_proj.weight`, gguf: `${b}.attn_q.weight`, shape: [HEADS * HD, H] },
    { hf: `${p}.self_attn.v_proj.weight`, gguf: `${b}.attn_v.weight`, shape: [nKv * HD, H] },
  ];
  if (qkNorm) {
    rows.push(
      { hf: `${p}.self_attn.k_norm.weight`, gguf: `${b}.attn_k_norm.weight`, shape: [HD], layout: 'plus-one' },
      { hf: `${p}.self_attn.q_norm.weight`, gguf: `${b}.attn_q_norm.weight`, shape: [HD], layout: 'plus-one' },
    );
  }
  return rows;
}

const V = 4096; // the shipped BPE tokenizer's vocabulary
const SPM_PIECES = ['\u2581a', '\u2581b', 'c', 'd', 'e', '\u2581the', 'f', 'g', 'h', 'i', 'j', 'k'];
const VS = 4 + SPM_PIECES.length;

const CASES: Case[] = [
  {
    // Llama-3.2-1B's layout: GQA, head_dim given, llama3 rope scaling, tied embeddings
    arch: 'llama', nKv: 2, tokenizer: 'bpe',
    config: {
      architectures: ['LlamaForCausalLM'], attention_bias: false, attention_dropout: 0, bos_token_id: 0, eos_token_id: 1, head_dim: HD,
      hidden_act: 'silu', hidden_size: H, initializer_range: 0.02, intermediate_size: FF, max_position_embeddings: 256, mlp_bias: false,
      model_type: 'llama', num_attention_heads: HEADS, num_hidden_layers: LAYERS, num_key_value_heads: 2, pretraining_tp: 1, rms_norm_eps: 1e-5,
      rope_scaling: { factor: 32, high_freq_factor: 4, low_freq_factor: 1, original_max_position_embeddings: 128, rope_type: 'llama3' },
      rope_theta: 500000, tie_word_embeddings: true, torch_dtype: 'float32', transformers_version: '4.45.0', use_cache: true, vocab_size: V,
    },
    rows: [
      { hf: 'model.embed_tokens.weight', gguf: 'token_embd.weight', shape: [V, H] },
      ...layers((i) => llamaLayer(i, 2, { permute: true })),
      { hf: 'model.norm.weight', gguf: 'output_norm.weight', shape: [H] },
    ],
    extra: [['rope_freqs.weight', [HD / 2]]],
    keys: {
      'llama.block_count': LAYERS, 'llama.context_length': 256, 'llama.embedding_length': H, 'llama.feed_forward_length': FF,
      'llama.attention.head_count': HEADS, 'llama.attention.head_count_kv': 2, 'llama.rope.freq_base': 500000,
      'llama.attention.layer_norm_rms_epsilon': f32(1e-5), 'llama.attention.key_length': HD, 'llama.attention.value_length': HD,
      'llama.vocab_size': V, 'llama.rope.dimension_count': HD,
    },
  },
  {
    // Qwen2.5's layout: q/k/v biases, NEOX rotary (no permutation), untied lm_head
    arch: 'qwen2', nKv: 2, tokenizer: 'bpe',
    config: {
      architectures: ['Qwen2ForCausalLM'], attention_dropout: 0, bos_token_id: 0, eos_token_id: 1, hidden_act: 'silu', hidden_size: H,
      initializer_range: 0.02, intermediate_size: FF, max_position_embeddings: 256, max_window_layers: LAYERS, model_type: 'qwen2',
      num_attention_heads: HEADS, num_hidden_layers: LAYERS, num_key_value_heads: 2, rms_norm_eps: 1e-6, rope_scaling: null, rope_theta: 1000000,
      sliding_window: 256, tie_word_embeddings: false, torch_dtype: 'float32', transformers_version: '4.43.1', use_cache: true,
      use_sliding_window: false, vocab_size: V,
    },
    rows: [
      { hf: 'lm_head.weight', gguf: 'output.weight', shape: [V, H] },
      { hf: 'model.embed_tokens.weight', gguf: 'token_embd.weight', shape: [V, H] },
      ...layers((i) => llamaLayer(i, 2, { bias: true })),
      { hf: 'model.norm.weight', gguf: 'output_norm.weight', shape: [H] },
    ],
    keys: {
      'qwen2.block_count': LAYERS, 'qwen2.context_length': 256, 'qwen2.embedding_length': H, 'qwen2.feed_forward_length': FF,
      'qwen2.attention.head_count': HEADS, 'qwen2.attention.head_count_kv': 2, 'qwen2.rope.freq_base': 1000000,
      'qwen2.attention.layer_norm_rms_epsilon': f32(1e-6),
    },
  },
  {
    // Qwen3's layout: head_dim, q/k RMSNorms, no biases, tied embeddings
    arch: 'qwen3', nKv: 2, tokenizer: 'bpe',
    config: {
      architectures: ['Qwen3ForCausalLM'], attention_bias: false, attention_dropout: 0, bos_token_id: 0, eos_token_id: 1, head_dim: HD,
      hidden_act: 'silu', hidden_size: H, initializer_range: 0.02, intermediate_size: FF, max_position_embeddings: 256, max_window_layers: LAYERS,
      model_type: 'qwen3', num_attention_heads: HEADS, num_hidden_layers: LAYERS, num_key_value_heads: 2, rms_norm_eps: 1e-6, rope_scaling: null,
      rope_theta: 1000000, sliding_window: null, tie_word_embeddings: true, torch_dtype: 'float32', transformers_version: '4.51.0',
      use_cache: true, use_sliding_window: false, vocab_size: V,
    },
    rows: [
      { hf: 'model.embed_tokens.weight', gguf: 'token_embd.weight', shape: [V, H] },
      ...layers((i) => llamaLayer(i, 2, { qkNorm: true })),
      { hf: 'model.norm.weight', gguf: 'output_norm.weight', shape: [H] },
    ],
    keys: {
      'qwen3.block_count': LAYERS, 'qwen3.context_length': 256, 'qwen3.embedding_length': H, 'qwen3.feed_forward_length': FF,
      'qwen3.attention.head_count': HEADS, 'qwen3.attention.head_count_kv': 2, 'qwen3.rope.freq_base': 1000000,
      'qwen3.attention.layer_norm_rms_epsilon': f32(1e-6), 'qwen3.attention.key_length': HD, 'qwen3.attention.value_length': HD,
    },
  },
  {
    // Phi-3's layout: fused qkv_proj and gate_up_proj, untied lm_head, sliding window
    arch: 'phi3', nKv: HEADS, tokenizer: 'bpe', tokenizerConfig: { tokenizer_class: 'GPT2Tokenizer', bos_token: '<|begin_of_text|>', eos_token: '<|end_of_text|>' },
    config: {
      architectures: ['Phi3ForCausalLM'], attention_bias: false, attention_dropout: 0, bos_token_id: 0, embd_pdrop: 0, eos_token_id: 1,
      hidden_act: 'silu', hidden_size: H, initializer_range: 0.02, intermediate_size: FF, max_position_embeddings: 256, model_type: 'phi3',
      num_attention_heads: HEADS, num_hidden_layers: LAYERS, num_key_value_heads: HEADS, original_max_position_embeddings: 256,
      pad_token_id: 0, resid_pdrop: 0, rms_norm_eps: 1e-5, rope_scaling: null, rope_theta: 10000, sliding_window: 128,
      tie_word_embeddings: false, torch_dtype: 'float32', transformers_version: '4.40.2', use_cache: true, vocab_size: V,
    },
    rows: [
      { hf: 'lm_head.weight', gguf: 'output.weight', shape: [V, H] },
      { hf: 'model.embed_tokens.weight', gguf: 'token_embd.weight', shape: [V, H] },
      ...layers((i) => [
        { hf: `model.layers.${i}.input_layernorm.weight`, gguf: `blk.${i}.attn_norm.weight`, shape: [H] },
        { hf: `model.layers.${i}.mlp.down_proj.weight`, gguf: `blk.${i}.ffn_down.weight`, shape: [H, FF] },
        { hf: `model.layers.${i}.mlp.gate_up_proj.weight`, gguf: `blk.${i}.ffn_up.weight`, shape: [2 * FF, H] },
        { hf: `model.layers.${i}.post_attention_layernorm.weight`, gguf: `blk.${i}.ffn_norm.weight`, shape: [H] },
        { hf: `model.layers.${i}.self_attn.o_proj.weight`, gguf: `blk.${i}.attn_output.weight`, shape: [H, H] },
        { hf: `model.layers.${i}.self_attn.qkv_proj.weight`, gguf: `blk.${i}.attn_qkv.weight`, shape: [3 * H, H] },
      ]),
      { hf: 'model.norm.weight', gguf: 'output_norm.weight', shape: [H] },
    ],
    keys: {
      'phi3.context_length': 256, 'phi3.rope.scaling.original_context_length': 256, 'phi3.embedding_length': H, 'phi3.feed_forward_length': FF,
      'phi3.block_count': LAYERS, 'phi3.attention.head_count': HEADS, 'phi3.attention.head_count_kv': HEADS,
      'phi3.attention.layer_norm_rms_epsilon': f32(1e-5), 'phi3.rope.dimension_count': H / HEADS, 'phi3.rope.freq_base': 10000,
      'phi3.attention.sliding_window': 128,
    },
  },
  {
    // Gemma-2's layout: four norms per layer, softcapping, lm_head present but dropped
    arch: 'gemma2', nKv: 2, tokenizer: 'spm',
    config: {
      architectures: ['Gemma2ForCausalLM'], attention_bias: false, attention_dropout: 0, attn_logit_softcapping: 50, bos_token_id: 2,
      cache_implementation: 'hybrid', eos_token_id: 1, final_logit_softcapping: 30, head_dim: HD, hidden_act: 'gelu_pytorch_tanh',
      hidden_activation: 'gelu_pytorch_tanh', hidden_size: H, initializer_range: 0.02, intermediate_size: FF, max_position_embeddings: 256,
      model_type: 'gemma2', num_attention_heads: HEADS, num_hidden_layers: LAYERS, num_key_value_heads: 2, pad_token_id: 0,
      query_pre_attn_scalar: HD, rms_norm_eps: 1e-6, rope_theta: 10000, sliding_window: 128, torch_dtype: 'float32',
      transformers_version: '4.42.4', use_cache: true, vocab_size: VS,
    },
    rows: [
      { hf: 'lm_head.weight', gguf: null, shape: [VS, H] },
      { hf: 'model.embed_tokens.weight', gguf: 'token_embd.weight', shape: [VS, H] },
      ...layers((i) => gemmaLayer(i, 2, false)),
      { hf: 'model.norm.weight', gguf: 'output_norm.weight', shape: [H], layout: 'plus-one' },
    ],
    keys: {
      'gemma2.context_length': 256, 'gemma2.embedding_length': H, 'gemma2.block_count': LAYERS, 'gemma2.feed_forward_length': FF,
      'gemma2.attention.head_count': HEADS, 'gemma2.attention.head_count_kv': 2, 'gemma2.attention.layer_norm_rms_epsilon': f32(1e-6),
      'gemma2.attention.key_length': HD, 'gemma2.attention.value_length': HD, 'gemma2.attn_logit_softcapping': 50,
      'gemma2.final_logit_softcapping': 30, 'gemma2.attention.sliding_window': 128,
    },
  },
  {
    // Gemma-3-1b's text layout: q/k norms, one KV head, local/global rope bases, sliding window pattern
    arch: 'gemma3', nKv: 1, tokenizer: 'spm',
    config: {
      architectures: ['Gemma3ForCausalLM'], attention_bias: false, attention_dropout: 0, attn_logit_softcapping: null, bos_token_id: 2,
      cache_implementation: 'hybrid', eos_token_id: 1, final_logit_softcapping: null, head_dim: HD, hidden_activation: 'gelu_pytorch_tanh',
      hidden_size: H, initializer_range: 0.02, intermediate_size: FF, max_position_embeddings: 256, model_type: 'gemma3_text',
      num_attention_heads: HEADS, num_hidden_layers: LAYERS, num_key_value_heads: 1, pad_token_id: 0, query_pre_attn_scalar: HD,
      rms_norm_eps: 1e-6, rope_local_base_freq: 10000, rope_scaling: null, rope_theta: 1000000, sliding_window: 64,
      sliding_window_pattern: 6, torch_dtype: 'float32', transformers_version: '4.50.0.dev0', use_cache: true, vocab_size: VS,
    },
    rows: [
      { hf: 'model.embed_tokens.weight', gguf: 'token_embd.weight', shape: [VS, H] },
      ...layers((i) => gemmaLayer(i, 1, true)),
      { hf: 'model.norm.weight', gguf: 'output_norm.weight', shape: [H], layout: 'plus-one' },
    ],
    keys: {
      'gemma3.block_count': LAYERS, 'gemma3.context_length': 256, 'gemma3.embedding_length': H, 'gemma3.feed_forward_length': FF,
      'gemma3.attention.head_count': HEADS, 'gemma3.attention.head_count_kv': 1, 'gemma3.rope.freq_base': 1000000,
      'gemma3.rope.freq_base_swa': 10000, 'gemma3.attention.layer_norm_rms_epsilon': f32(1e-6), 'gemma3.attention.key_length': HD, 'gemma3.attention.value_length': HD,
      'gemma3.attention.sliding_window': 64,
    },
  },
];

/**
 * llama.cpp's `LlamaModel.permute`: `w.reshape(heads, 2, rows / heads / 2, cols).swapaxes(1, 2)`
 * (with the KV head count for K), evaluated by index arithmetic on that 4-D view.
 */
function permuteRows(w: Float32Array, rows: number, cols: number, heads: number): Float32Array {
  const half = rows / heads / 2;
  const out = new Float32Array(w.length);
  // output view (heads, half, 2, cols) at [h, i, j, c] reads the input view (heads, 2, half, cols) at [h, j, i, c]
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < 2; j++) {
        for (let c = 0; c < cols; c++) out[((h * half + i) * 2 + j) * cols + c] = w[((h * 2 + j) * half + i) * cols + c]!;
      }
    }
  }
  return out;
}

function expectedData(row: Row, t: TinyTensor, c: Case): Float32Array {
  const [rows, cols] = [row.shape[0]!, row.shape[1] ?? 1];
  switch (row.layout) {
    case 'permute-q': return permuteRows(t.data, rows, cols, HEADS);
    case 'permute-k': return permuteRows(t.data, rows, cols, c.nKv);
    case 'plus-one': return t.data.map((x) => f32(x + 1));
    default: return t.data;
  }
}

function filesFor(c: Case, tensors: TinyTensor[]): Record<string, Uint8Array> {
  const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2));
  const files: Record<string, Uint8Array> = { 'config.json': enc(c.config), 'model.safetensors': safetensorsF32(tensors) };
  if (c.tokenizer === 'bpe') {
    files['tokenizer.json'] = new Uint8Array(fs.readFileSync(path.join(bpeTokenizer, 'tokenizer.json')));
    files['tokenizer_config.json'] = c.tokenizerConfig ? enc(c.tokenizerConfig) : new Uint8Array(fs.readFileSync(path.join(bpeTokenizer, 'tokenizer_config.json')));
  } else {
    files['tokenizer.model'] = tinySpmModel(SPM_PIECES);
  }
  return files;
}


let tmp = '';
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-arch-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.each(CASES.map((c) => [c.arch, c] as const))('%s: tiny random checkpoint', (arch, c) => {
  const tensors = c.rows.map((r) => tinyTensor(r.hf, r.shape));
  const byHf = new Map(tensors.map((t) => [t.name, t]));
  // llama.cpp visits a safetensors part's tensors sorted by name
  const kept = c.rows.filter((r) => r.gguf !== null).sort((x, y) => (x.hf < y.hf ? -1 : x.hf > y.hf ? 1 : 0));
  const expectedTensors: [string, number[]][] = [...(c.extra ?? []), ...kept.map((r): [string, number[]] => [r.gguf!, [...r.shape].reverse()])];

  async function convert(outtype: string) {
    const file = path.join(tmp, `${arch}-${outtype}.gguf`);
    const dir = memoryModelDirectory(`tiny-${arch}`, filesFor(c, tensors));
    await convertModel(dir, { outFile: file, outtype });
    const parsed = await gguf(file, { allowLocalFile: true });
    return { file, parsed, md: parsed.metadata as unknown as Record<string, unknown> };
  }

  it('writes llama.cpp\'s tensor names, order, shapes and hyperparameter keys', async () => {
    const { parsed, md } = await convert('f32');
    expect(parsed.tensorInfos.map((t) => [t.name, t.shape.map(Number)])).toEqual(expectedTensors);
    expect(md['general.architecture']).toBe(arch);
    expect(md['general.file_type']).toBe(0); // ALL_F32
    const archKeys = Object.fromEntries(Object.entries(md).filter(([k]) => k.startsWith(`${arch}.`)));
    expect(archKeys).toEqual(c.keys);
  });

  it('types every tensor as llama.cpp does for --outtype f16 (1-D and norms F32, matrices F16)', async () => {
    const { parsed, md } = await convert('f16');
    expect(md['general.file_type']).toBe(1); // MOSTLY_F16
    expect(parsed.tensorInfos.map((t) => [t.name, t.dtype])).toEqual(
      expectedTensors.map(([name, ne]) => [name, ne.length <= 1 || name.endsWith('_norm.weight') ? GGMLType.F32 : GGMLType.F16]));
  });

  it('lays the random weights out as llama.cpp does', async () => {
    const { file, parsed } = await convert('f32');
    const base = Number(parsed.tensorDataOffset);
    const info = new Map(parsed.tensorInfos.map((t) => [t.name, t]));
    for (const row of kept) {
      const t = info.get(row.gguf!)!;
      const bytes = readAt(file, base + Number(t.offset), byHf.get(row.hf)!.data.byteLength);
      const got = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      const want = expectedData(row, byHf.get(row.hf)!, c);
      if (Buffer.compare(Buffer.from(got.buffer, got.byteOffset, got.byteLength), Buffer.from(want.buffer, want.byteOffset, want.byteLength)) !== 0) {
        throw new Error(`${arch}: ${row.gguf} (${row.layout ?? 'as stored'}) differs from llama.cpp's layout of ${row.hf}`);
      }
      // the layout change really changes the data (the check above is not vacuous)
      if (row.layout) expect(Buffer.compare(bytes, Buffer.from(byHf.get(row.hf)!.data.buffer))).not.toBe(0);
    }
    const tied = c.rows.every((r) => r.hf !== 'lm_head.weight' || r.gguf === null);
    expect(info.has('output.weight')).toBe(!tied);
  });
});

describe('gemma3: the sliding-window layers\' rope base (rope.freq_base_swa)', () => {
  const c = CASES.find((x) => x.arch === 'gemma3')!;
  const tensors = c.rows.map((r) => tinyTensor(r.hf, r.shape));

  async function convertWith(name: string, config: Record<string, unknown>) {
    const file = path.join(tmp, `${name}.gguf`);
    await convertModel(memoryModelDirectory(name, filesFor({ ...c, config }, tensors)), { outFile: file, outtype: 'f32' });
    return (await gguf(file, { allowLocalFile: true })).metadata as unknown as Record<string, unknown>;
  }

  it('is written where llama.cpp\'s TextModel.set_gguf_parameters puts it: right after rope.freq_base', async () => {
    const md = await convertWith('gemma3-swa-order', c.config);
    // base keys in TextModel order; Gemma3Model's own calls overwrite values in place and then
    // append the sliding window
    expect(Object.keys(md).filter((k) => k.startsWith('gemma3.'))).toEqual([
      'gemma3.block_count', 'gemma3.context_length', 'gemma3.embedding_length', 'gemma3.feed_forward_length',
      'gemma3.attention.head_count', 'gemma3.attention.head_count_kv', 'gemma3.rope.freq_base', 'gemma3.rope.freq_base_swa',
      'gemma3.attention.layer_norm_rms_epsilon', 'gemma3.attention.key_length', 'gemma3.attention.value_length',
      'gemma3.attention.sliding_window',
    ]);
  });

  it('reads transformers 5\'s rope_parameters.sliding_attention.rope_theta', async () => {
    const { rope_theta: _g, rope_local_base_freq: _l, rope_scaling: _s, ...rest } = c.config;
    const md = await convertWith('gemma3-swa-v5', {
      ...rest, transformers_version: '5.0.0',
      rope_parameters: { full_attention: { rope_type: 'default', rope_theta: 500000 }, sliding_attention: { rope_type: 'default', rope_theta: 20000 } },
    });
    expect(md['gemma3.rope.freq_base']).toBe(500000);
    expect(md['gemma3.rope.freq_base_swa']).toBe(20000);
  });

  it('uses Gemma3TextConfig\'s defaults (1e6 global, 1e4 local) when config.json names neither base', async () => {
    const { rope_theta: _g, rope_local_base_freq: _l, ...rest } = c.config;
    const md = await convertWith('gemma3-swa-defaults', rest);
    expect(md['gemma3.rope.freq_base']).toBe(1000000);
    expect(md['gemma3.rope.freq_base_swa']).toBe(10000);
    const keys = Object.keys(md);
    expect(keys.indexOf('gemma3.rope.freq_base_swa')).toBe(keys.indexOf('gemma3.rope.freq_base') + 1);
    expect(keys.indexOf('gemma3.rope.freq_base')).toBe(keys.indexOf('gemma3.attention.head_count_kv') + 1);
  });

  it('takes a local base other than the default from rope_local_base_freq', async () => {
    const md = await convertWith('gemma3-swa-custom', { ...c.config, rope_local_base_freq: 40000 });
    expect(md['gemma3.rope.freq_base_swa']).toBe(40000);
  });
});
