/**
 * llama.cpp's GGUF imatrix format: per matrix `<name>.in_sum2` (F32, `ne = [n, n_mat]`,
 * summed squared activations) and `<name>.counts` (F32, one count per expert matrix), with
 * `imatrix.datasets` and `imatrix.chunk_count` metadata. The weights are in_sum2 / count
 * per matrix, and 1 where a matrix was never used, as llama-quantize computes them.
 */
import { ImatrixFormatError, type ImportanceMatrix } from './legacy-dat.js';

/** The parts of a parsed GGUF file this reader needs (a `GGUFFile` from `@ggufkit/gguf` fits). */
export interface ImatrixGGUFSource {
  readonly metadata: ReadonlyArray<{ readonly key: string; readonly value: unknown }>;
  readonly tensors: ReadonlyArray<{ readonly name: string; readonly ne: readonly number[]; readonly type: number }>;
  readTensorData(name: string): Promise<Uint8Array>;
}

const F32 = 0;
const SUMS = '.in_sum2';
const COUNTS = '.counts';

function f32View(bytes: Uint8Array): Float32Array {
  const b = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

/** Reads a GGUF imatrix. `fileName` is used in error messages. */
export async function readGGUFImatrix(file: ImatrixGGUFSource, fileName = '<imatrix>'): Promise<ImportanceMatrix> {
  const meta = new Map(file.metadata.map((e) => [e.key, e.value]));
  if (!meta.has('imatrix.chunk_count') && !meta.has('imatrix.datasets')) {
    throw new ImatrixFormatError(`${fileName}: not an imatrix (no imatrix.* metadata)`);
  }
  const byName = new Map(file.tensors.map((t) => [t.name, t]));
  const entries = new Map<string, Float32Array>();
  for (const t of file.tensors) {
    if (!t.name.endsWith(SUMS)) continue;
    const name = t.name.slice(0, -SUMS.length);
    const c = byName.get(name + COUNTS);
    if (!c) throw new ImatrixFormatError(`${fileName}: ${t.name} has no ${name + COUNTS}`);
    if (t.type !== F32 || c.type !== F32) throw new ImatrixFormatError(`${fileName}: ${name} must be stored as F32`);
    const sums = f32View(await file.readTensorData(t.name));
    const counts = f32View(await file.readTensorData(c.name));
    if (counts.length === 0 || sums.length % counts.length !== 0) {
      throw new ImatrixFormatError(`${fileName}: ${name} has ${sums.length} sums for ${counts.length} counts`);
    }
    const ne0 = sums.length / counts.length;
    const values = new Float32Array(sums.length);
    for (let j = 0; j < counts.length; j++) {
      const count = counts[j]!;
      for (let i = 0; i < ne0; i++) values[j * ne0 + i] = count > 0 ? Math.fround(sums[j * ne0 + i]! / count) : 1;
    }
    entries.set(name, values);
  }
  const chunks = meta.get('imatrix.chunk_count');
  const ds = meta.get('imatrix.datasets') as { values?: Iterable<unknown> } | undefined;
  const datasets = ds?.values ? [...ds.values].map(String) : [];
  return { entries, chunkCount: typeof chunks === 'number' ? chunks : undefined, datasets };
}
