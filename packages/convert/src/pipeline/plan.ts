/**
 * Plans a conversion: reads config.json and the checkpoint headers, maps every tensor to
 * its GGUF name, shape and type, and builds the metadata, in the order llama.cpp's
 * converter produces them. Tensor data is not read here: each planned tensor carries a
 * function that reads, transforms and encodes it when the writer asks for it.
 */
import { GGMLType, shapeToNe, tensorBytes } from '@ggufkit/tensor-layout';
import { blockCountOf } from '../arch/base-params.js';
import { architectureByName, findArchitecture } from '../arch/registry.js';
import { TensorNameMap } from '../arch/tensor-names.js';
import type { ArchContext, ArchitectureDef, PlannedTensor } from '../arch/types.js';
import { openCheckpoint } from '../checkpoint/load.js';
import type { Checkpoint, CheckpointTensor } from '../checkpoint/tensor.js';
import { normalizeConfig, type HParams } from '../config/hf-config.js';
import { readJsonFile, type ModelDirectory } from '../io/model-dir.js';
import { MetadataBuilder } from '../metadata/builder.js';
import { GeneralKeys, GGML_QUANT_VERSION } from '../metadata/keys.js';
import { deriveModelNaming } from '../metadata/naming.js';
import { encodeTensor } from '../tensors/encode.js';
import { assertNoOverflow } from '../tensors/overflow.js';
import { allocateKernelBuffer } from '../tensors/bf16-to-f16-wasm.js';
import { permuteTensorRows, type RowPermutation } from '../tensors/permute.js';
import { decodeTensor, reshape, squeezeShape, toF32, type WorkTensor } from '../tensors/work-tensor.js';
import { setVocabAuto } from '../tokenizer/set-vocab.js';
import { asTokenizerJson, type TokenizerJson } from '../tokenizer/tokenizer-json.js';
import { BufferPool } from './buffer-pool.js';
import { trackCheckpointReaders, type RangeTrackingDirectory } from './checkpoint-ranges.js';
import { DIRECT_OUTTYPES, isDirectOutType, tensorOutputType, type DirectOutType } from './output-type.js';
import { collectBytes, DEFAULT_ROW_BLOCK_BYTES, encodeRowBlocks } from './row-blocks.js';
import type { PlannedHeader, PlannedTensorData } from './write-types.js';

export interface PlanOptions {
  /**
   * `f32`, `f16`, `bf16`, `q8_0` (encoded as llama.cpp's converter does), or `auto`
   * (bf16 for bf16 checkpoints, else f16). Default `f16`.
   */
  outtype?: DirectOutType | 'auto';
  /** Plan only the vocabulary (no tensors). */
  vocabOnly?: boolean;
  /** Forces `tokenizer.ggml.pre` for byte-level BPE tokenizers. */
  tokenizerPre?: string;
  /** GGUF architecture for a vocabulary-only conversion of a folder without config.json. Default `llama`. */
  architecture?: string;
  /** Overrides `general.name`. */
  modelName?: string;
  /** Write values that overflow the target type (as inf/NaN) instead of refusing. */
  allowOverflow?: boolean;
  /**
   * Source bytes converted at a time when a checkpoint tensor is streamed in row blocks
   * (default 16 MiB). Smaller blocks use less memory; the output bytes do not change.
   */
  rowBlockBytes?: number;
}

/** A conversion ready to be written. */
export interface ConversionPlan {
  header: PlannedHeader;
  /** Tensors in file order; `data()` reads and converts lazily. */
  tensors: PlannedTensorData[];
  /** GGUF architecture name. */
  architecture: string;
  /** The converter's own output type (`auto` resolved; the f16 base of a requantized plan). */
  outtype: DirectOutType;
  /** `general.file_type`. */
  fileType: number;
  /** Total parameter count (elements of all tensors). */
  parameterCount: number;
  /**
   * Hands back a chunk that a tensor's `stream` yielded, once nothing reads or writes it
   * any more (it is on disk, or was copied), so that its buffer holds a later block.
   * Other byte arrays are ignored; not handing chunks back only costs allocations.
   */
  recycle(chunk: Uint8Array): void;
  /** Releases the checkpoint's file handles. Call after writing. */
  close(): Promise<void>;
}

function hfArchitectureOf(h: HParams): string {
  const a = h['architectures'];
  if (!Array.isArray(a) || typeof a[0] !== 'string') throw new RangeError('config.json: no "architectures" entry naming the model class');
  return a[0];
}

function autoOuttype(ckpt: Checkpoint): DirectOutType {
  for (const t of ckpt.tensors) {
    if (t.shape.length < 2) continue;
    if (t.dtype === 'BF16') return 'bf16';
    if (t.dtype === 'F16') return 'f16';
  }
  return 'f16';
}

interface PendingTensor {
  name: string;
  shape: number[];
  load: () => Promise<WorkTensor>;
  /**
   * The checkpoint tensor when it is written as stored (no layout change other than a row
   * order), so it can be read in row blocks.
   */
  direct?: CheckpointTensor;
  rowPermutation?: RowPermutation;
}

async function loadTransformed(src: CheckpointTensor, p: PlannedTensor): Promise<WorkTensor> {
  const raw = await src.read();
  let t = decodeTensor(src.dtype, src.shape, raw);
  if (p.transform) t = p.transform(t);
  if (p.rowPermutation) t = permuteTensorRows(t, p.rowPermutation);
  return t;
}

/** WebAssembly-backed block buffers one plan allocates at most. */
const MAX_KERNEL_BUFFERS = 32;

/** Plans the conversion of a Hugging Face model folder. */
export async function planConversion(dir: ModelDirectory, opts: PlanOptions = {}): Promise<ConversionPlan> {
  const rawConfig = await readJsonFile(dir, 'config.json');
  if (rawConfig === undefined && !opts.vocabOnly) throw new RangeError(`${dir.name}: no config.json`);
  const hparams: HParams = rawConfig === undefined ? {} : normalizeConfig(rawConfig, `${dir.name}/config.json`);
  const arch: ArchitectureDef = rawConfig === undefined ? architectureByName(opts.architecture ?? 'llama') : findArchitecture(hfArchitectureOf(hparams));
  const blockBytes = opts.rowBlockBytes ?? DEFAULT_ROW_BLOCK_BYTES;
  if (!Number.isSafeInteger(blockBytes) || blockBytes <= 0) throw new RangeError(`rowBlockBytes must be a positive integer, got ${blockBytes}`);
  const tracking: RangeTrackingDirectory = trackCheckpointReaders(dir);
  // Blocks are read into WebAssembly memories where bf16 -> f16 runs with SIMD. A consumer
  // that never hands chunks back would make the pool allocate one per block: past a few
  // dozen, plain buffers are cheaper than more memories.
  let kernelBuffers = 0;
  const pool = new BufferPool(blockBytes, 8, (n) => (kernelBuffers++ < MAX_KERNEL_BUFFERS ? allocateKernelBuffer(n) : new Uint8Array(n)));
  const recycle = (chunk: Uint8Array) => pool.release(chunk);
  const ckpt: Checkpoint | undefined = opts.vocabOnly ? undefined : await openCheckpoint(tracking.dir);
  try {
    let outtype: DirectOutType;
    const requested = opts.outtype ?? 'f16';
    if (requested === 'auto') outtype = ckpt ? autoOuttype(ckpt) : 'f16';
    else if (isDirectOutType(requested)) outtype = requested.toLowerCase() as DirectOutType;
    else throw new RangeError(`unknown outtype "${String(requested)}"; expected f32, f16, bf16, q8_0 or auto`);
    const fileType = DIRECT_OUTTYPES[outtype].fileType;

    let tokenizerJson: Promise<TokenizerJson | undefined> | undefined;
    const blockCount = rawConfig === undefined ? 0 : blockCountOf(hparams);
    const md = new MetadataBuilder();
    const ctx: ArchContext = {
      dir, hparams, md, arch: arch.name, blockCount, fileType,
      tensorMap: new TensorNameMap(arch.tensorKinds, blockCount),
      ...(opts.tokenizerPre !== undefined ? { tokenizerPre: opts.tokenizerPre } : {}),
      tokenizerJson: () => (tokenizerJson ??= readJsonFile(dir, 'tokenizer.json').then((j) => (j === undefined ? undefined : asTokenizerJson(j, `${dir.name}/tokenizer.json`)))),
    };
    md.str(GeneralKeys.ARCHITECTURE, arch.name);

    const pending: PendingTensor[] = [];
    if (ckpt) {
      for (const g of arch.extraTensors?.(ctx) ?? []) pending.push({ name: g.name, shape: [...g.data.shape], load: async () => g.data });
      for (const src of ckpt.tensors) {
        if (src.name.endsWith('.attention.masked_bias') || src.name.endsWith('.attention.bias') || src.name.endsWith('.rotary_emb.inv_freq')) continue;
        const planned = arch.planTensor ? await arch.planTensor(src.name, src.shape, ctx) : [{ name: mapName(ctx, src.name), shape: src.shape }];
        for (const p of planned) {
          // A row order is applied per block when the rows are the checkpoint's first dimension.
          const streamable = p.transform === undefined && sameElements(p.shape, src.shape)
            && (!p.rowPermutation || (p.shape.length === 2 && src.shape.length === 2 && p.shape[0] === src.shape[0]));
          pending.push({
            name: p.name, shape: [...p.shape], load: () => loadTransformed(src, p),
            ...(streamable ? { direct: src, ...(p.rowPermutation ? { rowPermutation: p.rowPermutation } : {}) } : {}),
          });
        }
      }
    }

    const tensors: PlannedTensorData[] = [];
    const names = new Set<string>();
    let parameterCount = 0;
    for (const p of pending) {
      if (names.has(p.name)) throw new RangeError(`two checkpoint tensors map to the GGUF tensor "${p.name}"`);
      names.add(p.name);
      let shape = squeezeShape(p.shape);
      if (shape.length === 0) shape = [...p.shape];
      if (shape.length === 0) shape = [1];
      const ne = shapeToNe(shape);
      const type = tensorOutputType(p.name, ne, outtype);
      parameterCount += ne.reduce((a, b) => a * b, 1);
      const finalShape = shape;
      const whole = async () => {
        const work = reshape(await p.load(), finalShape);
        const encoded = encodeTensor(work, type);
        if (!opts.allowOverflow && work.dtype !== 'f16' && type !== GGMLType.F32) assertNoOverflow(p.name, type, toF32(work), encoded);
        return encoded;
      };
      // Its rows must stay the GGUF rows for a row order to be applied per block.
      const direct = p.rowPermutation && !(ne.length === 2 && ne[1] === p.shape[0]) ? undefined : p.direct;
      const rowPermutation = p.rowPermutation;
      const blocks = async function* (): AsyncGenerator<Uint8Array> {
        const read = direct ? await tracking.rangeReader(direct) : undefined;
        if (!direct || !read) {
          yield await whole();
          return;
        }
        yield* encodeRowBlocks({
          name: p.name, tensor: direct, read, rowLength: ne[0]!, type, allowOverflow: opts.allowOverflow === true, blockBytes, pool,
          ...(rowPermutation ? { rowPermutation } : {}),
        });
      };
      const byteLength = tensorBytes(type, ne);
      tensors.push({
        name: p.name, ne, type,
        // A streamed tensor is assembled from its blocks: one output buffer instead of source + f32 + output copies.
        data: () => (direct ? collectBytes(blocks(), byteLength, `tensor ${p.name}`, recycle) : whole()),
        stream: blocks,
        recycle,
      });
    }

    md.str(GeneralKeys.TYPE, 'model');
    const naming = deriveModelNaming(dir.name, hparams['_name_or_path'], parameterCount);
    md.str(GeneralKeys.NAME, opts.modelName ?? naming.name);
    if (naming.version !== undefined) md.str(GeneralKeys.VERSION, naming.version);
    if (naming.organization !== undefined) md.str(GeneralKeys.ORGANIZATION, naming.organization);
    if (naming.finetune !== undefined) md.str(GeneralKeys.FINETUNE, naming.finetune);
    if (naming.basename !== undefined) md.str(GeneralKeys.BASENAME, naming.basename);
    if (naming.sizeLabel !== undefined) md.str(GeneralKeys.SIZE_LABEL, naming.sizeLabel);

    if (rawConfig !== undefined) {
      arch.setParams(ctx);
      await arch.setVocab(ctx);
    } else {
      await setVocabAuto(ctx);
    }
    md.u32(GeneralKeys.QUANTIZATION_VERSION, GGML_QUANT_VERSION);

    return {
      header: { version: 3, metadata: md.toArray(), alignment: 32 },
      tensors,
      architecture: arch.name,
      outtype,
      fileType,
      parameterCount,
      recycle,
      close: async () => { await ckpt?.close(); },
    };
  } catch (e) {
    await ckpt?.close();
    throw e;
  }
}

function sameElements(a: readonly number[], b: readonly number[]): boolean {
  return a.reduce((x, y) => x * y, 1) === b.reduce((x, y) => x * y, 1);
}

function mapName(ctx: ArchContext, name: string): string {
  const m = ctx.tensorMap.get(name);
  if (m === undefined) throw new RangeError(`${ctx.arch}: cannot map tensor "${name}" to a GGUF name`);
  return m;
}
