/** GGUF metadata key names as llama.cpp spells them (gguf-py `constants.py`, `Keys`). */

export const GeneralKeys = {
  ARCHITECTURE: 'general.architecture',
  TYPE: 'general.type',
  NAME: 'general.name',
  AUTHOR: 'general.author',
  VERSION: 'general.version',
  ORGANIZATION: 'general.organization',
  FINETUNE: 'general.finetune',
  BASENAME: 'general.basename',
  SIZE_LABEL: 'general.size_label',
  FILE_TYPE: 'general.file_type',
  QUANTIZATION_VERSION: 'general.quantization_version',
  ALIGNMENT: 'general.alignment',
} as const;

/** Per-architecture hyperparameter keys (`{arch}.…`). */
export function archKeys(arch: string) {
  return {
    VOCAB_SIZE: `${arch}.vocab_size`,
    CONTEXT_LENGTH: `${arch}.context_length`,
    EMBEDDING_LENGTH: `${arch}.embedding_length`,
    BLOCK_COUNT: `${arch}.block_count`,
    FEED_FORWARD_LENGTH: `${arch}.feed_forward_length`,
    EXPERT_COUNT: `${arch}.expert_count`,
    EXPERT_USED_COUNT: `${arch}.expert_used_count`,
    ATTN_LOGIT_SOFTCAPPING: `${arch}.attn_logit_softcapping`,
    FINAL_LOGIT_SOFTCAPPING: `${arch}.final_logit_softcapping`,
    HEAD_COUNT: `${arch}.attention.head_count`,
    HEAD_COUNT_KV: `${arch}.attention.head_count_kv`,
    KEY_LENGTH: `${arch}.attention.key_length`,
    VALUE_LENGTH: `${arch}.attention.value_length`,
    LAYERNORM_EPS: `${arch}.attention.layer_norm_epsilon`,
    LAYERNORM_RMS_EPS: `${arch}.attention.layer_norm_rms_epsilon`,
    SLIDING_WINDOW: `${arch}.attention.sliding_window`,
    ROPE_DIMENSION_COUNT: `${arch}.rope.dimension_count`,
    ROPE_FREQ_BASE: `${arch}.rope.freq_base`,
    ROPE_FREQ_BASE_SWA: `${arch}.rope.freq_base_swa`,
    ROPE_SCALING_TYPE: `${arch}.rope.scaling.type`,
    ROPE_SCALING_FACTOR: `${arch}.rope.scaling.factor`,
    ROPE_SCALING_ATTN_FACTOR: `${arch}.rope.scaling.attn_factor`,
    ROPE_SCALING_ORIG_CTX_LEN: `${arch}.rope.scaling.original_context_length`,
  } as const;
}

export const TokenizerKeys = {
  MODEL: 'tokenizer.ggml.model',
  PRE: 'tokenizer.ggml.pre',
  LIST: 'tokenizer.ggml.tokens',
  TOKEN_TYPE: 'tokenizer.ggml.token_type',
  SCORES: 'tokenizer.ggml.scores',
  MERGES: 'tokenizer.ggml.merges',
  ADD_PREFIX: 'tokenizer.ggml.add_space_prefix',
  CHAT_TEMPLATE: 'tokenizer.chat_template',
  CHAT_TEMPLATES: 'tokenizer.chat_templates',
} as const;

/** Special-token id keys by SpecialVocab type name (note llama.cpp's spelling "seperator"). */
export const SPECIAL_TOKEN_ID_KEYS: Readonly<Record<string, string>> = {
  bos: 'tokenizer.ggml.bos_token_id',
  eos: 'tokenizer.ggml.eos_token_id',
  unk: 'tokenizer.ggml.unknown_token_id',
  sep: 'tokenizer.ggml.seperator_token_id',
  pad: 'tokenizer.ggml.padding_token_id',
  cls: 'tokenizer.ggml.cls_token_id',
  mask: 'tokenizer.ggml.mask_token_id',
  eot: 'tokenizer.ggml.eot_token_id',
  eom: 'tokenizer.ggml.eom_token_id',
};

/** "add this token when tokenizing" flags by type name. */
export const ADD_SPECIAL_TOKEN_KEYS: Readonly<Record<string, string>> = {
  bos: 'tokenizer.ggml.add_bos_token',
  eos: 'tokenizer.ggml.add_eos_token',
  sep: 'tokenizer.ggml.add_sep_token',
};

/** The current ggml quantization format version, written as `general.quantization_version`. */
export const GGML_QUANT_VERSION = 2;
