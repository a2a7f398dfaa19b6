/**
 * Random-weight GGUF files shaped like TinyLlama-1.1B (hidden 2048, 22 layers, FFN 5632,
 * 32 heads, 4 KV heads, vocabulary 32000) for speed measurements. The per-tensor types
 * follow llama.cpp's quantize rules for the Q4_0, Q4_K_M and Q8_0 file types (F16: every
 * matrix f16, the input of the file quantization benchmark). Weights are
 * Gaussian rows (std 0.02) quantized with @ggufkit/quants; a pool of rows is quantized once
 * per (type, width) and repeated, which is the same work for a reader or a kernel as
 * distinct rows. The tokenizer is tl-spm's SentencePiece vocabulary from the shared models,
 * padded with unused tokens to 32000 entries.
 *
 * Files are cached under `.bench-cache/` at the repository root.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { f32ArrayToF16, GGMLType, GGUFValueType, rowBytes } from '@ggufkit/tensor-layout';
import { openGGUFFile, writeGGUFFile } from '@ggufkit/gguf/node';
import type { GGUFArray, GGUFMetadataEntry, TensorToWrite } from '@ggufkit/gguf';
import { getCodec } from '@ggufkit/quants';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const cacheDir = path.join(repoRoot, '.bench-cache');
const tokenizerSource = path.resolve(repoRoot, '../shared/models/tl-spm/llama.cpp/tl-spm-convert-f16.gguf');

export type BenchFileType = 'F16' | 'Q4_0' | 'Q4_K_M' | 'Q8_0';

/** The model shape. */
export const TINYLLAMA = { dim: 2048, layers: 22, ffn: 5632, heads: 32, kvHeads: 4, vocab: 32000, context: 2048 } as const;

/** llama.cpp's file type ids (`general.file_type`). */
const FILE_TYPE_ID: Record<BenchFileType, number> = { F16: 1, Q4_0: 2, Q8_0: 7, Q4_K_M: 15 };

/** llama.cpp's `use_more_bits`: the layers Q4_K_M gives Q6_K attn_v and ffn_down. */
function useMoreBits(i: number, n: number): boolean {
  return i < Math.floor(n / 8) || i >= Math.floor((7 * n) / 8) || (i - Math.floor(n / 8)) % 3 === 2;
}

/** The type llama.cpp's quantize picks for a tensor of this file type. */
export function tensorType(ftype: BenchFileType, name: string, layer: number): number {
  if (ftype === 'F16') return GGMLType.F16;
  if (ftype === 'Q8_0') return GGMLType.Q8_0;
  if (name === 'output.weight') return GGMLType.Q6_K;
  if (ftype === 'Q4_0') return GGMLType.Q4_0;
  if ((name.endsWith('attn_v.weight') || name.endsWith('ffn_down.weight')) && useMoreBits(layer, TINYLLAMA.layers)) return GGMLType.Q6_K;
  return GGMLType.Q4_K;
}

/** Deterministic Gaussian numbers (xorshift + Box-Muller). */
function gaussian(seed: number): () => number {
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

const POOL_ROWS = 97;

/** POOL_ROWS quantized random rows of `cols` values of `type`, concatenated. */
function rowPool(type: number, cols: number, seed: number): Uint8Array {
  const rnd = gaussian(seed);
  const src = new Float32Array(POOL_ROWS * cols);
  for (let i = 0; i < src.length; i++) src[i] = 0.02 * rnd();
  if (type === GGMLType.F16) return new Uint8Array(f32ArrayToF16(src).buffer);
  const out = new Uint8Array(POOL_ROWS * rowBytes(type, cols));
  getCodec(type).quantize(src, out, POOL_ROWS, cols);
  return out;
}

/** The bytes of a rows x cols tensor of `type`, produced in chunks of whole rows. */
function* tensorChunks(pool: Uint8Array, type: number, cols: number, rows: number, offset: number): Generator<Uint8Array> {
  const rb = rowBytes(type, cols);
  const perChunk = Math.max(1, Math.floor((8 << 20) / rb));
  for (let r0 = 0; r0 < rows; r0 += perChunk) {
    const n = Math.min(perChunk, rows - r0);
    const chunk = new Uint8Array(n * rb);
    for (let i = 0; i < n; i++) {
      const p = (r0 + i + offset) % POOL_ROWS;
      chunk.set(pool.subarray(p * rb, (p + 1) * rb), i * rb);
    }
    yield chunk;
  }
}

/** tl-spm's tokenizer metadata with the token arrays padded to `vocab` entries. */
async function paddedTokenizer(vocab: number): Promise<GGUFMetadataEntry[]> {
  if (!fs.existsSync(tokenizerSource)) {
    throw new Error(`the bench models take their tokenizer from ${tokenizerSource}, which is absent`);
  }
  const f = await openGGUFFile(tokenizerSource);
  try {
    const out: GGUFMetadataEntry[] = [];
    for (const e of f.metadata) {
      if (!e.key.startsWith('tokenizer.') || e.key === 'tokenizer.chat_template') continue;
      const a = e.value as GGUFArray;
      if (e.key === 'tokenizer.ggml.tokens') {
        const tokens = [...(a.values as Iterable<string>)];
        for (let i = tokens.length; i < vocab; i++) tokens.push(`<unused${i}>`);
        out.push({ key: e.key, type: e.type, value: { itemType: GGUFValueType.STRING, values: tokens } });
      } else if (e.key === 'tokenizer.ggml.scores') {
        const scores = new Float32Array(vocab).fill(-1e9);
        scores.set(a.values as Float32Array);
        out.push({ key: e.key, type: e.type, value: { itemType: GGUFValueType.FLOAT32, values: scores } });
      } else if (e.key === 'tokenizer.ggml.token_type') {
        const types = new Int32Array(vocab).fill(5); // unused
        types.set(a.values as Int32Array);
        out.push({ key: e.key, type: e.type, value: { itemType: GGUFValueType.INT32, values: types } });
      } else {
        out.push(e);
      }
    }
    return out;
  } finally {
    await f.close();
  }
}

const u32 = (key: string, value: number): GGUFMetadataEntry => ({ key, type: GGUFValueType.UINT32, value });
const f32 = (key: string, value: number): GGUFMetadataEntry => ({ key, type: GGUFValueType.FLOAT32, value });
const str = (key: string, value: string): GGUFMetadataEntry => ({ key, type: GGUFValueType.STRING, value });

/** Writes (once) and returns the path of the TinyLlama-shaped bench model of `ftype`. */
export async function benchModel(ftype: BenchFileType, log: (s: string) => void = () => {}): Promise<string> {
  const file = path.join(cacheDir, `tinyllama-shaped-random-${ftype}.gguf`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(cacheDir, { recursive: true });
  log(`writing ${path.relative(repoRoot, file)} (random weights, once)...`);
  const { dim, layers, ffn, heads, kvHeads, vocab, context } = TINYLLAMA;
  const metadata: GGUFMetadataEntry[] = [
    str('general.architecture', 'llama'),
    str('general.name', `TinyLlama-1.1B-shaped random ${ftype}`),
    u32('general.file_type', FILE_TYPE_ID[ftype]),
    u32('llama.context_length', context),
    u32('llama.embedding_length', dim),
    u32('llama.block_count', layers),
    u32('llama.feed_forward_length', ffn),
    u32('llama.rope.dimension_count', dim / heads),
    u32('llama.attention.head_count', heads),
    u32('llama.attention.head_count_kv', kvHeads),
    f32('llama.attention.layer_norm_rms_epsilon', 1e-5),
    f32('llama.rope.freq_base', 10000),
    u32('llama.vocab_size', vocab),
    ...(await paddedTokenizer(vocab)),
    u32('general.quantization_version', 2),
  ];
  const pools = new Map<string, Uint8Array>();
  const poolFor = (type: number, cols: number) => {
    const k = `${type}/${cols}`;
    let p = pools.get(k);
    if (!p) { p = rowPool(type, cols, pools.size + 1); pools.set(k, p); }
    return p;
  };
  let seq = 0;
  const matrix = (name: string, cols: number, rows: number, layer = -1): TensorToWrite => {
    const type = tensorType(ftype, name, layer);
    const offset = (seq++ * 31) % POOL_ROWS;
    return { name, ne: [cols, rows], type, data: () => tensorChunks(poolFor(type, cols), type, cols, rows, offset) };
  };
  const ones = (name: string): TensorToWrite => ({ name, ne: [dim], type: GGMLType.F32, data: new Float32Array(dim).fill(1) });
  const tensors: TensorToWrite[] = [matrix('token_embd.weight', dim, vocab), ones('output_norm.weight'), matrix('output.weight', dim, vocab)];
  const kvDim = (dim / heads) * kvHeads;
  for (let i = 0; i < layers; i++) {
    const b = `blk.${i}.`;
    tensors.push(
      ones(`${b}attn_norm.weight`),
      matrix(`${b}attn_q.weight`, dim, dim, i),
      matrix(`${b}attn_k.weight`, dim, kvDim, i),
      matrix(`${b}attn_v.weight`, dim, kvDim, i),
      matrix(`${b}attn_output.weight`, dim, dim, i),
      ones(`${b}ffn_norm.weight`),
      matrix(`${b}ffn_gate.weight`, dim, ffn, i),
      matrix(`${b}ffn_up.weight`, dim, ffn, i),
      matrix(`${b}ffn_down.weight`, ffn, dim, i),
    );
  }
  await writeGGUFFile(file, { metadata }, tensors);
  return file;
}

// `tsx packages/engine/bench/make-model.ts [Q4_0|Q4_K_M|Q8_0 ...]` writes the files up front.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const types = (process.argv.slice(2).length ? process.argv.slice(2) : ['Q4_0', 'Q4_K_M', 'Q8_0']) as BenchFileType[];
  for (const t of types) console.log(await benchModel(t, console.log));
}
