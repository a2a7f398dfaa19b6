/**
 * GGUF tensor names (gguf-py `TENSOR_NAMES`) and the Hugging Face names that map to them
 * (gguf-py `tensor_mapping.py`), for the architectures ggufkit converts. An architecture
 * lists the tensor kinds it has; when two kinds claim the same Hugging Face name the one
 * later in this table wins, as in gguf-py.
 */

export const TensorKind = {
  TOKEN_EMBD: 'token_embd',
  OUTPUT_NORM: 'output_norm',
  OUTPUT: 'output',
  ROPE_FREQS: 'rope_freqs',
  ROPE_FACTORS_LONG: 'rope_factors_long',
  ROPE_FACTORS_SHORT: 'rope_factors_short',
  ATTN_NORM: 'blk.{bid}.attn_norm',
  ATTN_QKV: 'blk.{bid}.attn_qkv',
  ATTN_Q: 'blk.{bid}.attn_q',
  ATTN_K: 'blk.{bid}.attn_k',
  ATTN_V: 'blk.{bid}.attn_v',
  ATTN_OUT: 'blk.{bid}.attn_output',
  ATTN_POST_NORM: 'blk.{bid}.post_attention_norm',
  ATTN_ROT_EMBD: 'blk.{bid}.rot_embd',
  ATTN_Q_NORM: 'blk.{bid}.attn_q_norm',
  ATTN_K_NORM: 'blk.{bid}.attn_k_norm',
  FFN_NORM: 'blk.{bid}.ffn_norm',
  FFN_PRE_NORM: 'blk.{bid}.ffn_norm#pre',
  FFN_POST_NORM: 'blk.{bid}.post_ffw_norm',
  FFN_GATE: 'blk.{bid}.ffn_gate',
  FFN_UP: 'blk.{bid}.ffn_up',
  FFN_DOWN: 'blk.{bid}.ffn_down',
} as const;
export type TensorKindId = keyof typeof TensorKind;

/** GGUF name pattern of a kind (`FFN_PRE_NORM` shares `ffn_norm` with `FFN_NORM`). */
export function ggufNamePattern(kind: TensorKindId): string {
  return TensorKind[kind].replace(/#.*$/, '');
}

/** GGUF name of a kind for block `bid`, without suffix. */
export function ggufTensorName(kind: TensorKindId, bid?: number): string {
  const p = ggufNamePattern(kind);
  if (p.includes('{bid}')) {
    if (bid === undefined) throw new RangeError(`tensor kind ${kind} needs a block index`);
    return p.replace('{bid}', String(bid));
  }
  return p;
}

const GLOBAL_MAP: ReadonlyArray<[TensorKindId, readonly string[]]> = [
  ['TOKEN_EMBD', ['model.embed_tokens', 'embed_tokens', 'transformer.wte', 'tok_embeddings']],
  ['OUTPUT', ['lm_head', 'output']],
  ['OUTPUT_NORM', ['model.norm', 'norm', 'transformer.ln_f']],
  ['ROPE_FREQS', ['rope.freqs']],
];

const BLOCK_MAP: ReadonlyArray<[TensorKindId, readonly string[]]> = [
  ['ATTN_NORM', ['model.layers.{bid}.input_layernorm', 'layers.{bid}.attention_norm']],
  ['ATTN_QKV', ['model.layers.{bid}.self_attn.qkv_proj']],
  ['ATTN_Q', ['model.layers.{bid}.self_attn.q_proj', 'layers.{bid}.attention.wq']],
  ['ATTN_K', ['model.layers.{bid}.self_attn.k_proj', 'layers.{bid}.attention.wk']],
  ['ATTN_V', ['model.layers.{bid}.self_attn.v_proj', 'layers.{bid}.attention.wv']],
  ['ATTN_OUT', ['model.layers.{bid}.self_attn.o_proj', 'layers.{bid}.attention.wo']],
  ['ATTN_POST_NORM', ['model.layers.{bid}.post_attention_layernorm']],
  ['ATTN_ROT_EMBD', ['model.layers.{bid}.self_attn.rotary_emb.inv_freq', 'layers.{bid}.attention.inner_attention.rope.freqs']],
  ['ATTN_Q_NORM', ['model.layers.{bid}.self_attn.q_norm']],
  ['ATTN_K_NORM', ['model.layers.{bid}.self_attn.k_norm']],
  ['FFN_NORM', ['model.layers.{bid}.post_attention_layernorm', 'layers.{bid}.ffn_norm']],
  ['FFN_PRE_NORM', ['model.layers.{bid}.pre_feedforward_layernorm']],
  ['FFN_POST_NORM', ['model.layers.{bid}.post_feedforward_layernorm']],
  ['FFN_GATE', ['model.layers.{bid}.mlp.gate_proj', 'layers.{bid}.feed_forward.w1']],
  ['FFN_UP', ['model.layers.{bid}.mlp.up_proj', 'model.layers.{bid}.mlp.gate_up_proj', 'layers.{bid}.feed_forward.w3']],
  ['FFN_DOWN', ['model.layers.{bid}.mlp.down_proj', 'layers.{bid}.feed_forward.w2']],
];

/** Maps checkpoint tensor names to GGUF names for one architecture and block count. */
export class TensorNameMap {
  private readonly mapping = new Map<string, string>();

  constructor(readonly kinds: readonly TensorKindId[], blockCount: number) {
    const allowed = new Set(kinds);
    for (const [kind, keys] of GLOBAL_MAP) {
      if (!allowed.has(kind)) continue;
      for (const k of keys) this.mapping.set(k, ggufTensorName(kind));
    }
    for (let bid = 0; bid < blockCount; bid++) {
      for (const [kind, keys] of BLOCK_MAP) {
        if (!allowed.has(kind)) continue;
        for (const k of keys) this.mapping.set(k.replace('{bid}', String(bid)), ggufTensorName(kind, bid));
      }
    }
  }

  /** The GGUF name for `name`, trying it as is, then without `.weight`/`.bias` (kept as suffix). */
  get(name: string, suffixes: readonly string[] = ['.weight', '.bias']): string | undefined {
    const direct = this.mapping.get(name);
    if (direct !== undefined) return direct;
    for (const s of suffixes) {
      if (name.endsWith(s)) {
        const base = this.mapping.get(name.slice(0, -s.length));
        if (base !== undefined) return base + s;
      }
    }
    return undefined;
  }

  /** True when the architecture has tensors of `kind`. */
  hasKind(kind: TensorKindId): boolean {
    return this.kinds.includes(kind);
  }
}
