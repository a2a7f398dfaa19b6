/**
 * A synthetic GGUF file with a Llama-3-8B-sized header: 128256 byte-level BPE tokens,
 * f32 scores, i32 token types, ~280k merges, 291 tensor infos with Llama's names. Tensor
 * shapes are tiny (the header is what is measured) but offsets and data are consistent.
 */
import { T, buildGGUF, type BTensor } from '../test/reader-builder.js';
import { mulberry32 } from '../../../test-support/mulberry32.js';

/** GPT-2's byte-to-unicode table: printable stand-ins for the 256 byte values. */
function byteChars(): string[] {
  const printable = new Set<number>();
  for (let c = 0x21; c <= 0x7e; c++) printable.add(c);
  for (let c = 0xa1; c <= 0xac; c++) printable.add(c);
  for (let c = 0xae; c <= 0xff; c++) printable.add(c);
  const out: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) out.push(String.fromCharCode(printable.has(b) ? b : 256 + extra++));
  return out;
}

export const N_TOKENS = 128256;
export const N_MERGES = 280147;

export function syntheticLlama3(): Uint8Array {
  const rand = mulberry32(42);
  const letters = 'etaoinshrdlcumwfgypbvkjxqz';
  const bytes = byteChars();
  const word = () => {
    const n = 1 + Math.floor(rand() * 9);
    let s = rand() < 0.55 ? '\u0120' : '';
    for (let i = 0; i < n; i++) s += rand() < 0.02 ? bytes[Math.floor(rand() * 256)] : letters[Math.floor(Math.pow(rand(), 2) * 26)];
    return s;
  };
  const tokens: string[] = [...bytes];
  while (tokens.length < 128000) tokens.push(word());
  tokens.push('<|begin_of_text|>', '<|end_of_text|>');
  while (tokens.length < N_TOKENS) tokens.push(`<|reserved_special_token_${tokens.length - 128002}|>`);
  const types = tokens.map((_, i) => (i >= 128000 ? 3 : 1));
  const scores = tokens.map((_, i) => -i);
  const merges: string[] = [];
  while (merges.length < N_MERGES) {
    const a = tokens[256 + Math.floor(rand() * 127000)]!;
    const b = tokens[256 + Math.floor(rand() * 127000)]!.replace(/^\u0120/, '');
    merges.push(`${a} ${b}`);
  }
  const chatTemplate = "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";

  const kv: Array<readonly [string, number, unknown]> = [
    ['general.architecture', T.STRING, 'llama'],
    ['general.type', T.STRING, 'model'],
    ['general.name', T.STRING, 'Synthetic Llama 3 8B Instruct'],
    ['general.finetune', T.STRING, 'Instruct'],
    ['general.size_label', T.STRING, '8B'],
    ['general.license', T.STRING, 'llama3'],
    ['general.tags', T.ARRAY, { itemType: T.STRING, items: ['facebook', 'meta', 'pytorch', 'llama', 'llama-3', 'text-generation'] }],
    ['general.languages', T.ARRAY, { itemType: T.STRING, items: ['en'] }],
    ['llama.block_count', T.UINT32, 32],
    ['llama.context_length', T.UINT32, 8192],
    ['llama.embedding_length', T.UINT32, 4096],
    ['llama.feed_forward_length', T.UINT32, 14336],
    ['llama.attention.head_count', T.UINT32, 32],
    ['llama.attention.head_count_kv', T.UINT32, 8],
    ['llama.rope.freq_base', T.FLOAT32, 500000],
    ['llama.attention.layer_norm_rms_epsilon', T.FLOAT32, 1e-5],
    ['general.file_type', T.UINT32, 15],
    ['llama.vocab_size', T.UINT32, N_TOKENS],
    ['llama.rope.dimension_count', T.UINT32, 128],
    ['tokenizer.ggml.model', T.STRING, 'gpt2'],
    ['tokenizer.ggml.pre', T.STRING, 'llama-bpe'],
    ['tokenizer.ggml.tokens', T.ARRAY, { itemType: T.STRING, items: tokens }],
    ['tokenizer.ggml.scores', T.ARRAY, { itemType: T.FLOAT32, items: scores }],
    ['tokenizer.ggml.token_type', T.ARRAY, { itemType: T.INT32, items: types }],
    ['tokenizer.ggml.merges', T.ARRAY, { itemType: T.STRING, items: merges }],
    ['tokenizer.ggml.bos_token_id', T.UINT32, 128000],
    ['tokenizer.ggml.eos_token_id', T.UINT32, 128009],
    ['tokenizer.chat_template', T.STRING, chatTemplate],
    ['general.quantization_version', T.UINT32, 2],
  ];
  // Llama tensor names and types (Q4_K_M-like), with tiny shapes: 256 x 2.
  const tensors: BTensor[] = [];
  const add = (name: string, type: number) => {
    const bytesPerRow = type === 0 ? 1024 : type === 12 ? 144 : 210; // F32, Q4_K, Q6_K rows of 256
    tensors.push({ name, ne: [256, 2], type, nbytes: bytesPerRow * 2 });
  };
  add('token_embd.weight', 12);
  for (let l = 0; l < 32; l++) {
    add(`blk.${l}.attn_norm.weight`, 0);
    add(`blk.${l}.ffn_down.weight`, 14);
    add(`blk.${l}.ffn_gate.weight`, 12);
    add(`blk.${l}.ffn_up.weight`, 12);
    add(`blk.${l}.ffn_norm.weight`, 0);
    add(`blk.${l}.attn_k.weight`, 12);
    add(`blk.${l}.attn_output.weight`, 12);
    add(`blk.${l}.attn_q.weight`, 12);
    add(`blk.${l}.attn_v.weight`, 14);
  }
  add('output_norm.weight', 0);
  add('output.weight', 14);
  return buildGGUF({ kv, tensors });
}
