/** Broad roles of tensors that llama.cpp's type rules key on, found from the GGUF name. */
export type TensorCategory =
  | 'token_embd' | 'output' | 'attn_qkv' | 'attn_kv_b' | 'attn_v' | 'attn_k' | 'attn_q'
  | 'attn_output' | 'ffn_up' | 'ffn_gate' | 'ffn_down' | 'other';

/** The category of a tensor name, matched the way llama.cpp matches it (substrings, in this order). */
export function tensorCategory(name: string): TensorCategory {
  if (name === 'output.weight') return 'output';
  if (name === 'token_embd.weight' || name === 'per_layer_token_embd.weight') return 'token_embd';
  const rules: Array<[string, TensorCategory]> = [
    ['attn_qkv.weight', 'attn_qkv'], ['attn_kv_b.weight', 'attn_kv_b'], ['attn_v.weight', 'attn_v'],
    ['attn_k.weight', 'attn_k'], ['attn_q.weight', 'attn_q'], ['attn_output.weight', 'attn_output'],
    ['ffn_up', 'ffn_up'], ['ffn_gate', 'ffn_gate'], ['ffn_down', 'ffn_down'],
  ];
  for (const [needle, category] of rules) if (name.includes(needle)) return category;
  return 'other';
}

/** True for tensors that feed the value path (more sensitive to quantization). */
export function isAttentionValue(category: TensorCategory): boolean {
  return category === 'attn_v' || category === 'attn_qkv' || category === 'attn_kv_b';
}

/**
 * Whether llama.cpp quantizes a tensor at all: 2-D or larger tensors whose name ends in
 * `weight`, except norms, expert routers and a few small special tensors.
 */
export function allowsQuantization(name: string, nDims: number, opts: { quantizeOutput?: boolean } = {}): boolean {
  if (nDims < 2 || !name.endsWith('weight')) return false;
  if (name.includes('_norm.weight')) return false;
  if (opts.quantizeOutput === false && name === 'output.weight') return false;
  const never = ['ffn_gate_inp.weight', 'altup', 'laurel', 'per_layer_model_proj', 'ssm_conv1d', 'attn_rel_b.weight',
    'time_mix_first.weight', 'time_mix_w0.weight', 'time_mix_w1.weight', 'time_mix_w2.weight', 'time_mix_v0.weight',
    'time_mix_v1.weight', 'time_mix_v2.weight', 'time_mix_a0.weight', 'time_mix_a1.weight', 'time_mix_a2.weight',
    'time_mix_g1.weight', 'time_mix_g2.weight', 'time_mix_decay_w1.weight', 'time_mix_decay_w2.weight', 'time_mix_lerp_fused.weight'];
  if (never.some((n) => name.includes(n))) return false;
  return name !== 'position_embd.weight' && name !== 'token_types.weight';
}

/**
 * llama.cpp's model-loader tensor order, which llama-quantize writes in: tensors outside
 * the `blk.N.` layers first, then layer by layer; by name within each group.
 */
export function loaderOrderCompare(a: string, b: string): number {
  const la = layerOf(a);
  const lb = layerOf(b);
  if (la !== lb) return la - lb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The layer number of a `blk.N.` tensor, -1 for others. */
export function layerOf(name: string): number {
  const m = /^blk\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : -1;
}
