/**
 * Tensor loading: every weight is copied once into the engine's WebAssembly memory.
 * Matrices stay quantized, in their GGUF format or (Q4_K, Q4_0) rearranged in place into
 * the layout the kernels read; small vectors (norms, biases) become f32.
 */
import { GGMLType, ggmlTypeName, requireGGMLType, rowBytes as rowBytesOf, tensorBytes } from '@ggufkit/tensor-layout';
import type { GGUFTensorInfo } from '@ggufkit/gguf';
import type { EngineMemory } from '../wasm/memory.js';
import type { HParams } from './hparams.js';
import type { ModelFile } from './model-file.js';

/** Weight types the kernels multiply directly. */
export const MATMUL_TYPES: ReadonlySet<number> = new Set([
  GGMLType.F32, GGMLType.F16, GGMLType.BF16,
  GGMLType.Q4_0, GGMLType.Q4_1, GGMLType.Q5_0, GGMLType.Q5_1, GGMLType.Q8_0, GGMLType.IQ4_NL,
  GGMLType.Q2_K, GGMLType.Q3_K, GGMLType.Q4_K, GGMLType.Q5_K, GGMLType.Q6_K,
]);

/** A matrix in wasm memory: `rows` rows of `cols` values (`cols` = GGUF ne[0]). */
export interface Matrix {
  readonly name: string;
  readonly type: number;
  readonly ptr: number;
  readonly cols: number;
  readonly rows: number;
  readonly rowBytes: number;
}

export interface LayerWeights {
  readonly attnNorm: number;
  readonly wq: Matrix;
  readonly wk: Matrix;
  readonly wv: Matrix;
  readonly wo: Matrix;
  readonly bq: number;
  readonly bk: number;
  readonly bv: number;
  /** Per-head RMS norm weights of Q and K (headDim values), or 0. */
  readonly attnQNorm: number;
  readonly attnKNorm: number;
  readonly postAttnNorm: number;
  readonly ffnNorm: number;
  readonly ffnGate: Matrix;
  readonly ffnUp: Matrix;
  readonly ffnDown: Matrix;
  readonly postFfnNorm: number;
}

export interface ModelWeights {
  readonly tokenEmbd: Matrix;
  readonly outputNorm: number;
  /** The output projection (token_embd when the embeddings are tied). */
  readonly output: Matrix;
  /** RoPE frequency divisors (`rope_freqs.weight`), or 0. */
  readonly ropeFreqs: number;
  readonly layers: readonly LayerWeights[];
}

/** Rows [r0, r0 + rows) of a matrix, as a matrix (fused tensors are split this way). */
export function rowSlice(m: Matrix, r0: number, rows: number, name = m.name): Matrix {
  if (r0 < 0 || rows < 0 || r0 + rows > m.rows) throw new RangeError(`${m.name}: rows ${r0}..${r0 + rows} are outside its ${m.rows} rows`);
  return { name, type: m.type, ptr: m.ptr + r0 * m.rowBytes, cols: m.cols, rows, rowBytes: m.rowBytes };
}

/** LongRoPE frequency factors, which the engine does not apply (it refuses such files). */
const LONGROPE_TENSORS = ['rope_factors_long.weight', 'rope_factors_short.weight'];

/** The tensors a model of these hyperparameters reads, with the shapes it expects. */
export function plannedTensors(hp: HParams, file: ModelFile, fileName: string): Map<string, GGUFTensorInfo> {
  const byName = new Map(file.tensors.map((t) => [t.name, t]));
  const out = new Map<string, GGUFTensorInfo>();
  const need = (name: string, ne: number[], optional = false): void => {
    const t = byName.get(name);
    if (!t) {
      if (optional) return;
      throw new TypeError(`${fileName}: tensor ${name} is missing`);
    }
    const same = t.ne.length >= ne.length && ne.every((d, i) => t.ne[i] === d) && t.ne.slice(ne.length).every((d) => d === 1);
    if (!same) throw new TypeError(`${fileName}: tensor ${name} has shape [${t.ne.join(', ')}], expected [${ne.join(', ')}]`);
    out.set(name, t);
  };
  const qDim = hp.nHeads * hp.headDim;
  const kvDim = hp.nKvHeads * hp.headDim;
  const vocab = byName.get('token_embd.weight')?.ne[1] ?? hp.vocabSize;
  need('token_embd.weight', [hp.dim, vocab]);
  need('output_norm.weight', [hp.dim]);
  need('output.weight', [hp.dim, vocab], true);
  need('rope_freqs.weight', [hp.nRot / 2], true);
  for (const name of LONGROPE_TENSORS) {
    if (byName.has(name) || byName.has(`blk.0.${name}`)) {
      throw new TypeError(`${fileName}: tensor ${byName.has(name) ? name : `blk.0.${name}`} holds LongRoPE frequency factors, which the engine does not support yet`);
    }
  }
  for (let i = 0; i < hp.nLayers; i++) {
    const b = `blk.${i}.`;
    need(`${b}attn_norm.weight`, [hp.dim]);
    // phi3 files hold Q, K and V as one matrix (llama.cpp also accepts them separate)
    if (hp.arch === 'phi3' && byName.has(`${b}attn_qkv.weight`)) {
      need(`${b}attn_qkv.weight`, [hp.dim, qDim + 2 * kvDim]);
    } else {
      need(`${b}attn_q.weight`, [hp.dim, qDim]);
      need(`${b}attn_k.weight`, [hp.dim, kvDim]);
      need(`${b}attn_v.weight`, [hp.dim, kvDim]);
    }
    need(`${b}attn_output.weight`, [qDim, hp.dim]);
    need(`${b}attn_q.bias`, [qDim], hp.arch !== 'qwen2');
    need(`${b}attn_k.bias`, [kvDim], hp.arch !== 'qwen2');
    need(`${b}attn_v.bias`, [kvDim], hp.arch !== 'qwen2');
    if (hp.qkNorm) {
      need(`${b}attn_q_norm.weight`, [hp.headDim]);
      need(`${b}attn_k_norm.weight`, [hp.headDim]);
    }
    need(`${b}ffn_norm.weight`, [hp.dim]);
    if (hp.fusedGateUp) {
      need(`${b}ffn_up.weight`, [hp.dim, 2 * hp.ffnDim]);
    } else {
      need(`${b}ffn_gate.weight`, [hp.dim, hp.ffnDim]);
      need(`${b}ffn_up.weight`, [hp.dim, hp.ffnDim]);
    }
    need(`${b}ffn_down.weight`, [hp.ffnDim, hp.dim]);
    if (hp.postNorms) {
      need(`${b}post_attention_norm.weight`, [hp.dim]);
      need(`${b}post_ffw_norm.weight`, [hp.dim]);
    }
  }
  for (const [name, t] of out) {
    if (t.ne.length >= 2 && t.ne[1]! > 1 && !MATMUL_TYPES.has(t.type)) {
      throw new TypeError(`${fileName}: tensor ${name} has type ${ggmlTypeName(t.type)}, which the engine cannot multiply yet`);
    }
  }
  return out;
}

/**
 * Bytes a matrix takes in wasm memory: the kernels keep Q4_K in a packed layout of 152
 * bytes per 256 values (assembly/packed.ts; GGUF's takes 144).
 */
export function loadedMatrixBytes(type: number, ne: readonly number[]): number {
  const bytes = tensorBytes(type, ne);
  return type === GGMLType.Q4_K ? (bytes / 144) * 152 : bytes;
}

/** Bytes of wasm memory the planned tensors take once loaded. */
export function plannedBytes(tensors: Map<string, GGUFTensorInfo>): number {
  let n = 0;
  for (const t of tensors.values()) {
    const isVector = t.ne.length === 1 || t.ne.slice(1).every((d) => d === 1);
    n += (isVector ? t.ne[0]! * 4 : loadedMatrixBytes(t.type, t.ne)) + 64;
  }
  return n;
}

const CHUNK = 16 * 1024 * 1024;

async function copyTensor(file: ModelFile, t: GGUFTensorInfo, mem: EngineMemory, ptr: number): Promise<void> {
  if (!file.readTensorRange || t.byteLength <= CHUNK) {
    const bytes = await file.readTensorData(t);
    mem.u8(ptr, bytes.length).set(bytes);
    return;
  }
  for (let start = 0; start < t.byteLength; start += CHUNK) {
    const end = Math.min(t.byteLength, start + CHUNK);
    const bytes = await file.readTensorRange(t, start, end);
    mem.u8(ptr + start, bytes.length).set(bytes);
  }
}

/** Loads every planned tensor into wasm memory. */
export async function loadWeights(
  hp: HParams, file: ModelFile, tensors: Map<string, GGUFTensorInfo>, mem: EngineMemory,
  onProgress?: (loaded: number, total: number) => void,
): Promise<ModelWeights> {
  const total = tensors.size;
  let loaded = 0;
  const scratchFor = new Map<number, number>();
  let rowScratchPtr = 0, rowScratchBytes = 0;
  const rowScratch = (bytes: number): number => {
    if (bytes > rowScratchBytes) {
      rowScratchPtr = mem.alloc(bytes);
      rowScratchBytes = bytes;
    }
    return rowScratchPtr;
  };
  const decodeScratch = (n: number): number => {
    let p = scratchFor.get(n);
    if (p === undefined) {
      p = mem.alloc(mem.kernels.decodedBytes(n));
      scratchFor.set(n, p);
    }
    return p;
  };

  const matrix = async (name: string): Promise<Matrix> => {
    const t = tensors.get(name)!;
    const k = mem.kernels;
    const cols = t.ne[0]!;
    const rb = rowBytesOf(t.type, cols);
    const rows = t.byteLength / rb;
    const type = k.packedType(t.type);
    const rowBytes = type === t.type ? rb : k.packedRowBytes(t.type, cols);
    const ptr = mem.alloc(rowBytes * rows);
    // the GGUF bytes go to the end of the region; a packed type is rearranged there in place
    const src = ptr + rowBytes * rows - t.byteLength;
    await copyTensor(file, t, mem, src);
    if (type !== t.type) k.packRows(t.type, src, rb, cols, rows, ptr, rowScratch(rb));
    onProgress?.(++loaded, total);
    return { name, type, ptr, cols, rows, rowBytes };
  };
  const vector = async (name: string): Promise<number> => {
    const t = tensors.get(name);
    if (!t) return 0;
    const n = t.ne[0]!;
    const out = mem.alloc(n * 4);
    if (t.type === GGMLType.F32) {
      await copyTensor(file, t, mem, out);
    } else {
      requireGGMLType(t.type);
      const raw = mem.alloc(t.byteLength);
      await copyTensor(file, t, mem, raw);
      mem.kernels.dequantizeRows(t.type, raw, t.byteLength, n, 1, out, decodeScratch(n));
    }
    onProgress?.(++loaded, total);
    return out;
  };

  const tokenEmbd = await matrix('token_embd.weight');
  const outputNorm = await vector('output_norm.weight');
  const output = tensors.has('output.weight') ? await matrix('output.weight') : tokenEmbd;
  const ropeFreqs = await vector('rope_freqs.weight');
  const qDim = hp.nHeads * hp.headDim;
  const kvDim = hp.nKvHeads * hp.headDim;
  const layers: LayerWeights[] = [];
  for (let i = 0; i < hp.nLayers; i++) {
    const b = `blk.${i}.`;
    const attnNorm = await vector(`${b}attn_norm.weight`);
    let wq: Matrix, wk: Matrix, wv: Matrix;
    if (tensors.has(`${b}attn_qkv.weight`)) {
      // the fused matrix's rows are Q's, then K's, then V's: each part is a row range
      const qkv = await matrix(`${b}attn_qkv.weight`);
      wq = rowSlice(qkv, 0, qDim);
      wk = rowSlice(qkv, qDim, kvDim);
      wv = rowSlice(qkv, qDim + kvDim, kvDim);
    } else {
      wq = await matrix(`${b}attn_q.weight`);
      wk = await matrix(`${b}attn_k.weight`);
      wv = await matrix(`${b}attn_v.weight`);
    }
    const wo = await matrix(`${b}attn_output.weight`);
    const bq = await vector(`${b}attn_q.bias`);
    const bk = await vector(`${b}attn_k.bias`);
    const bv = await vector(`${b}attn_v.bias`);
    const attnQNorm = await vector(`${b}attn_q_norm.weight`);
    const attnKNorm = await vector(`${b}attn_k_norm.weight`);
    const postAttnNorm = await vector(`${b}post_attention_norm.weight`);
    const ffnNorm = await vector(`${b}ffn_norm.weight`);
    let ffnGate: Matrix, ffnUp: Matrix;
    if (hp.fusedGateUp) {
      // gate rows first, then up rows: the halves llama.cpp's swiglu splits the product into
      const gateUp = await matrix(`${b}ffn_up.weight`);
      ffnGate = rowSlice(gateUp, 0, hp.ffnDim);
      ffnUp = rowSlice(gateUp, hp.ffnDim, hp.ffnDim);
    } else {
      ffnGate = await matrix(`${b}ffn_gate.weight`);
      ffnUp = await matrix(`${b}ffn_up.weight`);
    }
    const ffnDown = await matrix(`${b}ffn_down.weight`);
    const postFfnNorm = await vector(`${b}post_ffw_norm.weight`);
    layers.push({
      attnNorm, wq, wk, wv, wo, bq, bk, bv, attnQNorm, attnKNorm, postAttnNorm,
      ffnNorm, ffnGate, ffnUp, ffnDown, postFfnNorm,
    });
  }
  return { tokenEmbd, outputNorm, output, ropeFreqs, layers };
}
