/**
 * Converting a tensor a block of rows at a time. Decoding (bf16 -> f32), f16 rounding and
 * Q8_0 blocks all work element by element or within one row, so encoding row blocks one
 * after the other gives the same bytes as encoding the whole tensor, while memory holds
 * only one block of source, working and encoded data.
 */
import { bf16ToF32, GGMLType } from '@ggufkit/tensor-layout';
import { DTYPE_SIZE } from '../checkpoint/dtypes.js';
import type { CheckpointTensor } from '../checkpoint/tensor.js';
import { encodeTensor } from '../tensors/encode.js';
import { assertNoOverflow, TensorOverflowError } from '../tensors/overflow.js';
import { bf16ArrayToF16Numpy, firstBF16ToF16Overflow } from '../tensors/f16.js';
import { decodeTensor, toF32 } from '../tensors/work-tensor.js';
import type { TensorRangeReader } from './checkpoint-ranges.js';

/** Source bytes converted at a time when a tensor is streamed (16 MiB). */
export const DEFAULT_ROW_BLOCK_BYTES = 16 << 20;

/** What {@link encodeRowBlocks} converts. */
export interface RowBlockSource {
  /** GGUF tensor name, for messages. */
  readonly name: string;
  readonly tensor: CheckpointTensor;
  readonly read: TensorRangeReader;
  /** Row length: `ne[0]` of the GGUF tensor (the innermost PyTorch dimension). */
  readonly rowLength: number;
  /** Output ggml type (F32, F16, BF16 or Q8_0). */
  readonly type: number;
  readonly allowOverflow: boolean;
  /** Source bytes per block, rounded down to whole rows (at least one row). */
  readonly blockBytes: number;
}

/** Number of whole rows in a block of at most `blockBytes` source bytes (at least 1). */
export function rowsPerBlock(rowLength: number, elementBytes: number, blockBytes: number): number {
  return Math.max(1, Math.floor(blockBytes / Math.max(1, rowLength * elementBytes)));
}

/**
 * Yields the tensor's encoded bytes in row blocks, front to back. The blocks concatenated
 * equal `encodeTensor` of the whole tensor.
 */
export async function* encodeRowBlocks(s: RowBlockSource): AsyncGenerator<Uint8Array> {
  const { tensor, rowLength } = s;
  const elementBytes = DTYPE_SIZE[tensor.dtype];
  const elements = tensor.byteLength / elementBytes;
  if (elements === 0) return;
  if (rowLength <= 0 || elements % rowLength !== 0) {
    throw new RangeError(`tensor ${s.name}: ${elements} elements are not whole rows of ${rowLength}`);
  }
  const rows = elements / rowLength;
  const step = rowsPerBlock(rowLength, elementBytes, s.blockBytes);
  const rowBytes = rowLength * elementBytes;
  for (let r0 = 0; r0 < rows; r0 += step) {
    const r1 = Math.min(rows, r0 + step);
    const raw = await s.read(r0 * rowBytes, r1 * rowBytes);
    if (tensor.dtype === 'BF16' && s.type === GGMLType.F16) {
      yield bf16BlockToF16(s, raw, rows > step ? ` (rows ${r0}-${r1 - 1})` : '');
      continue;
    }
    const work = decodeTensor(tensor.dtype, [r1 - r0, rowLength], raw);
    const encoded = encodeTensor(work, s.type);
    if (!s.allowOverflow && work.dtype !== 'f16' && s.type !== GGMLType.F32) {
      assertNoOverflow(rows > step ? `${s.name} (rows ${r0}-${r1 - 1})` : s.name, s.type, toF32(work), encoded);
    }
    yield encoded;
  }
}

/** The common bf16 checkpoint -> f16 GGUF case, by table lookup (same bits as through f32). */
function bf16BlockToF16(s: RowBlockSource, raw: Uint8Array, where: string): Uint8Array {
  const src = raw.byteOffset % 2 === 0 ? new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2) : new Uint16Array(raw.slice().buffer);
  const out = bf16ArrayToF16Numpy(src);
  if (!s.allowOverflow) {
    const i = firstBF16ToF16Overflow(src, out);
    if (i >= 0) {
      throw new TensorOverflowError(`tensor ${s.name}${where}: value ${bf16ToF32(src[i]!)} at index ${i} overflows F16 (max 65504); pass allowOverflow / --allow-overflow to write it anyway`);
    }
  }
  return new Uint8Array(out.buffer);
}

/** Concatenates a chunk stream of known total size into one buffer. */
export async function collectBytes(chunks: AsyncIterable<Uint8Array>, total: number, what: string): Promise<Uint8Array> {
  const out = new Uint8Array(total);
  let at = 0;
  for await (const c of chunks) {
    if (at + c.length > total) throw new RangeError(`${what}: produced more than the expected ${total} bytes`);
    out.set(c, at);
    at += c.length;
  }
  if (at !== total) throw new RangeError(`${what}: produced ${at} bytes, expected ${total}`);
  return out;
}
