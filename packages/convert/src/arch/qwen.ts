/**
 * Qwen2 and Qwen3: the base hyperparameters, q/k/v biases (Qwen2) or q/k norms (Qwen3)
 * kept as F32, NEOX rotary layout (no Q/K permutation), YaRN scaling when configured.
 */
import { archKeys } from '../metadata/keys.js';
import { setVocabGpt2, setVocabSentencepiece, VocabNotFoundError } from '../tokenizer/set-vocab.js';
import { setBaseParams } from './base-params.js';
import type { ArchContext, ArchitectureDef } from './types.js';

function setQwenParams(ctx: ArchContext): void {
  setBaseParams(ctx);
  const rs = ctx.hparams['rope_scaling'];
  if (typeof rs === 'object' && rs !== null) {
    const r = rs as Record<string, unknown>;
    if ((r['type'] ?? r['rope_type']) === 'yarn' && typeof r['factor'] === 'number') {
      const k = archKeys(ctx.arch);
      ctx.md.str(k.ROPE_SCALING_TYPE, 'yarn');
      ctx.md.f32(k.ROPE_SCALING_FACTOR, r['factor']);
      if (typeof r['original_max_position_embeddings'] === 'number') ctx.md.u32(k.ROPE_SCALING_ORIG_CTX_LEN, r['original_max_position_embeddings']);
    }
  }
}

async function setQwenVocab(ctx: ArchContext): Promise<void> {
  try {
    await setVocabSentencepiece(ctx);
  } catch (e) {
    if (!(e instanceof VocabNotFoundError)) throw e;
    await setVocabGpt2(ctx);
  }
}

const QWEN2_TENSORS = ['TOKEN_EMBD', 'OUTPUT_NORM', 'OUTPUT', 'ROPE_FREQS', 'ATTN_NORM', 'ATTN_Q', 'ATTN_K', 'ATTN_V', 'ATTN_OUT', 'FFN_NORM', 'FFN_GATE', 'FFN_DOWN', 'FFN_UP'] as const;

export const qwen2: ArchitectureDef = {
  name: 'qwen2',
  hfArchitectures: ['Qwen2ForCausalLM'],
  tensorKinds: QWEN2_TENSORS,
  setParams: setQwenParams,
  setVocab: setQwenVocab,
};

export const qwen3: ArchitectureDef = {
  name: 'qwen3',
  hfArchitectures: ['Qwen3ForCausalLM'],
  tensorKinds: [...QWEN2_TENSORS, 'ATTN_Q_NORM', 'ATTN_K_NORM'],
  setParams: setQwenParams,
  setVocab: setQwenVocab,
};
