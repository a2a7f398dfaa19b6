/**
 * Straight-to-mix conversion (`--outtype Q4_K_M`) with bounded memory. `quantizeGGUF`
 * decides every tensor's type and order exactly as llama-quantize does, but converts each
 * tensor whole: the f16 bytes, their f32 values and the quantized output of the largest
 * tensor (the token embedding) at once. ggml quantizes rows independently (the importance
 * matrix is per column), so a tensor quantized a block of rows at a time gives the same
 * bytes; here tensors that the conversion plan streams are quantized block by block.
 */
import type { TensorToWrite } from '@ggufkit/gguf';
import { requireGGMLType, tensorBytes } from '@ggufkit/tensor-layout';
import type { PlannedTensor as QuantPlannedTensor } from '@ggufkit/quants';
import { tensorToF32, type QuantizedGGUF, type QuantizeGGUFOptions } from '../quantize/quantize-gguf.js';
import { assertNoOverflow } from '../tensors/overflow.js';
import type { PlannedTensorData } from './write-types.js';

/** Quantizes `nrows` rows of `ncols` f32 values into `type` (on this thread or a worker pool). */
export type RowQuantizer = (type: number, values: Float32Array, nrows: number, ncols: number, weights: Float32Array | null) => Promise<Uint8Array>;

/** The options of {@link quantizeInRowBlocks} that `quantizeGGUF` also takes. */
export type RowBlockQuantizeOptions = Pick<QuantizeGGUFOptions, 'imatrix' | 'codecFor' | 'allowOverflow' | 'threads' | 'pool'>;

/** Quantizes one planned tensor from a stream of whole-row pieces of its source bytes. */
async function* quantizeStream(
  p: QuantPlannedTensor, source: AsyncIterable<Uint8Array>, quantize: RowQuantizer, opts: RowBlockQuantizeOptions,
  release: ((chunk: Uint8Array) => void) | undefined,
): AsyncGenerator<Uint8Array> {
  const ncols = p.ne[0]!;
  const rowBytes = tensorBytes(p.fromType, [ncols]);
  const weights = opts.imatrix?.(p.name, ncols) ?? null;
  let row = 0;
  for await (const piece of source) {
    if (piece.length % rowBytes !== 0) throw new RangeError(`tensor ${p.name}: a piece of ${piece.length} bytes is not whole rows of ${rowBytes}`);
    const nrows = piece.length / rowBytes;
    const values = tensorToF32(piece, p.fromType, [ncols, nrows], opts.codecFor);
    // decoding copied the piece (unless the values are a view of it), so it can hold another block
    if (values.buffer !== piece.buffer) release?.(piece);
    const out = await quantize(p.toType, values, nrows, ncols, weights);
    if (!opts.allowOverflow) assertNoOverflow(nrows === p.ne.slice(1).reduce((a, b) => a * b, 1) ? p.name : `${p.name} (rows ${row}-${row + nrows - 1})`, p.toType, values, out);
    row += nrows;
    yield out;
  }
}

/**
 * The tensors of `q` with every block-quantized tensor produced row block by row block
 * from the conversion plan's stream. Tensors kept as they are, or converted to a float
 * type, keep `quantizeGGUF`'s own data. By default each block is quantized where `q`
 * quantizes (its worker pool when it has `threads` > 1 or a `pool`).
 */
export function quantizeInRowBlocks(
  q: QuantizedGGUF, planned: readonly PlannedTensorData[], opts: RowBlockQuantizeOptions = {},
  quantize: RowQuantizer = q.quantizeRows,
): TensorToWrite[] {
  const byName = new Map(planned.map((t) => [t.name, t]));
  return q.tensors.map((t, i) => {
    const p = q.plan.tensors[i]!;
    const src = byName.get(p.name);
    if (!p.convert || !requireGGMLType(p.toType).quantized || !src || src.type !== p.fromType) return t;
    return { name: t.name, ne: t.ne, type: t.type, data: () => quantizeStream(p, src.stream(), quantize, opts, src.recycle) };
  });
}
