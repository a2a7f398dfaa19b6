/**
 * A dry run's report: every tensor the conversion would write (name, type, GGUF shape,
 * bytes) and the files with their sizes, headers and padding included.
 */
import { ggmlTypeName, tensorBytes } from '@ggufkit/tensor-layout';
import { outputPaths } from './output-paths.js';
import type { PreparedConversion } from './prepare-output.js';

/** One tensor as it would be written. */
export interface TensorDescription {
  name: string;
  /** ggml type name (`F16`, `Q4_K`, ...). */
  type: string;
  /** Dimensions in GGUF order (`ne[0]` is the row length). */
  ne: number[];
  /** Bytes of data (without alignment padding). */
  bytes: number;
  /** Index of the output file holding it. */
  file: number;
}

/** One output file as it would be written. */
export interface OutputFileDescription {
  /** Path, when an output file name was given. */
  path?: string;
  tensorCount: number;
  /** Size of the file: header, tensor data and padding. */
  bytes: number;
}

/** What a conversion would write. */
export interface ConversionDescription {
  architecture: string;
  /** Output type (`f16`, `q8_0`, `Q4_K_M`, ...). */
  outtype: string;
  /** `general.file_type`. */
  fileType: number;
  parameterCount: number;
  /** Metadata entries of the model (shards add the `split.*` keys). */
  metadataCount: number;
  /** Tensors in output order. */
  tensors: TensorDescription[];
  /** Bytes of tensor data (without header and padding). */
  tensorDataBytes: number;
  /** The output files: one, or the shards. */
  files: OutputFileDescription[];
  /** Sum of the output file sizes. */
  totalBytes: number;
}

/** Describes a prepared conversion; `outFile` names the files. */
export function describeConversion(p: PreparedConversion, outFile?: string): ConversionDescription {
  const fileOf = new Map<string, number>();
  for (const f of p.files) for (const t of f.tensors) fileOf.set(t.name, f.index);
  const tensors = p.tensors.map((t) => ({
    name: t.name, type: ggmlTypeName(t.type), ne: [...t.ne], bytes: tensorBytes(t.type, t.ne), file: fileOf.get(t.name) ?? 0,
  }));
  const paths = outFile !== undefined ? outputPaths(outFile, p.files.length) : undefined;
  const files = p.files.map((f, i) => ({ ...(paths ? { path: paths[i]! } : {}), tensorCount: f.tensors.length, bytes: f.layout.fileSize }));
  return {
    architecture: p.plan.architecture,
    outtype: p.outtype,
    fileType: p.fileType,
    parameterCount: p.plan.parameterCount,
    metadataCount: p.header.metadata.length,
    tensors,
    tensorDataBytes: tensors.reduce((s, t) => s + t.bytes, 0),
    files,
    totalBytes: files.reduce((s, f) => s + f.bytes, 0),
  };
}
