/**
 * The forward pass, top to bottom: embeddings, then per layer RMS norm, Q/K/V projections,
 * optional per-head Q/K norms, RoPE, attention over the f16 KV cache, output projection and
 * residual, RMS norm, gated FFN and residual; finally the output norm and the vocabulary
 * projection. It computes what llama.cpp's CPU backend computes for llama, qwen2, qwen3, phi3,
 * gemma2 and gemma3 graphs; the arithmetic lives in the WebAssembly kernels, this file only
 * sequences them over buffers allocated once.
 */
import { f16ToF32, f32ToF16 } from '@ggufkit/tensor-layout';
import { ACT_KINDS, JobOp, type EngineKernels } from '../wasm/kernels.js';
import type { EngineMemory } from '../wasm/memory.js';
import type { ThreadPool } from '../wasm/threads.js';
import type { HParams } from './hparams.js';
import type { Matrix, ModelWeights } from './weights.js';

export interface TransformerOptions {
  /** KV cache length in tokens. */
  contextLength: number;
  /** Tokens processed per forward step (prompt batches are split into steps of this size). */
  batchSize: number;
}

/**
 * Bytes of wasm memory the KV cache and work buffers take (besides the weights), for a model
 * whose matrices come in `matrixTypes` weight types (one activation buffer per type at most).
 */
export function stateBytes(hp: HParams, vocab: number, opts: TransformerOptions, matrixTypes: number): number {
  const B = opts.batchSize;
  const qDim = hp.nHeads * hp.headDim;
  const kvDim = hp.nKvHeads * hp.headDim;
  const widest = Math.max(hp.dim, qDim, hp.ffnDim);
  const kv = hp.nLayers * opts.contextLength * kvDim * 2 * 2;
  // two RoPE tables: one per base (gemma3's local layers have their own)
  const bufs = 4 * B * (2 * hp.dim + 2 * qDim + 2 * kvDim + 2 * hp.ffnDim + vocab) + 2 * 4 * B * hp.nRot;
  const acts = Math.min(matrixTypes, ACT_KINDS) * B * (widest * 4 + 64);
  const scratch = 8 * (widest + 1024) + 4 * (hp.headDim + opts.contextLength) + 65536 * 2;
  return kv + bufs + acts + scratch + 64 * 32;
}

/** Keys per block of the attention kernel: `attentionKeyBlock()` of the wasm module (tested). */
export const ATTENTION_KEY_BLOCK = 32;

/**
 * Bytes of scratch one compute thread needs: a decoded weight row, or the attention of one
 * query row for the heads of one KV head (their queries, maxima and scores, and a block of
 * widened K or V rows with its probabilities: assembly/ops.ts attentionHeads).
 */
export function threadScratchBytes(hp: HParams, contextLength: number): number {
  const widest = roundUp(Math.max(hp.dim, hp.nHeads * hp.headDim, hp.ffnDim), 256);
  const group = hp.nHeads / hp.nKvHeads;
  const attention = 4 * (group * (hp.headDim + contextLength + 1) + ATTENTION_KEY_BLOCK * (hp.headDim + 1));
  return roundUp(Math.max(4 * widest + 256, attention + 64), 64);
}

/** Most matrices one matmul job multiplies (they share the job's chunks). */
const MAX_TASKS = 8;
/** Job descriptor layout (see assembly/jobs.ts), in Int32 words. */
const JOB_WORDS = 8 + 12 * MAX_TASKS;
/** Multiply-adds a chunk of a decoding matmul job should hold (enough to amortize claiming it). */
const CHUNK_WORK = 1 << 16;
/** Weight rows per chunk of a batch matmul job. */
const BATCH_CHUNK_ROWS = 16;

interface MatmulTask {
  readonly m: Matrix;
  readonly act: number;
  readonly actStride: number;
  readonly out: number;
}

export class Transformer {
  readonly hp: HParams;
  readonly vocab: number;
  readonly contextLength: number;
  readonly batchSize: number;
  private readonly k: EngineKernels;
  private readonly mem: EngineMemory;
  private readonly w: ModelWeights;

  // per-step buffers (batchSize rows each)
  private readonly x: number;      // residual stream
  private readonly xb: number;     // normed input of a block
  private readonly xb2: number;    // block output before the residual add
  private readonly q: number;
  private readonly kb: number;
  private readonly vb: number;
  private readonly att: number;
  private readonly hb: number;
  private readonly hb2: number;
  private readonly logitsBuf: number;
  /** cos/sin table of the current step, and of the sliding-window layers when their RoPE differs. */
  private readonly ropeCS: number;
  private readonly ropeCSSwa: number;
  private readonly acts: number[] = [];
  private readonly decodeScratch: number;
  private readonly geluTable: number;
  private readonly kCache: number[] = [];
  private readonly vCache: number[] = [];
  private readonly pool: ThreadPool;
  private readonly job: number;
  private jobI32: Int32Array;
  private jobF32: Float32Array;

  constructor(mem: EngineMemory, hp: HParams, w: ModelWeights, opts: TransformerOptions, pool: ThreadPool) {
    this.mem = mem;
    this.pool = pool;
    this.job = mem.alloc(JOB_WORDS * 4, 64);
    this.jobI32 = new Int32Array(mem.memory.buffer, this.job, JOB_WORDS);
    this.jobF32 = new Float32Array(mem.memory.buffer, this.job, JOB_WORDS);
    this.k = mem.kernels;
    this.hp = hp;
    this.w = w;
    this.vocab = w.output.rows;
    this.contextLength = opts.contextLength;
    this.batchSize = opts.batchSize;
    const B = opts.batchSize;
    const qDim = hp.nHeads * hp.headDim;
    const kvDim = hp.nKvHeads * hp.headDim;
    const f32 = (n: number) => mem.alloc(n * 4);
    this.x = f32(B * hp.dim);
    this.xb = f32(B * Math.max(hp.dim, qDim));
    this.xb2 = f32(B * hp.dim);
    this.q = f32(B * qDim);
    this.kb = f32(B * kvDim);
    this.vb = f32(B * kvDim);
    this.att = f32(B * qDim);
    this.hb = f32(B * hp.ffnDim);
    this.hb2 = f32(B * hp.ffnDim);
    this.logitsBuf = f32(B * this.vocab);
    this.ropeCS = f32(B * hp.nRot);
    this.ropeCSSwa = hasOwnSwaRope(hp) ? f32(B * hp.nRot) : this.ropeCS;
    const widest = Math.max(hp.dim, qDim, hp.ffnDim);
    // one buffer per activation layout the model's matrices take
    const matrices = [w.output, ...w.layers.flatMap((L) => [L.wq, L.wk, L.wv, L.wo, L.ffnGate, L.ffnUp, L.ffnDown])];
    for (const kind of new Set(matrices.map((m) => this.k.activationKind(m.type)))) {
      this.acts[kind] = mem.alloc(B * this.k.actRowBytes(kind, roundUp(widest, 256)));
    }
    this.decodeScratch = mem.alloc(this.k.decodedBytes(roundUp(widest, 256)));
    this.geluTable = hp.ffnActivation === 'gelu' ? this.buildGeluTable() : 0;
    for (let l = 0; l < hp.nLayers; l++) {
      this.kCache.push(mem.alloc(opts.contextLength * kvDim * 2));
      this.vCache.push(mem.alloc(opts.contextLength * kvDim * 2));
    }
  }

  /**
   * Runs `tokens` at positions pos0, pos0+1, ... through the model, writing their K/V into
   * the cache. Calls `onLogits(row, logits)` for each row of `tokens` whose logits are
   * wanted (`all`: every row from `fromRow` on; `last`: the last one only); the array is
   * only valid during the call.
   */
  forward(
    tokens: ArrayLike<number>, pos0: number, want: 'all' | 'last' | 'none',
    onLogits?: (row: number, logits: Float32Array) => void, fromRow = 0,
  ): void {
    if (pos0 + tokens.length > this.contextLength) {
      throw new RangeError(`context overflow: ${pos0 + tokens.length} tokens exceed the context length ${this.contextLength}`);
    }
    for (let start = 0; start < tokens.length; start += this.batchSize) {
      const n = Math.min(this.batchSize, tokens.length - start);
      const isLast = start + n === tokens.length;
      // logits are computed for the last `rows` rows of the step
      const rows = want === 'all' ? Math.min(n, Math.max(0, start + n - fromRow)) : want === 'last' && isLast ? 1 : 0;
      this.step(tokens, start, n, pos0 + start, rows);
      for (let r = 0; r < rows; r++) {
        onLogits?.(start + n - rows + r, this.mem.f32(this.logitsBuf + r * this.vocab * 4, this.vocab));
      }
    }
  }

  /** Threads computing each step. */
  get threads(): number {
    return this.pool.threads;
  }

  /** Stops the worker threads; the transformer cannot run afterwards. */
  dispose(): void {
    this.pool.close();
  }

  /** One batch of n tokens; logits for the last `logitRows` of them land in logitsBuf. */
  private step(tokens: ArrayLike<number>, offset: number, n: number, pos0: number, logitRows: number): void {
    const { hp, w, k } = this;
    const dim = hp.dim;
    const qDim = hp.nHeads * hp.headDim;
    const kvDim = hp.nKvHeads * hp.headDim;
    const eps = hp.rmsEps;

    // token embeddings (rows dequantized exactly as ggml's get_rows does)
    const emb = w.tokenEmbd;
    for (let i = 0; i < n; i++) {
      const tok = tokens[offset + i]!;
      if (!(tok >= 0 && tok < emb.rows)) throw new RangeError(`token id ${tok} is outside the vocabulary (0..${emb.rows - 1})`);
      k.dequantizeRows(emb.type, emb.ptr + tok * emb.rowBytes, emb.rowBytes, dim, 1, this.x + i * dim * 4, this.decodeScratch);
    }
    if (hp.embedScale !== 1) k.scale(this.x, n * dim, hp.embedScale);

    this.fillRope(pos0, n, this.ropeCS, hp.ropeBase, hp.ropeFreqScale);
    if (this.ropeCSSwa !== this.ropeCS) this.fillRope(pos0, n, this.ropeCSSwa, hp.ropeBaseSwa, hp.ropeFreqScaleSwa);

    for (let l = 0; l < hp.nLayers; l++) {
      const L = w.layers[l]!;

      // attention block
      k.rmsNorm(this.x, L.attnNorm, dim, n, eps, this.xb);
      this.matmuls([[L.wq, this.q], [L.wk, this.kb], [L.wv, this.vb]], this.xb, n);
      if (L.bq) k.addRows(this.q, L.bq, qDim, n);
      if (L.bk) k.addRows(this.kb, L.bk, kvDim, n);
      if (L.bv) k.addRows(this.vb, L.bv, kvDim, n);
      // qwen3/gemma3: each head of Q and K RMS-normed on its own, before RoPE
      if (L.attnQNorm) k.rmsNorm(this.q, L.attnQNorm, hp.headDim, n * hp.nHeads, eps, this.q);
      if (L.attnKNorm) k.rmsNorm(this.kb, L.attnKNorm, hp.headDim, n * hp.nKvHeads, eps, this.kb);
      const cs = hp.isSlidingLayer(l) ? this.ropeCSSwa : this.ropeCS;
      k.rope(this.q, n, hp.nHeads, hp.headDim, hp.nRot, cs, hp.ropeNeox ? 1 : 0);
      k.rope(this.kb, n, hp.nKvHeads, hp.headDim, hp.nRot, cs, hp.ropeNeox ? 1 : 0);
      if (hp.queryScale !== 1) k.scale(this.q, n * qDim, hp.queryScale);
      k.toF16(this.kb, n * kvDim, this.kCache[l]! + pos0 * kvDim * 2);
      k.toF16(this.vb, n * kvDim, this.vCache[l]! + pos0 * kvDim * 2);
      this.attention(n, pos0, l);
      this.matmuls([[L.wo, this.xb2]], this.att, n);
      if (hp.postNorms) k.rmsNorm(this.xb2, L.postAttnNorm, dim, n, eps, this.xb2);
      k.add(this.xb2, this.x, n * dim, this.x);

      // feed-forward block
      k.rmsNorm(this.x, L.ffnNorm, dim, n, eps, this.xb);
      this.matmuls([[L.ffnGate, this.hb], [L.ffnUp, this.hb2]], this.xb, n);
      if (hp.ffnActivation === 'gelu') k.geglu(this.hb, this.hb2, n * hp.ffnDim, this.hb, this.geluTable);
      else k.swiglu(this.hb, this.hb2, n * hp.ffnDim, this.hb);
      this.matmuls([[L.ffnDown, this.xb2]], this.hb, n);
      if (hp.postNorms) k.rmsNorm(this.xb2, L.postFfnNorm, dim, n, eps, this.xb2);
      k.add(this.xb2, this.x, n * dim, this.x);
    }

    if (logitRows === 0) return;
    const first = n - logitRows;
    k.rmsNorm(this.x + first * dim * 4, w.outputNorm, dim, logitRows, eps, this.xb);
    this.matmuls([[w.output, this.logitsBuf]], this.xb, logitRows);
    if (hp.finalSoftcap > 0) k.softcap(this.logitsBuf, logitRows * this.vocab, hp.finalSoftcap);
  }

  /**
   * For each (matrix, out) pair: out (nTok rows of m.rows) = input (nTok rows of m.cols)
   * times m^T, as one job over all the threads. The input is converted once to each
   * activation layout the matrices' types need.
   */
  private matmuls(pairs: ReadonlyArray<readonly [Matrix, number]>, input: number, nTok: number): void {
    const tasks: MatmulTask[] = [];
    const converted = new Set<number>();
    for (const [m, out] of pairs) {
      const kind = this.k.activationKind(m.type);
      const act = this.acts[kind]!;
      if (!converted.has(kind)) {
        this.k.convertActivations(kind, input, m.cols, nTok, act);
        converted.add(kind);
      }
      tasks.push({ m, act, actStride: this.k.actRowBytes(kind, m.cols), out });
    }
    this.runMatmulJob(tasks, nTok);
  }

  /** Views of the job descriptor (renewed if a growing unshared memory detached them). */
  private jobWords(): Int32Array {
    if (this.jobI32.buffer !== this.mem.memory.buffer) {
      this.jobI32 = new Int32Array(this.mem.memory.buffer, this.job, JOB_WORDS);
      this.jobF32 = new Float32Array(this.mem.memory.buffer, this.job, JOB_WORDS);
    }
    return this.jobI32;
  }

  private runMatmulJob(tasks: readonly MatmulTask[], nTok: number): void {
    const J = this.jobWords();
    J[0] = JobOp.Matmul;
    J[1] = 0;
    J[4] = tasks.length;
    J[5] = nTok;
    let chunks = 0;
    tasks.forEach((t, i) => {
      const m = t.m;
      // decoding: enough rows to amortize claiming a chunk; batches: a few rows that stay in
      // cache while the kernel walks the batch's activations in tiles
      const chunkRows = nTok === 1 ? Math.max(1, Math.min(m.rows, Math.floor(CHUNK_WORK / m.cols))) : Math.min(m.rows, BATCH_CHUNK_ROWS);
      const o = 8 + 12 * i;
      J[o] = m.type; J[o + 1] = m.ptr; J[o + 2] = m.rowBytes; J[o + 3] = m.cols; J[o + 4] = m.rows;
      J[o + 5] = t.act; J[o + 6] = t.actStride; J[o + 7] = t.out; J[o + 8] = m.rows;
      J[o + 9] = chunks; J[o + 10] = chunkRows;
      chunks += Math.ceil(m.rows / chunkRows);
    });
    J[2] = chunks;
    this.pool.run(this.job);
  }

  /**
   * Attention of layer l for n query rows at pos0.., one chunk per row and run of heads
   * sharing a KV head: the whole group when that leaves at least two chunks per thread
   * (each K and V row is then widened from f16 once for the group), else fewer heads.
   */
  private attention(n: number, pos0: number, l: number): void {
    const { hp } = this;
    const group = hp.nHeads / hp.nKvHeads;
    let perChunk = group;
    while (perChunk > 1 && (group % perChunk !== 0 || n * (hp.nHeads / perChunk) < 2 * this.pool.threads)) perChunk--;
    const J = this.jobWords();
    J[0] = JobOp.Attention;
    J[1] = 0;
    J[2] = n * (hp.nHeads / perChunk);
    J[4] = this.q; J[5] = n; J[6] = pos0; J[7] = this.kCache[l]!; J[8] = this.vCache[l]!;
    J[9] = hp.nHeads; J[10] = hp.nKvHeads; J[11] = hp.headDim;
    this.jobF32[12] = hp.kqScale;
    this.jobF32[13] = hp.attnSoftcap;
    J[14] = hp.isSlidingLayer(l) ? hp.slidingWindow : 0;
    J[15] = this.att;
    J[16] = perChunk;
    this.pool.run(this.job);
  }

  /**
   * cos/sin per token and rotated pair for RoPE of base `base` and position multiplier
   * `freqScale`, computed as ggml's rope cache (f32 theta steps), into the table at `table`.
   */
  private fillRope(pos0: number, n: number, table: number, base: number, freqScale: number): void {
    const { hp } = this;
    const half = hp.nRot / 2;
    const cs = this.mem.f32(table, n * hp.nRot);
    const freqs = this.w.ropeFreqs ? this.mem.f32(this.w.ropeFreqs, half) : undefined;
    const thetaScale = Math.fround(Math.pow(Math.fround(base), Math.fround(-2 / hp.nRot)));
    for (let t = 0; t < n; t++) {
      let theta = Math.fround(pos0 + t);
      for (let i = 0; i < half; i++) {
        const ff = freqs ? freqs[i]! : 1;
        const th = Math.fround(freqScale * Math.fround(theta / ff));
        cs[t * hp.nRot + 2 * i] = Math.cos(th);
        cs[t * hp.nRot + 2 * i + 1] = Math.sin(th);
        theta = Math.fround(theta * thetaScale);
      }
    }
  }

  /** ggml's GELU table: for each f16 input, the f16 of the tanh-approximated GELU in f32. */
  private buildGeluTable(): number {
    const ptr = this.mem.alloc(65536 * 2);
    const table = new Uint16Array(this.mem.memory.buffer, ptr, 65536);
    const f = Math.fround;
    const s = f(0.79788456080286535587989211986876);
    const a = f(0.044715);
    for (let h = 0; h < 65536; h++) {
      const x = f16ToF32(h);
      const inner = f(f(s * x) * f(1 + f(f(a * x) * x)));
      table[h] = f32ToF16(f(f(0.5 * x) * f(1 + f(Math.tanh(inner)))));
    }
    return ptr;
  }
}

/** Whether the sliding-window layers rotate with a RoPE of their own (gemma3's local base). */
function hasOwnSwaRope(hp: HParams): boolean {
  return hp.slidingWindow > 0 && (hp.ropeBaseSwa !== hp.ropeBase || hp.ropeFreqScaleSwa !== hp.ropeFreqScale);
}

function roundUp(x: number, m: number): number {
  return Math.ceil(x / m) * m;
}
