/**
 * llama.cpp's per-tensor type rules for a quantization mix (`llama_tensor_get_type` in
 * llama-quant.cpp, as llama.cpp applied them in mid-2025), for the ftypes ggufkit writes.
 */
import { GGMLType as T, LlamaFileType as F, requireGGMLType } from '@ggufkit/tensor-layout';
import { layerOf, type TensorCategory } from './tensor-category.js';

/** Model facts the rules depend on. */
export interface ModelShape {
  /** GGUF architecture name (`llama`, `qwen2`, `falcon`, ...). */
  readonly arch: string;
  /** Number of transformer layers (`{arch}.block_count`). */
  readonly nLayer: number;
  /** Attention heads (`{arch}.attention.head_count`). */
  readonly nHead: number;
  /** KV heads (`{arch}.attention.head_count_kv`; defaults to nHead). */
  readonly nHeadKV: number;
  /** Experts per MoE layer (`{arch}.expert_count`; 0 for dense models). */
  readonly nExpert: number;
}

/** Running counters over the tensors, in the order llama.cpp visits them. */
export interface RuleState {
  nAttentionWV: number;
  iAttentionWV: number;
  iFfnDown: number;
  iFfnGate: number;
  iFfnUp: number;
  /** The model has an `output.weight` (else the token embedding doubles as output). */
  hasOutput: boolean;
  hasImatrix: boolean;
}

const useMoreBits = (i: number, n: number): boolean =>
  i < Math.trunc(n / 8) || i >= Math.trunc((7 * n) / 8) || (i - Math.trunc(n / 8)) % 3 === 2;

function layerInfo(counter: number, model: ModelShape, name: string): [number, number] {
  if (model.nExpert > 1) {
    const layer = layerOf(name);
    if (layer < 0 || layer >= model.nLayer) throw new RangeError(`cannot determine the layer of tensor ${name}`);
    return [layer, model.nLayer];
  }
  return [counter, model.nLayer];
}

/** The mix-specific choice for one quantizable tensor (before the block-size fallback). */
export function mixTensorType(
  state: RuleState, model: ModelShape, ftype: number, defaultType: number,
  name: string, ne0: number, category: TensorCategory,
): number {
  let t = defaultType;
  const nGqa = model.nHeadKV > 0 ? model.nHead / model.nHeadKV : 1;
  const falcon = model.arch === 'falcon';
  if (category === 'output' || (!state.hasOutput && category === 'token_embd')) {
    if (falcon || ne0 % requireGGMLType(t).blockSize !== 0) return T.Q8_0;
    return t !== T.Q8_0 ? T.Q6_K : t;
  }
  if (category === 'token_embd') return t;
  if (category === 'attn_v' || category === 'attn_kv_b') {
    if (ftype === F.MOSTLY_Q2_K) t = nGqa >= 4 ? T.Q4_K : T.Q3_K;
    else if (ftype === F.MOSTLY_Q2_K_S && nGqa >= 4) t = T.Q4_K;
    else if (ftype === F.MOSTLY_Q3_K_M) t = state.iAttentionWV < 2 ? T.Q5_K : T.Q4_K;
    else if (ftype === F.MOSTLY_Q3_K_L) t = T.Q5_K;
    else if ((ftype === F.MOSTLY_Q4_K_M || ftype === F.MOSTLY_Q5_K_M) && useMoreBits(state.iAttentionWV, state.nAttentionWV)) t = T.Q6_K;
    else if (ftype === F.MOSTLY_Q4_K_S && state.iAttentionWV < 4) t = T.Q5_K;
    // llama.cpp's 70B rule: 80-layer llama models share attn_v across 8 heads
    if (model.arch === 'llama' && model.nLayer === 80 && (t === T.Q3_K || t === T.Q4_K)) t = T.Q5_K;
    if (model.nExpert === 8) t = T.Q8_0;
    state.iAttentionWV++;
    return t;
  }
  if (category === 'attn_k') {
    return model.nExpert === 8 ? T.Q8_0 : t;
  }
  if (category === 'ffn_down') {
    const [i, n] = layerInfo(state.iFfnDown, model, name);
    if (ftype === F.MOSTLY_Q2_K) t = T.Q3_K;
    else if (ftype === F.MOSTLY_Q2_K_S) { if (i < Math.trunc(n / 8)) t = T.Q4_K; }
    else if (ftype === F.MOSTLY_Q3_K_M) t = i < Math.trunc(n / 16) ? T.Q5_K : !falcon || useMoreBits(i, n) ? T.Q4_K : T.Q3_K;
    else if (ftype === F.MOSTLY_Q3_K_L) t = falcon ? T.Q4_K : T.Q5_K;
    else if (ftype === F.MOSTLY_Q4_K_M) {
      if (falcon) t = i < Math.trunc(n / 16) ? T.Q6_K : useMoreBits(i, n) ? T.Q5_K : T.Q4_K;
      else if (useMoreBits(i, n)) t = T.Q6_K;
    } else if (ftype === F.MOSTLY_Q5_K_M && useMoreBits(i, n)) t = T.Q6_K;
    else if (ftype === F.MOSTLY_Q4_K_S && !falcon && i < Math.trunc(n / 8)) t = T.Q5_K;
    else if ((ftype === F.MOSTLY_Q4_0 || ftype === F.MOSTLY_Q5_0) && state.hasImatrix && i < Math.trunc(n / 8)) {
      t = ftype === F.MOSTLY_Q4_0 ? T.Q4_1 : T.Q5_1;
    }
    state.iFfnDown++;
    return t;
  }
  if (category === 'attn_output') {
    if (!falcon) {
      if (model.nExpert === 8) {
        const bump: number[] = [F.MOSTLY_Q2_K, F.MOSTLY_Q3_K_S, F.MOSTLY_Q3_K_M, F.MOSTLY_Q4_K_S, F.MOSTLY_Q4_K_M];
        if (bump.includes(ftype)) t = T.Q5_K;
      } else if (ftype === F.MOSTLY_Q2_K) t = T.Q3_K;
      else if (ftype === F.MOSTLY_Q3_K_M) t = T.Q4_K;
      else if (ftype === F.MOSTLY_Q3_K_L) t = T.Q5_K;
    } else if (ftype === F.MOSTLY_Q3_K_L) t = T.Q4_K;
    return t;
  }
  if (category === 'attn_qkv') {
    if (ftype === F.MOSTLY_Q3_K_M || ftype === F.MOSTLY_Q3_K_L) t = T.Q4_K;
    else if (ftype === F.MOSTLY_Q4_K_M) t = T.Q5_K;
    else if (ftype === F.MOSTLY_Q5_K_M) t = T.Q6_K;
    return t;
  }
  if (category === 'ffn_gate') { state.iFfnGate++; return t; }
  if (category === 'ffn_up') { state.iFfnUp++; return t; }
  return t;
}

/**
 * llama.cpp's fallback when a row length is not a whole number of the chosen type's
 * blocks: K-quants step to a 32-value format, and F16 when even that does not fit.
 */
export function blockSizeFallback(type: number, ne0: number): number {
  if (ne0 % requireGGMLType(type).blockSize === 0) return type;
  let next: number;
  switch (type) {
    case T.Q2_K: case T.Q3_K: case T.IQ4_XS: case T.IQ2_XXS: case T.IQ2_XS: case T.IQ2_S:
    case T.IQ3_XXS: case T.IQ3_S: case T.IQ1_S: case T.IQ1_M:
      next = T.IQ4_NL; break;
    case T.TQ1_0: case T.TQ2_0: next = T.Q4_0; break;
    case T.Q4_K: next = T.Q5_0; break;
    case T.Q5_K: next = T.Q5_1; break;
    case T.Q6_K: next = T.Q8_0; break;
    default: throw new RangeError(`no fallback for ${requireGGMLType(type).name} with rows of ${ne0} values`);
  }
  return ne0 % requireGGMLType(next).blockSize === 0 ? next : T.F16;
}
