/**
 * GGUF -> GGUF quantization as llama-quantize does it: the ftype policy picks each
 * tensor's type, tensors are written in llama.cpp's loader order, and the metadata gets
 * `general.quantization_version` and `general.file_type` appended last.
 */
import type { GGUFMetadataEntry, GGUFTensorInfo, HeaderToWrite, TensorToWrite } from '@ggufkit/gguf';
import {
  getCodec, hasFastCodec, modelShapeFromMetadata, planQuantization, preferredCodec, QuantPool,
  type BlockCodec, type ModelShape, type PlannedTensor, type QuantizationOptions, type QuantizationPlan,
} from '@ggufkit/quants';
import { assertNoOverflow } from '../tensors/overflow.js';
import {
  bf16ArrayToF32, f16ArrayToF32, f32ArrayToBF16, f32ArrayToF16, GGMLType, GGUFValueType, requireGGMLType, tensorBytes,
} from '@ggufkit/tensor-layout';

/** What quantization reads: a parsed GGUF with lazily readable tensor data (a `GGUFFile` or `GGUFModel`). */
export interface QuantizeSource {
  readonly version: number;
  readonly metadata: readonly GGUFMetadataEntry[];
  readonly tensors: readonly GGUFTensorInfo[];
  readonly alignment?: number;
  readTensorData(name: string): Promise<Uint8Array>;
}

/** Options of {@link quantizeGGUF}. */
export interface QuantizeGGUFOptions extends Omit<QuantizationOptions, 'model' | 'hasImatrix'> {
  /** Model facts; read from the metadata when absent. */
  readonly model?: ModelShape;
  /** Importance weights for a tensor (`ne[0]` values), or undefined when the imatrix has none. */
  readonly imatrix?: (tensorName: string, ne0: number) => Float32Array | undefined;
  /** Re-quantize tensors that are already quantized (llama-quantize's `--allow-requantize`). */
  readonly allowRequantize?: boolean;
  /** Write values that overflow the target type (inf/NaN scales, as llama.cpp does) instead of refusing. */
  readonly allowOverflow?: boolean;
  /**
   * The block codec for a type. Default: the WebAssembly codecs where one exists (same
   * bytes as the scalar reference, several times faster), else the scalar codecs.
   */
  readonly codecFor?: (type: number) => BlockCodec;
  /**
   * Worker threads for block quantization (llama-quantize's `nthread`). With more than one,
   * each tensor's rows are spread over a pool started on first use and stopped after the
   * last tensor (or by `close()`); the bytes do not depend on the thread count. Ignored
   * when `codecFor` or `pool` is given. Default 1: quantize on the calling thread.
   */
  readonly threads?: number;
  /** A pool of quantization workers to use (and leave running) instead of `threads`. */
  readonly pool?: QuantPool;
  /**
   * While a tensor is being quantized, read and widen the next one, so that reading
   * overlaps the workers' quantization. Costs one more tensor's f32 values in memory, and
   * assumes the tensors' data is taken in order (as the writer does). Default false.
   */
  readonly prefetch?: boolean;
}

/** A quantization ready for the writer. */
export interface QuantizedGGUF {
  readonly header: HeaderToWrite;
  readonly tensors: TensorToWrite[];
  readonly plan: QuantizationPlan;
  /**
   * Quantizes rows to a block type where this quantization's tensors are quantized (the
   * calling thread, or the worker pool of `threads`/`pool`): for callers that produce a
   * tensor's data in row blocks.
   */
  quantizeRows(type: number, values: Float32Array, nrows: number, ncols: number, weights: Float32Array | null): Promise<Uint8Array>;
  /** Stops the worker pool this quantization started, if any (after the last tensor it stops by itself). */
  close(): Promise<void>;
}

/** Where the block quantization of a tensor runs: on this thread, or on a worker pool. */
interface BlockQuantizer {
  quantize(type: number, values: Float32Array, nrows: number, ncols: number, weights: Float32Array | null): Promise<Uint8Array>;
  /** Called once the last tensor that needs it is done. */
  release(): Promise<void>;
}

function localQuantizer(codecFor: (type: number) => BlockCodec): BlockQuantizer {
  return {
    quantize: async (type, values, nrows, ncols, weights) => {
      const out = new Uint8Array(tensorBytes(type, [ncols, nrows]));
      codecFor(type).quantize(values, out, nrows, ncols, weights);
      return out;
    },
    release: async () => {},
  };
}

function poolQuantizer(getPool: () => Promise<QuantPool>, ownsPool: boolean, fallback: BlockQuantizer): BlockQuantizer {
  let pool: Promise<QuantPool> | undefined;
  return {
    quantize: async (type, values, nrows, ncols, weights) => {
      if (!hasFastCodec(type)) return fallback.quantize(type, values, nrows, ncols, weights);
      pool ??= getPool();
      return (await pool).quantize(type, values, nrows, ncols, weights);
    },
    release: async () => {
      const p = pool;
      pool = undefined;
      if (p && ownsPool) await (await p).close();
    },
  };
}

const SPLIT_KEYS = new Set(['split.no', 'split.count', 'split.tensors.count']);

function scalarOf(v: unknown): number | bigint | string | undefined {
  return typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' ? v : undefined;
}

/** Plans the quantization of `source` and returns the header and lazily computed tensors to write. */
export function quantizeGGUF(source: QuantizeSource, opts: QuantizeGGUFOptions): QuantizedGGUF {
  const byKey = new Map(source.metadata.map((e) => [e.key, e]));
  const model = opts.model ?? modelShapeFromMetadata((k) => scalarOf(byKey.get(k)?.value));
  const plan = planQuantization(source.tensors, { ...opts, model, hasImatrix: opts.imatrix !== undefined });
  const metadata: GGUFMetadataEntry[] = source.metadata.filter((e) =>
    !SPLIT_KEYS.has(e.key) && e.key !== 'general.quantization_version' && e.key !== 'general.file_type');
  metadata.push({ key: 'general.quantization_version', type: GGUFValueType.UINT32, value: 2 });
  metadata.push({ key: 'general.file_type', type: GGUFValueType.UINT32, value: plan.ftype });
  const byName = new Map(source.tensors.map((t) => [t.name, t]));
  const codecFor = opts.codecFor ?? preferredCodec;
  const threads = opts.threads ?? 1;
  if (!Number.isSafeInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  const local = localQuantizer(codecFor);
  const blocks = opts.codecFor ? local
    : opts.pool ? poolQuantizer(async () => opts.pool!, false, local)
    : threads > 1 ? poolQuantizer(() => QuantPool.create({ threads }), true, local)
    : local;
  let remaining = plan.tensors.filter((p) => p.convert).length;
  const widen = async (p: PlannedTensor): Promise<Float32Array> =>
    tensorToF32(await source.readTensorData(byName.get(p.name)!.name), p.fromType, p.ne, codecFor);
  const converted = plan.tensors.filter((p) => p.convert);
  let ahead: { name: string; values: Promise<Float32Array> } | undefined;
  const valuesOf = (p: PlannedTensor): Promise<Float32Array> => {
    const mine = ahead?.name === p.name ? ahead.values : widen(p);
    ahead = undefined;
    const next = opts.prefetch ? converted[converted.indexOf(p) + 1] : undefined;
    if (next) {
      ahead = { name: next.name, values: widen(next) };
      ahead.values.catch(() => undefined); // reported when (if) that tensor is written
    }
    return mine;
  };
  const tensors = plan.tensors.map((p): TensorToWrite => {
    const info = byName.get(p.name)!;
    if (!p.convert) return { name: p.name, ne: p.ne, type: p.fromType, data: () => source.readTensorData(info.name) };
    if (requireGGMLType(p.fromType).quantized && !opts.allowRequantize) {
      throw new RangeError(`tensor ${p.name} is already ${requireGGMLType(p.fromType).name}; re-quantizing loses quality (allow it with allowRequantize)`);
    }
    return {
      name: p.name, ne: p.ne, type: p.toType,
      data: async () => {
        try {
          return await convertTensor(p, await valuesOf(p), blocks, opts.imatrix, opts.allowOverflow === true);
        } finally {
          if (--remaining === 0) await blocks.release();
        }
      },
    };
  });
  const header: HeaderToWrite = { version: 3, metadata, ...(source.alignment !== undefined ? { alignment: source.alignment } : {}) };
  return {
    header, tensors, plan,
    quantizeRows: (type, values, nrows, ncols, weights) => blocks.quantize(type, values, nrows, ncols, weights),
    close: () => blocks.release(),
  };
}

/** Widens a tensor's stored values to f32 (F32, F16, BF16 or any block format with a codec). */
export function tensorToF32(bytes: Uint8Array, type: number, ne: readonly number[], codecFor: (type: number) => BlockCodec = getCodec): Float32Array {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const n = ne.reduce((a, b) => a * b, 1);
  switch (type) {
    case GGMLType.F32: return new Float32Array(aligned.buffer, aligned.byteOffset, n);
    case GGMLType.F16: return f16ArrayToF32(new Uint16Array(aligned.buffer, aligned.byteOffset, n));
    case GGMLType.BF16: return bf16ArrayToF32(new Uint16Array(aligned.buffer, aligned.byteOffset, n));
    default: {
      const out = new Float32Array(n);
      codecFor(type).dequantize(bytes, out, n / ne[0]!, ne[0]!);
      return out;
    }
  }
}

async function convertTensor(
  p: PlannedTensor, values: Float32Array, blocks: BlockQuantizer,
  imatrix: QuantizeGGUFOptions['imatrix'], allowOverflow: boolean,
): Promise<Uint8Array> {
  const encoded = await encode(p, values, blocks, imatrix);
  if (!allowOverflow) assertNoOverflow(p.name, p.toType, values, encoded);
  return encoded;
}

async function encode(p: PlannedTensor, values: Float32Array, blocks: BlockQuantizer, imatrix: QuantizeGGUFOptions['imatrix']): Promise<Uint8Array> {
  switch (p.toType) {
    case GGMLType.F32: return new Uint8Array(values.slice().buffer);
    case GGMLType.F16: return new Uint8Array(f32ArrayToF16(values).buffer);
    case GGMLType.BF16: return new Uint8Array(f32ArrayToBF16(values).buffer);
    default: {
      const ncols = p.ne[0]!;
      const weights = imatrix?.(p.name, ncols) ?? null;
      return blocks.quantize(p.toType, values, values.length / ncols, ncols, weights);
    }
  }
}
