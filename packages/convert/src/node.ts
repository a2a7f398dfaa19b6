/**
 * @packageDocumentation
 * Node-only entry: converts a model folder on disk to a GGUF file.
 */
import { writeGGUFFile } from '@ggufkit/gguf/node';
import { resolveFileType } from '@ggufkit/quants';
import { tensorBytes } from '@ggufkit/tensor-layout';
import { quantizeGGUF, type QuantizeGGUFOptions, type QuantizeSource } from './quantize/quantize-gguf.js';
import { fileReader, nodeModelDirectory } from './io/node-model-dir.js';
import type { ModelDirectory } from './io/model-dir.js';
import { planConversion as planCore, type ConversionPlan, type PlanOptions } from './pipeline/plan.js';
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
  /** For quantized ftypes: llama-quantize's options (imatrix, pure, output/token-embedding types). */
  quantize?: Omit<QuantizeGGUFOptions, 'ftype'>;
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

/**
 * Converts the Hugging Face model folder `dir` to GGUF. Tensors are read, converted and
 * written one at a time, so memory stays around a few times the largest tensor.
 */
export async function convertModel(dir: string, opts: ConvertModelOptions = {}): Promise<ConversionSummary> {
  const outtype = opts.outtype ?? 'f16';
  const direct = outtype === 'auto' || isDirectOutType(outtype);
  const ftype = direct ? undefined : resolveFileType(outtype);
  if (opts.splitMaxSize !== undefined) throw new RangeError('splitMaxSize is not supported yet');
  const plan = await planConversion(dir, { ...opts, outtype: direct ? (outtype.toLowerCase() as PlanOptions['outtype']) : 'f16' });
  try {
    let header = plan.header;
    let tensors = plan.tensors;
    let fileType = plan.fileType;
    if (ftype !== undefined) {
      // llama.cpp's two-step path: the f16 conversion, quantized by the ftype policy
      const q = quantizeGGUF(planAsSource(plan), { ftype, ...(opts.quantize ?? {}) });
      header = q.header;
      tensors = q.tensors as typeof tensors;
      fileType = q.plan.ftype;
    }
    const summary: ConversionSummary = {
      files: [],
      architecture: plan.architecture,
      outtype: ftype !== undefined ? outtype.toUpperCase() : plan.outtype,
      fileType,
      tensorCount: tensors.length,
      parameterCount: plan.parameterCount,
      tensorDataBytes: tensors.reduce((s, t) => s + tensorBytes(t.type, t.ne), 0),
      metadataCount: header.metadata.length,
      dryRun: opts.dryRun === true,
    };
    if (opts.dryRun) return summary;
    if (opts.outFile === undefined) throw new RangeError('convertModel: outFile is required unless dryRun is set');
    await writeGGUFFile(opts.outFile, header, tensors, opts.onProgress ? { onProgress: (p) => opts.onProgress!({ tensorIndex: p.tensorIndex, tensorCount: p.tensorCount, bytesWritten: p.bytesWritten }) } : {});
    summary.files.push(opts.outFile);
    return summary;
  } finally {
    await plan.close();
  }
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
