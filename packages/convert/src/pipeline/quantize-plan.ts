/**
 * Quantized output types (Q4_K_M, Q6_K, ...): the f16 conversion is quantized in memory,
 * tensor by tensor, the way `llama-quantize` treats llama.cpp's f16 GGUF: every f16 tensor
 * is widened to f32 and encoded with the block codec the ftype policy picks for it; F32
 * tensors stay as they are unless the policy says otherwise.
 */
import type { BlockCodec } from '@ggufkit/quants';
import { f16ArrayToF32, GGMLType, tensorBytes } from '@ggufkit/tensor-layout';
import { GeneralKeys } from '../metadata/keys.js';
import { MetadataBuilder } from '../metadata/builder.js';
import type { ConversionPlan } from './plan.js';
import type { PlannedTensorData } from './write-types.js';

/** Chooses the ggml type of one tensor for an ftype (llama.cpp's `llama_tensor_get_type`). */
export type TensorTypePolicy = (tensor: { name: string; ne: readonly number[]; type: number }, all: readonly { name: string; ne: readonly number[] }[]) => number;

export interface QuantizePlanOptions {
  /** llama.cpp ftype written as `general.file_type`. */
  fileType: number;
  policy: TensorTypePolicy;
  /** The codec for a quantized type. */
  codec: (type: number) => BlockCodec;
  /** Importance weights per tensor name (`ne[0]` values each). */
  imatrix?: (name: string) => Float32Array | undefined;
}

function asF32(bytes: Uint8Array, type: number): Float32Array {
  const b = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  if (type === GGMLType.F32) return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  if (type === GGMLType.F16) return f16ArrayToF32(new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2));
  throw new RangeError(`cannot requantize a tensor of ggml type ${type}`);
}

/** Rewrites an f16 conversion plan into a quantized one (lazily: nothing is computed until written). */
export function quantizePlan(plan: ConversionPlan, opts: QuantizePlanOptions): ConversionPlan {
  const md = new MetadataBuilder();
  for (const e of plan.header.metadata) md.set(e);
  md.u32(GeneralKeys.FILE_TYPE, opts.fileType);
  const all = plan.tensors.map((t) => ({ name: t.name, ne: t.ne }));
  const tensors: PlannedTensorData[] = plan.tensors.map((t) => {
    const type = opts.policy(t, all);
    if (type === t.type) return t;
    return {
      name: t.name,
      ne: t.ne,
      type,
      data: async () => {
        const src = asF32(await t.data(), t.type);
        if (type === GGMLType.F32) return new Uint8Array(src.buffer.slice(src.byteOffset, src.byteOffset + src.byteLength));
        const out = new Uint8Array(tensorBytes(type, t.ne));
        const ncols = t.ne[0]!;
        opts.codec(type).quantize(src, out, src.length / ncols, ncols, opts.imatrix?.(t.name) ?? null);
        return out;
      },
    };
  });
  return { ...plan, header: { ...plan.header, metadata: md.toArray() }, tensors, fileType: opts.fileType };
}
