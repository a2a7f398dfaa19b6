/**
 * bf16 -> f16 conversion through the overlapped pipeline: a bf16 llama checkpoint on disk
 * (values spread over f16's normal and subnormal ranges), converted with row blocks of
 * 1.25 MiB, so large tensors span several blocks that are read ahead into reused buffers,
 * converted in place, row-reordered per block (Q/K) and written behind. Every tensor of
 * the written file must hold NumPy's float16 rounding of the checkpoint values (the
 * fixture-checked f32 -> f16 conversion) in llama.cpp's layout (`LlamaModel.permute`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gguf } from '@huggingface/gguf';
import { bf16ArrayToF32 } from '@ggufkit/tensor-layout';
import { convertModel } from '@ggufkit/convert/node';
import { f32ArrayToF16Numpy } from '../src/tensors/f16.js';
import { safetensorsF32, tinyTensor, type TinyTensor } from './helpers/tiny-checkpoint.js';
import { readAt } from './helpers/read-at.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const tokenizerDir = path.join(repoRoot, 'examples/models/tl-bpe-hf');

const H = 1024, HEADS = 8, KV = 4, HD = H / HEADS, FF = 1024;

/** Llama's Q/K row order (`reshape(heads, 2, rows / heads / 2, cols).swapaxes(1, 2)`), by index arithmetic. */
function permuteRows(w: Uint16Array, rows: number, cols: number, heads: number): Uint16Array {
  const half = rows / heads / 2;
  const out = new Uint16Array(w.length);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < 2; j++) out.set(w.subarray(((h * 2 + j) * half + i) * cols, ((h * 2 + j) * half + i + 1) * cols), ((h * half + i) * 2 + j) * cols);
    }
  }
  return out;
}

/** bf16 bits of a tensor's values as the checkpoint stores them (each value's top 16 bits). */
function bf16Of(t: TinyTensor): Uint16Array {
  const bits = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
  const out = new Uint16Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = bits[i]! >>> 16;
  return out;
}

let tmp = '';
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-pipelined-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

it('writes every tensor as NumPy rounds it, in llama.cpp\'s layout, when blocks overlap and buffers are reused', async () => {
  const tokenizer = JSON.parse(fs.readFileSync(path.join(tokenizerDir, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> }; added_tokens?: unknown[] };
  const vocab = Object.keys(tokenizer.model.vocab).length + (tokenizer.added_tokens?.length ?? 0);
  const p = 'model.layers.0';
  const tensors = [
    tinyTensor('model.embed_tokens.weight', [vocab, H]),
    tinyTensor(`${p}.input_layernorm.weight`, [H]),
    tinyTensor(`${p}.mlp.down_proj.weight`, [H, FF]),
    tinyTensor(`${p}.mlp.gate_proj.weight`, [FF, H]),
    tinyTensor(`${p}.mlp.up_proj.weight`, [FF, H]),
    tinyTensor(`${p}.post_attention_layernorm.weight`, [H]),
    tinyTensor(`${p}.self_attn.k_proj.weight`, [KV * HD, H]),
    tinyTensor(`${p}.self_attn.o_proj.weight`, [H, H]),
    tinyTensor(`${p}.self_attn.q_proj.weight`, [HEADS * HD, H]),
    tinyTensor(`${p}.self_attn.v_proj.weight`, [KV * HD, H]),
    tinyTensor('model.norm.weight', [H]),
  ];
  // magnitudes from 0.5 down to 2^-26: f16 normals, subnormals (rounded) and values that round to zero
  const scales = Float32Array.from({ length: 27 }, (_, k) => 2 ** -k);
  for (const t of tensors) for (let i = 0; i < t.data.length; i++) t.data[i] = t.data[i]! * scales[(i * 7) % 27]!;
  const dir = path.join(tmp, 'model');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'model.safetensors'), safetensorsF32(tensors, 'BF16'));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({
    architectures: ['LlamaForCausalLM'], hidden_size: H, intermediate_size: FF, num_hidden_layers: 1, num_attention_heads: HEADS,
    num_key_value_heads: KV, head_dim: HD, max_position_embeddings: 256, rms_norm_eps: 1e-5, rope_theta: 10000, vocab_size: vocab,
    tie_word_embeddings: true, torch_dtype: 'bfloat16',
  }));
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(tokenizerDir, f), path.join(dir, f));

  const out = path.join(tmp, 'out.gguf');
  await convertModel(dir, { outFile: out, outtype: 'f16', rowBlockBytes: 1.25 * 2 ** 20 });

  const parsed = await gguf(out, { allowLocalFile: true });
  const infos = new Map(parsed.tensorInfos.map((t) => [t.name, t]));
  const names: Record<string, string> = {
    'model.embed_tokens.weight': 'token_embd.weight', [`${p}.mlp.down_proj.weight`]: 'blk.0.ffn_down.weight',
    [`${p}.mlp.gate_proj.weight`]: 'blk.0.ffn_gate.weight', [`${p}.mlp.up_proj.weight`]: 'blk.0.ffn_up.weight',
    [`${p}.self_attn.k_proj.weight`]: 'blk.0.attn_k.weight', [`${p}.self_attn.o_proj.weight`]: 'blk.0.attn_output.weight',
    [`${p}.self_attn.q_proj.weight`]: 'blk.0.attn_q.weight', [`${p}.self_attn.v_proj.weight`]: 'blk.0.attn_v.weight',
  };
  let subnormals = 0;
  for (const t of tensors.filter((x) => x.shape.length === 2)) {
    const name = names[t.name]!;
    const info = infos.get(name)!;
    const [rows, cols] = t.shape as [number, number];
    let want = f32ArrayToF16Numpy(bf16ArrayToF32(bf16Of(t)));
    if (name === 'blk.0.attn_q.weight') want = permuteRows(want, rows, cols, HEADS);
    if (name === 'blk.0.attn_k.weight') want = permuteRows(want, rows, cols, KV);
    for (let i = 0; i < want.length; i++) if ((want[i]! & 0x7c00) === 0 && (want[i]! & 0x3ff) !== 0) subnormals++;
    const got = readAt(out, Number(parsed.tensorDataOffset) + Number(info.offset), want.byteLength);
    if (!got.equals(Buffer.from(want.buffer))) throw new Error(`${name} differs from the checkpoint's values rounded to f16 in llama.cpp's layout`);
  }
  expect(subnormals).toBeGreaterThan(1000);
  expect(fs.readdirSync(tmp).sort()).toEqual(['model', 'out.gguf']); // the temporary file was renamed
});
