/**
 * @packageDocumentation
 * Node-only entry: converts a model folder on disk to a GGUF file.
 */
import { tensorBytes } from '@ggufkit/tensor-layout';
import { fileReader, nodeModelDirectory } from './io/node-model-dir.js';
import type { ModelDirectory } from './io/model-dir.js';
import { planConversion as planCore, type ConversionPlan, type PlanOptions } from './pipeline/plan.js';
import type { PlannedHeader, PlannedTensorData } from './pipeline/write-types.js';
import { isDirectOutType } from './pipeline/output-type.js';

export * from './index.js';
export { fileReader, nodeModelDirectory };

/** Plans a conversion of a folder on disk (or any `ModelDirectory`) without writing. */
export function planConversion(dir: string | ModelDirectory, opts: PlanOptions = {}): Promise<ConversionPlan> {
  return planCore(typeof dir === 'string' ? nodeModelDirectory(dir) : dir, opts);
}

/** Progress of a conversion, reported after each tensor is written. */
export interface ConvertProgress {
  tensorIndex: number;
  tensorCount: number;
  bytesWritten: number;
}

export interface ConvertModelOptions extends Omit<PlanOptions, 'outtype'> {
  /** Output file path. Required unless `dryRun`. */
  outFile?: string;
  /** `f32`, `f16`, `bf16`, `q8_0`, `auto`, or a llama.cpp quantization ftype such as `Q4_K_M`. */
  outtype?: string;
  /** Split into shards of at most this many bytes (llama.cpp gguf-split naming). */
  splitMaxSize?: number;
  /** Plan and report, but write nothing. */
  dryRun?: boolean;
  /** For quantized ftypes: tolerate block scales that overflow f16 instead of failing. */
  allowOverflow?: boolean;
  onProgress?: (p: ConvertProgress) => void;
}

/** What a conversion produced. */
export interface ConversionSummary {
  /** Files written (empty for a dry run). */
  files: string[];
  architecture: string;
  outtype: string;
  fileType: number;
  tensorCount: number;
  parameterCount: number;
  /** Bytes of tensor data (without header and padding). */
  tensorDataBytes: number;
  metadataCount: number;
  dryRun: boolean;
}

type WriteFile = (path: string, header: PlannedHeader, tensors: Iterable<PlannedTensorData>, opts?: { onProgress?(p: ConvertProgress): void }) => Promise<void>;

/** The GGUF writer of `@ggufkit/gguf/node`, looked up at run time. */
async function loadWriter(): Promise<WriteFile> {
  const mod = (await import('@ggufkit/gguf/node')) as Record<string, unknown>;
  const fn = mod['writeGGUFFile'];
  if (typeof fn !== 'function') throw new RangeError('the GGUF writer (@ggufkit/gguf/node writeGGUFFile) is not available in this build');
  return fn as WriteFile;
}

/**
 * Converts the Hugging Face model folder `dir` to GGUF. Tensors are read, converted and
 * written one at a time, so memory stays around a few times the largest tensor.
 */
export async function convertModel(dir: string, opts: ConvertModelOptions = {}): Promise<ConversionSummary> {
  const outtype = opts.outtype ?? 'f16';
  if (outtype !== 'auto' && !isDirectOutType(outtype)) {
    throw new RangeError(`outtype "${outtype}" is not supported yet: the converter writes f32, f16, bf16 and q8_0 itself; quantized ftypes need @ggufkit/quants' ftype policy`);
  }
  if (opts.splitMaxSize !== undefined) throw new RangeError('splitMaxSize is not supported yet');
  const plan = await planConversion(dir, { ...opts, outtype: outtype.toLowerCase() as PlanOptions['outtype'] });
  try {
    const summary: ConversionSummary = {
      files: [],
      architecture: plan.architecture,
      outtype: plan.outtype,
      fileType: plan.fileType,
      tensorCount: plan.tensors.length,
      parameterCount: plan.parameterCount,
      tensorDataBytes: plan.tensors.reduce((s, t) => s + tensorBytes(t.type, t.ne), 0),
      metadataCount: plan.header.metadata.length,
      dryRun: opts.dryRun === true,
    };
    if (opts.dryRun) return summary;
    if (opts.outFile === undefined) throw new RangeError('convertModel: outFile is required unless dryRun is set');
    const write = await loadWriter();
    await write(opts.outFile, plan.header, plan.tensors, opts.onProgress ? { onProgress: opts.onProgress } : {});
    summary.files.push(opts.outFile);
    return summary;
  } finally {
    await plan.close();
  }
}
