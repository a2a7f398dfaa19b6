/**
 * Everything a conversion will write, decided before any tensor data is read: the plan
 * (converter types), the quantization mix when one is asked for (llama.cpp's two steps:
 * f16 conversion, then llama-quantize's policy), and the output files: one, or
 * gguf-split-compatible shards laid out by the gguf package's split planner.
 */
import {
  layoutGGUF, splitGGUF, type GGUFTensorSource, type HeaderLayout, type HeaderToWrite, type SplitOptions, type TensorToWrite,
} from '@ggufkit/gguf';
import { resolveFileType } from '@ggufkit/quants';
import { tensorBytes } from '@ggufkit/tensor-layout';
import type { ModelDirectory } from '../io/model-dir.js';
import { quantizeGGUF, type QuantizedGGUF, type QuantizeGGUFOptions, type QuantizeSource } from '../quantize/quantize-gguf.js';
import { isDirectOutType } from './output-type.js';
import { planConversion, type ConversionPlan, type PlanOptions } from './plan.js';
import { quantizeInRowBlocks } from './quantize-blocks.js';
import { writerInputAsSource } from './stream-source.js';

/** Options of {@link prepareConversion}. */
export interface PrepareConversionOptions extends Omit<PlanOptions, 'outtype'> {
  /** `f32`, `f16`, `bf16`, `q8_0`, `auto`, or a llama.cpp quantization ftype such as `Q4_K_M`. Default `f16`. */
  outtype?: string;
  /**
   * Split into shards whose tensor data (each tensor padded to 32 bytes) stays within this
   * many bytes, as `gguf-split --split-max-size` does. A tensor larger than the limit gets
   * a shard of its own.
   */
  splitMaxSize?: number;
  /** Split into shards of at most this many tensors (`--split-max-tensors`). */
  splitMaxTensors?: number;
  /**
   * For quantization ftypes: llama-quantize's options (imatrix, pure, output/token-embedding
   * types, overflow policy). `threads` > 1 quantizes each tensor whole on a worker pool;
   * otherwise large tensors are quantized a block of rows at a time on this thread.
   */
  quantize?: Omit<QuantizeGGUFOptions, 'ftype'>;
}

/** One output file of a conversion. */
export interface PreparedFile {
  /** 0-based shard number (0 for an unsplit output). */
  readonly index: number;
  /** Number of output files. */
  readonly count: number;
  readonly header: HeaderToWrite;
  /** The tensors of this file, in file order (data produced when written). */
  readonly tensors: readonly TensorToWrite[];
  /** Header bytes, tensor offsets and the file size. */
  readonly layout: HeaderLayout;
}

/** A conversion ready to be described or written. */
export interface PreparedConversion {
  /** The converter's plan (for a quantization ftype, its f16 base). */
  readonly plan: ConversionPlan;
  /** Output type as given (`f16`, `Q4_K_M`, ...; `auto` resolved). */
  readonly outtype: string;
  /** `general.file_type` of the output. */
  readonly fileType: number;
  /** The whole model's header and tensors in output order (before splitting). */
  readonly header: HeaderToWrite;
  readonly tensors: readonly TensorToWrite[];
  /** The output files: one, or two or more shards. */
  readonly files: readonly PreparedFile[];
  /** How to split, when splitting gives more than one shard. */
  readonly split: SplitOptions | undefined;
  /** The model as a GGUF source (for the split writer). */
  asSource(): GGUFTensorSource;
  /** Releases the checkpoint files (and a quantization worker pool, if one started). */
  close(): Promise<void>;
}

/** A conversion plan seen as a GGUF source (tensor data produced on demand). */
function planAsSource(plan: ConversionPlan): QuantizeSource {
  const data = new Map(plan.tensors.map((t) => [t.name, t.data]));
  return {
    version: plan.header.version ?? 3,
    metadata: plan.header.metadata,
    tensors: plan.tensors.map((t) => ({ name: t.name, ne: t.ne, type: t.type, offset: 0, byteLength: tensorBytes(t.type, t.ne) })),
    readTensorData: (name) => data.get(name)!(),
  };
}

function splitOptionsOf(opts: PrepareConversionOptions): SplitOptions | undefined {
  const { splitMaxSize: maxBytes, splitMaxTensors: maxTensors } = opts;
  if (maxBytes === undefined && maxTensors === undefined) return undefined;
  if (maxBytes !== undefined && maxTensors !== undefined) throw new RangeError('split by either splitMaxSize or splitMaxTensors, not both');
  if (maxBytes !== undefined && (!Number.isSafeInteger(maxBytes) || maxBytes <= 0)) throw new RangeError(`splitMaxSize must be a positive number of bytes, got ${maxBytes}`);
  if (maxTensors !== undefined && (!Number.isSafeInteger(maxTensors) || maxTensors <= 0)) throw new RangeError(`splitMaxTensors must be a positive integer, got ${maxTensors}`);
  return maxBytes !== undefined ? { maxBytes } : { maxTensors: maxTensors! };
}

/**
 * Plans the conversion of `dir` through to its output files. Reads config, tokenizer and
 * checkpoint headers; no tensor data. Call `close()` when done.
 */
export async function prepareConversion(dir: ModelDirectory, opts: PrepareConversionOptions = {}): Promise<PreparedConversion> {
  const outtype = opts.outtype ?? 'f16';
  const direct = outtype.toLowerCase() === 'auto' || isDirectOutType(outtype);
  const ftype = direct ? undefined : resolveFileType(outtype);
  const split = splitOptionsOf(opts);
  const plan = await planConversion(dir, { ...opts, outtype: direct ? (outtype.toLowerCase() as PlanOptions['outtype']) : 'f16' });
  let q: QuantizedGGUF | undefined;
  try {
    let header: HeaderToWrite = plan.header;
    let tensors: TensorToWrite[] = plan.tensors.map((t) => ({ name: t.name, ne: t.ne, type: t.type, data: t.stream }));
    let fileType = plan.fileType;
    if (ftype !== undefined) {
      const quantOpts = { allowOverflow: opts.allowOverflow, ...(opts.quantize ?? {}) };
      q = quantizeGGUF(planAsSource(plan), { ...quantOpts, ftype });
      header = q.header;
      tensors = quantizeInRowBlocks(q, plan.tensors, quantOpts);
      fileType = q.plan.ftype;
    }
    let source: GGUFTensorSource | undefined;
    const asSource = () => (source ??= writerInputAsSource(header, tensors, dir.name, plan.recycle));
    let files: PreparedFile[] = [{ index: 0, count: 1, header, tensors, layout: layoutGGUF(header, tensors) }];
    let splitUsed: SplitOptions | undefined;
    if (split) {
      const { shards } = splitGGUF(asSource(), split);
      // llama.cpp's converter writes a model that fits one shard as a plain file, without split keys.
      if (shards.length > 1) {
        splitUsed = split;
        files = shards.map((s) => ({ index: s.index, count: s.count, header: s.header, tensors: s.tensors, layout: layoutGGUF(s.header, s.tensors) }));
      }
    }
    const quantized = q;
    return {
      plan,
      outtype: ftype !== undefined ? outtype.toUpperCase() : plan.outtype,
      fileType,
      header,
      tensors,
      files,
      split: splitUsed,
      asSource,
      close: async () => {
        try {
          await quantized?.close();
        } finally {
          await plan.close();
        }
      },
    };
  } catch (e) {
    await q?.close().catch(() => undefined);
    await plan.close();
    throw e;
  }
}
