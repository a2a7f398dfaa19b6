/**
 * An architecture is a small declarative record (names, tensor kinds) plus the few
 * functions where llama.cpp's converter does something specific: hyperparameter keys,
 * the vocabulary writer, and per-tensor layout changes.
 */
import type { ModelDirectory } from '../io/model-dir.js';
import type { HParams } from '../config/hf-config.js';
import type { MetadataBuilder } from '../metadata/builder.js';
import type { TokenizerJson } from '../tokenizer/tokenizer-json.js';
import type { RowPermutation } from '../tensors/permute.js';
import type { WorkTensor } from '../tensors/work-tensor.js';
import type { TensorKindId, TensorNameMap } from './tensor-names.js';

/** Everything an architecture's functions may consult. */
export interface ArchContext {
  readonly dir: ModelDirectory;
  readonly hparams: HParams;
  readonly md: MetadataBuilder;
  /** GGUF architecture name (`llama`). */
  readonly arch: string;
  readonly blockCount: number;
  /** llama.cpp file type being written (`general.file_type`). */
  readonly fileType: number;
  readonly tensorMap: TensorNameMap;
  readonly tokenizerPre?: string;
  tokenizerJson(): Promise<TokenizerJson | undefined>;
}

/** One GGUF tensor produced from a checkpoint tensor (before squeeze and type choice). */
export interface PlannedTensor {
  /** GGUF name. */
  name: string;
  /** Shape in PyTorch order after `transform`. */
  shape: readonly number[];
  /** Layout change applied to the loaded data (permutation, +1, row slicing). */
  transform?: (t: WorkTensor) => WorkTensor;
  /**
   * A layout change that only reorders the rows (first dimension) of a 2-D tensor, applied
   * after `transform`. Without a `transform`, the tensor can still be converted a block of
   * rows at a time.
   */
  rowPermutation?: RowPermutation;
}

/** A tensor the converter synthesises (rope factors), with its data already known. */
export interface GeneratedTensor {
  name: string;
  data: WorkTensor;
}

export interface ArchitectureDef {
  /** GGUF `general.architecture`. */
  readonly name: string;
  /** `config.json` `architectures[0]` values handled. */
  readonly hfArchitectures: readonly string[];
  /** Tensor kinds the architecture has (gguf-py `MODEL_TENSORS`). */
  readonly tensorKinds: readonly TensorKindId[];
  /** Writes `{arch}.*` hyperparameters and `general.file_type`. */
  setParams(ctx: ArchContext): void;
  /** Writes the vocabulary and special tokens. */
  setVocab(ctx: ArchContext): Promise<void>;
  /** Maps one checkpoint tensor to zero or more GGUF tensors. Defaults to a plain name mapping. */
  planTensor?(name: string, shape: readonly number[], ctx: ArchContext): Promise<PlannedTensor[]> | PlannedTensor[];
  /** Tensors written before the checkpoint's own (llama.cpp's `generate_extra_tensors`). */
  extraTensors?(ctx: ArchContext): GeneratedTensor[];
}

/** Maps a name through the architecture's table or throws naming the tensor. */
export function mapTensorName(ctx: ArchContext, name: string): string {
  const mapped = ctx.tensorMap.get(name);
  if (mapped === undefined) throw new RangeError(`${ctx.arch}: cannot map tensor "${name}" to a GGUF name`);
  return mapped;
}
