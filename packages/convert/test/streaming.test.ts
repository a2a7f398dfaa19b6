/**
 * Row-block streaming: large checkpoint tensors are read and converted a block of rows at a
 * time (and, for quantization mixes, quantized a block at a time). The bytes must not
 * change: checked against llama.cpp's own conversions and quantization of tl-bpe (shared
 * fixtures) with blocks of a few rows, so every tensor spans many blocks. Also: the
 * conversion seen as a GGUF source serves range reads in any order, and an overflow in a
 * later block names the tensor and its rows.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gguf } from '@huggingface/gguf';
import {
  convertModel, memoryModelDirectory, planConversion, prepareConversion, TensorOverflowError, writerInputAsSource,
} from '@ggufkit/convert/node';
import { safetensorsF32, tinyTensor } from './helpers/tiny-checkpoint.js';
import { readAt } from './helpers/read-at.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = path.resolve(repoRoot, '../shared/models/tl-bpe');
const haveShared = fs.existsSync(shared);
if (!haveShared) console.warn(`row-block streaming comparisons with llama.cpp skipped: ${shared} not found`);
const ds = haveShared ? describe : describe.skip;
const example = path.join(repoRoot, 'examples/models/tl-bpe-hf');

const sha = (p: string) => createHash('sha256').update(fs.readFileSync(p)).digest('hex');


async function concat(chunks: AsyncIterable<Uint8Array>): Promise<{ bytes: Buffer; pieces: number[] }> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
  return { bytes: Buffer.concat(parts), pieces: parts.map((p) => p.length) };
}

let tmp = '';
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-stream-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

ds('row blocks give llama.cpp\'s bytes', () => {
  it.each(['f16', 'q8_0'] as const)('--outtype %s: every tensor in blocks of two rows equals llama.cpp\'s conversion', async (outtype) => {
    const ref = path.join(shared, 'llama.cpp', `tl-bpe-convert-${outtype}.gguf`);
    const parsed = await gguf(ref, { allowLocalFile: true });
    const plan = await planConversion(path.join(shared, 'hf'), { outtype, rowBlockBytes: 1024 });
    try {
      let multiBlock = 0;
      for (const [i, t] of plan.tensors.entries()) {
        const info = parsed.tensorInfos[i]!;
        expect(t.name).toBe(info.name);
        const { bytes, pieces } = await concat(t.stream());
        const theirs = readAt(ref, Number(parsed.tensorDataOffset) + Number(info.offset), bytes.length);
        if (!bytes.equals(theirs)) throw new Error(`${outtype}: ${t.name} streamed in row blocks differs from llama.cpp`);
        const rowBytes = bytes.length / (t.ne.slice(1).reduce((a, b) => a * b, 1));
        for (const p of pieces) expect(p % rowBytes).toBe(0);
        if (pieces.length > 1) multiBlock++;
        if (i % 10 === 0) expect(Buffer.from(await t.data()).equals(theirs)).toBe(true);
      }
      expect(multiBlock).toBeGreaterThan(plan.tensors.length / 2);
    } finally {
      await plan.close();
    }
  });

  it('--outtype Q4_K_M quantized in row blocks equals llama.cpp convert + llama-quantize', async () => {
    const out = path.join(tmp, 'blocks-Q4_K_M.gguf');
    await convertModel(path.join(shared, 'hf'), { outFile: out, outtype: 'Q4_K_M', rowBlockBytes: 2048 });
    expect(sha(out)).toBe(sha(path.join(shared, 'llama.cpp', 'tl-bpe-quantize-Q4_K_M.gguf')));
  });
});

describe('the conversion as a GGUF source', () => {
  it('serves forward, repeated and backward range reads of a tensor with the bytes of its whole data', async () => {
    const p = await prepareConversion(example, { outtype: 'f16', rowBlockBytes: 4096 });
    try {
      const src = writerInputAsSource(p.header, p.tensors);
      const info = src.tensors.find((t) => t.name === 'token_embd.weight')!;
      const whole = Buffer.from(await src.readTensorData(info));
      expect(whole.length).toBe(info.byteLength);
      const cuts = [0, 1000, 5000, 5001, 300000, info.byteLength];
      for (let k = 0; k + 1 < cuts.length; k++) {
        expect(Buffer.from(await src.readTensorRange!(info, cuts[k]!, cuts[k + 1]!)).equals(whole.subarray(cuts[k], cuts[k + 1]))).toBe(true);
      }
      // going back starts a new pass
      expect(Buffer.from(await src.readTensorRange!(info, 10, 20)).equals(whole.subarray(10, 20))).toBe(true);
      expect(Buffer.from(await src.readTensorRange!(info, 0, info.byteLength)).equals(whole)).toBe(true);
    } finally {
      await p.close();
    }
  });
});

describe('overflow in a later row block', () => {
  it.each(['F32', 'BF16'] as const)('names the tensor and the rows, and writes nothing (%s checkpoint)', async (dtype) => {
    const embed = tinyTensor('model.embed_tokens.weight', [4096, 32]);
    embed.data[40 * 32 + 3] = 999424; // row 40: beyond f16's range (and exact in bf16)
    const config = {
      architectures: ['LlamaForCausalLM'], hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1, num_attention_heads: 2,
      num_key_value_heads: 2, max_position_embeddings: 64, rms_norm_eps: 1e-5, rope_theta: 10000, vocab_size: 4096, tie_word_embeddings: true,
    };
    const dir = memoryModelDirectory('tiny-overflow', {
      'config.json': new TextEncoder().encode(JSON.stringify(config)),
      'model.safetensors': safetensorsF32([embed], dtype),
      'tokenizer.json': new Uint8Array(fs.readFileSync(path.join(example, 'tokenizer.json'))),
    });
    const out = path.join(tmp, `overflow-${dtype}.gguf`);
    const err = await convertModel(dir, { outFile: out, outtype: 'f16', rowBlockBytes: 32 * (dtype === 'F32' ? 4 : 2) * 8 }).then(() => undefined, (e: unknown) => e as Error);
    // the writer reports the failing tensor and keeps the converter's error as the cause
    expect(err?.message).toMatch(/token_embd\.weight \(rows 40-47\): value 999424 at index 3 overflows F16/);
    expect((err as Error & { cause?: unknown }).cause).toBeInstanceOf(TensorOverflowError);
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith('overflow'))).toEqual([]);
  });

  it('removes the shards written before the failing one (split output)', async () => {
    // one tensor per shard: token_embd.weight first (in small row blocks, so that reading
    // ahead stays inside it), then the two FFN matrices, one of which overflows
    const embed = tinyTensor('model.embed_tokens.weight', [4096, 32]);
    const down = tinyTensor('model.layers.0.mlp.down_proj.weight', [32, 64]);
    const gate = tinyTensor('model.layers.0.mlp.gate_proj.weight', [64, 32]);
    gate.data[5 * 32 + 7] = 999424; // beyond f16's range
    const config = {
      architectures: ['LlamaForCausalLM'], hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1, num_attention_heads: 2,
      num_key_value_heads: 2, max_position_embeddings: 64, rms_norm_eps: 1e-5, rope_theta: 10000, vocab_size: 4096, tie_word_embeddings: true,
    };
    const dir = memoryModelDirectory('tiny-overflow-split', {
      'config.json': new TextEncoder().encode(JSON.stringify(config)),
      'model.safetensors': safetensorsF32([embed, down, gate], 'F32'),
      'tokenizer.json': new Uint8Array(fs.readFileSync(path.join(example, 'tokenizer.json'))),
    });
    const outDir = fs.mkdtempSync(path.join(tmp, 'split-'));
    const seen: number[] = [];
    const err = await convertModel(dir, {
      outFile: path.join(outDir, 'model.gguf'), outtype: 'f16', splitMaxTensors: 1, rowBlockBytes: 32 * 4 * 8,
      onProgress: (p) => seen.push(p.fileIndex),
    }).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).toMatch(/blk\.0\.ffn_gate\.weight.*overflows F16/);
    // the first shard was complete before the failure, and is gone with the rest
    expect(Math.max(...seen)).toBeGreaterThan(0);
    expect(fs.readdirSync(outDir)).toEqual([]);
  });
});
