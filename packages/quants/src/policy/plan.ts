/**
 * Which ggml type each tensor of a model gets for a llama.cpp quantization mix, and the
 * order llama-quantize writes them in.
 */
import { requireGGMLType } from '@ggufkit/tensor-layout';
import { defaultTypeOf, resolveFileType } from './ftype-defaults.js';
import { allowsQuantization, isAttentionValue, loaderOrderCompare, tensorCategory } from './tensor-category.js';
import { blockSizeFallback, mixTensorType, type ModelShape, type RuleState } from './tensor-type.js';

/** A tensor as the planner sees it. */
export interface TensorToPlan {
  readonly name: string;
  /** GGUF dimension order (`ne[0]` is the row length). */
  readonly ne: readonly number[];
  /** Current ggml type. */
  readonly type: number;
}

/** Options of {@link planQuantization}, mirroring llama-quantize's flags. */
export interface QuantizationOptions {
  /** The mix: `Q4_K_M`, `Q8_0`, `F16`, ... or its `llama_ftype` value. */
  readonly ftype: string | number;
  /** Model facts the rules depend on. */
  readonly model: ModelShape;
  /** `--pure`: every quantizable tensor gets the mix's base type (no per-tensor rules). */
  readonly pure?: boolean;
  /** `--output-tensor-type`. */
  readonly outputTensorType?: number;
  /** `--token-embedding-type`. */
  readonly tokenEmbeddingType?: number;
  /** An importance matrix will be used (changes a few Q4_0/Q5_0 rules). */
  readonly hasImatrix?: boolean;
  /** `--leave-output-tensor`: keep output.weight as it is. */
  readonly leaveOutputTensor?: boolean;
}

/** The decision for one tensor. */
export interface PlannedTensor {
  readonly name: string;
  readonly ne: readonly number[];
  readonly fromType: number;
  readonly toType: number;
  /** True when the data must be converted (toType differs from fromType). */
  readonly convert: boolean;
}

/** The full plan: tensors in output order, the ftype value, and the base type of the mix. */
export interface QuantizationPlan {
  readonly ftype: number;
  readonly baseType: number;
  readonly tensors: readonly PlannedTensor[];
}

/** Plans a quantization the way llama-quantize does. */
export function planQuantization(tensors: readonly TensorToPlan[], opts: QuantizationOptions): QuantizationPlan {
  const ftype = resolveFileType(opts.ftype);
  const baseType = defaultTypeOf(ftype);
  const ordered = [...tensors].sort((a, b) => loaderOrderCompare(a.name, b.name));
  const state: RuleState = {
    nAttentionWV: ordered.filter((t) => isAttentionValue(tensorCategory(t.name))).length,
    iAttentionWV: 0, iFfnDown: 0, iFfnGate: 0, iFfnUp: 0,
    hasOutput: ordered.some((t) => t.name === 'output.weight'),
    hasImatrix: opts.hasImatrix === true,
  };
  const quantizedBase = requireGGMLType(baseType).quantized;
  const planned = ordered.map((t): PlannedTensor => {
    const nDims = effectiveDims(t.ne);
    let toType = t.type;
    if (allowsQuantization(t.name, nDims, { quantizeOutput: !opts.leaveOutputTensor })) {
      toType = baseType;
      if (!opts.pure && quantizedBase) {
        toType = mixTensorType(state, opts.model, ftype, baseType, t.name, t.ne[0]!, tensorCategory(t.name));
        toType = blockSizeFallback(toType, t.ne[0]!);
      }
      if (opts.tokenEmbeddingType !== undefined && t.name === 'token_embd.weight') toType = opts.tokenEmbeddingType;
      if (opts.outputTensorType !== undefined && t.name === 'output.weight') toType = opts.outputTensorType;
    }
    return { name: t.name, ne: t.ne, fromType: t.type, toType, convert: toType !== t.type };
  });
  return { ftype, baseType, tensors: planned };
}

/** ggml's `ggml_n_dims`: trailing dimensions of size 1 do not count (at least one dimension). */
function effectiveDims(ne: readonly number[]): number {
  let n = ne.length;
  while (n > 1 && ne[n - 1] === 1) n--;
  return Math.max(1, n);
}

/** Reads the model facts from GGUF metadata through a lookup (`{arch}.block_count`, head counts, experts). */
export function modelShapeFromMetadata(get: (key: string) => number | bigint | string | undefined): ModelShape {
  const arch = get('general.architecture');
  if (typeof arch !== 'string') throw new RangeError('general.architecture is missing');
  const num = (key: string, fallback?: number): number => {
    const v = get(`${arch}.${key}`);
    if (v === undefined) {
      if (fallback !== undefined) return fallback;
      throw new RangeError(`${arch}.${key} is missing`);
    }
    return Number(v);
  };
  const nHead = num('attention.head_count', 0);
  return { arch, nLayer: num('block_count'), nHead, nHeadKV: num('attention.head_count_kv', nHead), nExpert: num('expert_count', 0) };
}

