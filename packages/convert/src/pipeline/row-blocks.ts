/**
 * Converting a tensor a block of rows at a time. Decoding (bf16 -> f32), f16 rounding and
 * Q8_0 blocks all work element by element or within one row, so encoding row blocks one
 * after the other gives the same bytes as encoding the whole tensor, while memory holds
 * only a few blocks of source, working and encoded data.
 *
 * The next blocks are read while the current one is converted (the reads run on libuv's
 * threads), and the common bf16 -> f16 case converts each block in the buffer it was read
 * into, which is then the output chunk: with a {@link BufferPool} whose buffers come back
 * once written, a streamed conversion reuses a handful of buffers instead of allocating
 * two per block.
 */
import { bf16ToF32, GGMLType } from '@ggufkit/tensor-layout';
import { DTYPE_SIZE } from '../checkpoint/dtypes.js';
import type { CheckpointTensor } from '../checkpoint/tensor.js';
import { encodeTensor } from '../tensors/encode.js';
import { assertNoOverflow, TensorOverflowError } from '../tensors/overflow.js';
import { bf16ToF16InPlaceFast } from '../tensors/bf16-to-f16-wasm.js';
import { permuteRowBytes, type RowPermutation } from '../tensors/permute.js';
import { decodeTensor, toF32 } from '../tensors/work-tensor.js';
import type { BufferPool } from './buffer-pool.js';
import type { TensorRangeReader } from './checkpoint-ranges.js';

/** Source bytes converted at a time when a tensor is streamed (16 MiB). */
export const DEFAULT_ROW_BLOCK_BYTES = 16 << 20;

/** Pool chunks smaller than this are yielded as copies (see `encodeRowBlocks`). */
const SMALL_CHUNK_BYTES = 1 << 20;

/** Blocks whose reads are under way while one block is converted. */
const READ_AHEAD_BLOCKS = 2;

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
  /**
   * Where bf16 -> f16 blocks are read (and converted in place). The yielded chunks are
   * then pool buffers: whoever consumes them last may `release` them. Without a pool each
   * block gets a new buffer.
   */
  readonly pool?: BufferPool;
  /** Row order applied to each block (blocks then hold whole groups of rows). */
  readonly rowPermutation?: RowPermutation;
}

/** Number of whole rows in a block of at most `blockBytes` source bytes (at least 1). */
export function rowsPerBlock(rowLength: number, elementBytes: number, blockBytes: number): number {
  return Math.max(1, Math.floor(blockBytes / Math.max(1, rowLength * elementBytes)));
}

interface BlockRead {
  r0: number;
  r1: number;
  bytes: Promise<Uint8Array>;
}

/**
 * Yields the tensor's encoded bytes in row blocks, front to back. The blocks concatenated
 * equal `encodeTensor` of the whole tensor. A yielded chunk is not touched again by this
 * generator.
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
  const perm = s.rowPermutation;
  let step = rowsPerBlock(rowLength, elementBytes, s.blockBytes);
  if (perm) {
    if (rows % perm.groupRows !== 0) throw new RangeError(`tensor ${s.name}: ${rows} rows are not whole groups of ${perm.groupRows} to reorder`);
    step = Math.max(perm.groupRows, step - (step % perm.groupRows));
  }
  const rowBytes = rowLength * elementBytes;
  const inPlace = tensor.dtype === 'BF16' && s.type === GGMLType.F16;
  const reads: BlockRead[] = [];
  let nextRow = 0;
  const startRead = () => {
    const r0 = nextRow;
    const r1 = Math.min(rows, r0 + step);
    nextRow = r1;
    const n = (r1 - r0) * rowBytes;
    // Converted in place, so the bytes must land in a buffer of our own (a reader may hand
    // out views of memory it keeps).
    const into = inPlace ? (s.pool?.acquire(n) ?? new Uint8Array(n)) : undefined;
    const bytes = s.read(r0 * rowBytes, r1 * rowBytes, into);
    bytes.catch(() => undefined); // a failure is thrown where the block is awaited
    reads.push({ r0, r1, bytes });
  };
  try {
    while (reads.length < 1 + READ_AHEAD_BLOCKS && nextRow < rows) startRead();
    while (reads.length > 0) {
      const { r0, r1, bytes } = reads.shift()!;
      const raw = await bytes;
      if (nextRow < rows) startRead();
      const where = rows > step ? ` (rows ${r0}-${r1 - 1})` : '';
      let encoded: Uint8Array;
      if (inPlace) {
        encoded = bf16BlockToF16InPlace(s, raw, where);
      } else {
        const work = decodeTensor(tensor.dtype, [r1 - r0, rowLength], raw);
        encoded = encodeTensor(work, s.type);
        if (!s.allowOverflow && work.dtype !== 'f16' && s.type !== GGMLType.F32) {
          assertNoOverflow(`${s.name}${where}`, s.type, toF32(work), encoded);
        }
      }
      if (perm) encoded = reorderRows(encoded, r1 - r0, perm, s.pool);
      if (encoded.length < SMALL_CHUNK_BYTES && s.pool?.isLent(encoded)) {
        // Writers gather small chunks into larger writes by copying them, so a small pool
        // chunk would never come back: hand out a copy and keep the buffer.
        const copy = encoded.slice();
        s.pool.release(encoded);
        encoded = copy;
      }
      yield encoded;
    }
  } finally {
    // Stopped early: reads still under way finish into buffers nobody uses (and that are
    // not given back to the pool, since a read may still be writing them).
    reads.length = 0;
  }
}

/** A block's encoded rows in the permuted order, in a new buffer (the block's own goes back to the pool). */
function reorderRows(block: Uint8Array, rows: number, perm: RowPermutation, pool: BufferPool | undefined): Uint8Array {
  const out = pool?.acquire(block.length) ?? new Uint8Array(block.length);
  permuteRowBytes(block, out, block.length / rows, perm);
  pool?.release(block);
  return out;
}

/** The common bf16 checkpoint -> f16 GGUF case (same bits as through f32), in place. */
function bf16BlockToF16InPlace(s: RowBlockSource, raw: Uint8Array, where: string): Uint8Array {
  if (raw.byteOffset % 2 !== 0) raw = raw.slice();
  const words = new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
  const i = bf16ToF16InPlaceFast(words, !s.allowOverflow);
  if (i >= 0) {
    throw new TensorOverflowError(`tensor ${s.name}${where}: value ${bf16ToF32(words[i]!)} at index ${i} overflows F16 (max 65504); pass allowOverflow / --allow-overflow to write it anyway`);
  }
  return raw;
}

/**
 * Concatenates a chunk stream of known total size into one buffer; each chunk, once
 * copied, goes to `release` (when given).
 */
export async function collectBytes(chunks: AsyncIterable<Uint8Array>, total: number, what: string, release?: (chunk: Uint8Array) => void): Promise<Uint8Array> {
  const out = new Uint8Array(total);
  let at = 0;
  for await (const c of chunks) {
    if (at + c.length > total) throw new RangeError(`${what}: produced more than the expected ${total} bytes`);
    out.set(c, at);
    at += c.length;
    release?.(c);
  }
  if (at !== total) throw new RangeError(`${what}: produced ${at} bytes, expected ${total}`);
  return out;
}
