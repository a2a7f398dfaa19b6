/**
 * A pool of quantization workers: a tensor's rows are cut into jobs of about a million
 * values, handed to whichever worker is free, and the blocks written back at their row
 * offsets, so the result is the same bytes a single thread produces.
 */
import { rowBytes } from '@ggufkit/tensor-layout';
import type { GGMLTypeInfo } from '@ggufkit/tensor-layout';
import { checkDequantizeArgs, checkQuantizeArgs } from '../kquants/rows.js';
import { getFastCodec } from '../fast/codecs.js';
import { compileQuantsModule, type QuantsWasmSource } from '../fast/module.js';
import { defaultThreadCount, defaultWorkerSpawner, type QuantWorkerPort, type QuantWorkerSpawner } from './spawn.js';

/** Options of `QuantPool.create`. */
export interface QuantPoolOptions {
  /** Number of workers (default: the cores available). */
  threads?: number;
  /** The quantizers' WebAssembly module or where to load it (default: the built `wasm/quants.wasm`). */
  wasm?: QuantsWasmSource;
  /** How to start a worker (default: `worker_threads` under Node, Web Workers elsewhere). */
  spawn?: QuantWorkerSpawner;
  /** Values per job (default 2^20); smaller jobs balance better, larger ones copy less often. */
  jobValues?: number;
}

interface Job {
  message: Record<string, unknown>;
  transfer: Transferable[];
  resolve(reply: any): void;
  reject(error: Error): void;
}

interface Slot {
  port: QuantWorkerPort;
  job: Job | null;
}

let nextId = 1;

/** Worker threads running the WebAssembly quantizers; reuse one pool for many tensors and `close()` it at the end. */
export class QuantPool {
  /** Number of workers. */
  readonly threads: number;
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private readonly jobValues: number;
  private failure: Error | null = null;
  private closed = false;

  private constructor(slots: Slot[], jobValues: number) {
    this.slots = slots;
    this.threads = slots.length;
    this.jobValues = jobValues;
    for (const slot of slots) {
      slot.port.onMessage((reply) => this.settle(slot, reply));
      slot.port.onError((err) => this.fail(err));
      slot.port.unref?.();
    }
  }

  /** Starts `threads` workers, each with its own instance of the quantizers' module. */
  static async create(options: QuantPoolOptions = {}): Promise<QuantPool> {
    const threads = options.threads ?? defaultThreadCount();
    if (!Number.isSafeInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
    const jobValues = options.jobValues ?? 1 << 20;
    if (!(jobValues >= 1)) throw new RangeError(`jobValues must be at least 1, got ${jobValues}`);
    const module = await compileQuantsModule(options.wasm);
    const spawn = options.spawn ?? defaultWorkerSpawner();
    const started = await Promise.allSettled(
      Array.from({ length: threads }, async () => {
        const port = await spawn();
        try {
          await new Promise<void>((resolve, reject) => {
            port.onMessage((m) => (m?.op === 'ready' ? resolve() : reject(new Error(m?.error ?? 'quantization worker failed to start'))));
            port.onError(reject);
            port.postMessage({ op: 'init', module });
          });
        } catch (err) {
          await port.terminate();
          throw err;
        }
        return port;
      }),
    );
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    const ports = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    if (failed) {
      // Do not leave the workers that did start running.
      await Promise.all(ports.map((p) => p.terminate()));
      throw failed.reason;
    }
    return new QuantPool(
      ports.map((port) => ({ port, job: null })),
      jobValues,
    );
  }

  private settle(slot: Slot, reply: any): void {
    if (reply?.op === 'ready') return;
    const job = slot.job;
    slot.job = null;
    if (job) {
      if (reply?.error) job.reject(new Error(reply.error));
      else job.resolve(reply);
    }
    this.dispatch();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const slot of this.slots) {
      slot.job?.reject(err);
      slot.job = null;
    }
    for (const job of this.queue.splice(0)) job.reject(err);
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.job || this.queue.length === 0) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.port.ref?.();
      slot.port.postMessage(job.message, job.transfer);
    }
    if (this.slots.every((s) => !s.job)) for (const s of this.slots) s.port.unref?.();
  }

  private run(message: Record<string, unknown>, transfer: Transferable[]): Promise<any> {
    if (this.closed) return Promise.reject(new Error('the quantization pool is closed'));
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ message: { ...message, id: nextId++ }, transfer, resolve, reject });
      this.dispatch();
    });
  }

  /** Rows per job: at most `jobValues` values, and at least four jobs per worker when the tensor allows it. */
  private rowsPerJob(nrows: number, ncols: number): number {
    const byValues = Math.floor(this.jobValues / Math.max(1, ncols));
    return Math.max(1, Math.min(byValues, Math.ceil(nrows / (4 * this.threads))));
  }

  /**
   * Quantizes `nrows` rows of `ncols` values to the ggml block type `type` (id or name),
   * with `imatrix` when the type takes one: the same bytes as `quantizeRows`.
   */
  async quantize(type: number | string, src: Float32Array, nrows: number, ncols: number, imatrix?: Float32Array | null): Promise<Uint8Array> {
    const codec = getFastCodec(type);
    const info: GGMLTypeInfo = codec.type;
    if (!Number.isSafeInteger(nrows) || nrows < 0) throw new RangeError(`${info.name}: row count ${nrows} is not a non-negative integer`);
    const rb = rowBytes(info.id, ncols);
    const out = new Uint8Array(nrows * rb);
    const weights = codec.acceptsImatrix ? (imatrix ?? null) : null;
    checkQuantizeArgs(info, src, out, nrows, ncols, weights);
    const shared = typeof SharedArrayBuffer !== 'undefined' && src.buffer instanceof SharedArrayBuffer;
    const im = weights ? weights.slice(0, ncols) : null;
    const step = this.rowsPerJob(nrows, ncols);
    const jobs: Promise<void>[] = [];
    for (let r = 0; r < nrows; r += step) {
      const rows = Math.min(step, nrows - r);
      const part = shared ? src.subarray(r * ncols, (r + rows) * ncols) : src.slice(r * ncols, (r + rows) * ncols);
      const message = { op: 'quantize', type: info.id, nrows: rows, ncols, rowBytes: rb, src: part, imatrix: im };
      jobs.push(this.run(message, shared ? [] : [part.buffer]).then((reply) => out.set(reply.bytes, r * rb)));
    }
    await Promise.all(jobs);
    return out;
  }

  /** Dequantizes `nrows` rows of `ncols` values of type `type` from `bytes`: the same bits as `dequantizeRows`. */
  async dequantize(type: number | string, bytes: Uint8Array, nrows: number, ncols: number): Promise<Float32Array> {
    const info = getFastCodec(type).type;
    if (!Number.isSafeInteger(nrows) || nrows < 0) throw new RangeError(`${info.name}: row count ${nrows} is not a non-negative integer`);
    rowBytes(info.id, ncols);
    const out = new Float32Array(nrows * ncols);
    checkDequantizeArgs(info, bytes, out, nrows, ncols);
    const totalBlocks = (nrows * ncols) / info.blockSize;
    const step = Math.max(1, Math.min(Math.floor(this.jobValues / info.blockSize), Math.ceil(totalBlocks / (4 * this.threads))));
    const jobs: Promise<void>[] = [];
    for (let b = 0; b < totalBlocks; b += step) {
      const nblocks = Math.min(step, totalBlocks - b);
      const part = bytes.slice(b * info.typeSize, (b + nblocks) * info.typeSize);
      const message = { op: 'dequantize', type: info.id, nblocks, typeSize: info.typeSize, blockSize: info.blockSize, src: part };
      jobs.push(this.run(message, [part.buffer]).then((reply) => out.set(reply.values, b * info.blockSize)));
    }
    await Promise.all(jobs);
    return out;
  }

  /** Stops the workers; pending calls reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new Error('the quantization pool is closed'));
    await Promise.all(this.slots.map((s) => s.port.terminate()));
  }
}
