/**
 * llama.cpp's legacy imatrix file (`.dat`): int32 entry count; per entry an int32 name
 * length, the name, int32 ncall, int32 nval and nval float32 sums; then optionally int32
 * chunk count, int32 dataset-name length and the dataset name. All little-endian.
 */

/** Importance weights per tensor, as llama-quantize applies them. */
export interface ImportanceMatrix {
  /** Weights per tensor name: the stored sums divided by the call count (in f32). */
  readonly entries: ReadonlyMap<string, Float32Array>;
  /** Number of chunks the matrix was computed from, when recorded. */
  readonly chunkCount: number | undefined;
  /** Calibration dataset names, when recorded. */
  readonly datasets: readonly string[];
}

/** A malformed imatrix file; the message names the file and byte offset. */
export class ImatrixFormatError extends Error {
  override readonly name = 'ImatrixFormatError';
}

/** Parses a legacy `.dat` imatrix. Every length is checked against the bytes that remain. */
export function parseLegacyImatrix(bytes: Uint8Array, fileName = '<imatrix>'): ImportanceMatrix {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const fail = (what: string): never => { throw new ImatrixFormatError(`${fileName} at offset ${pos}: ${what}`); };
  const i32 = (what: string): number => {
    if (pos + 4 > bytes.byteLength) fail(`truncated: expected ${what}`);
    const v = view.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const utf8 = new TextDecoder();
  const nEntries = i32('the entry count');
  if (nEntries < 1) fail(`entry count ${nEntries} is not positive`);
  // each entry takes at least 16 bytes, so a count the file cannot hold fails before any loop
  if (nEntries > (bytes.byteLength - pos) / 16) fail(`entry count ${nEntries} does not fit in ${bytes.byteLength} bytes`);
  const entries = new Map<string, Float32Array>();
  for (let i = 0; i < nEntries; i++) {
    const len = i32(`the length of name ${i}`);
    if (len < 0 || len > bytes.byteLength - pos) fail(`name length ${len} of entry ${i} runs past the end`);
    const raw = bytes.subarray(pos, pos + len);
    const nul = raw.indexOf(0);
    const name = utf8.decode(nul >= 0 ? raw.subarray(0, nul) : raw);
    pos += len;
    const ncall = i32(`the call count of ${name}`);
    const nval = i32(`the value count of ${name}`);
    if (nval < 1 || nval > (bytes.byteLength - pos) / 4) fail(`value count ${nval} of ${name} does not fit in the file`);
    const values = new Float32Array(nval);
    for (let k = 0; k < nval; k++) values[k] = view.getFloat32(pos + 4 * k, true);
    pos += 4 * nval;
    if (ncall > 0) for (let k = 0; k < nval; k++) values[k] = Math.fround(values[k]! / ncall);
    entries.set(name, values);
  }
  let chunkCount: number | undefined;
  const datasets: string[] = [];
  if (pos < bytes.byteLength) {
    chunkCount = i32('the chunk count');
    const len = i32('the dataset name length');
    if (len < 0 || len > bytes.byteLength - pos) fail(`dataset name length ${len} runs past the end`);
    datasets.push(utf8.decode(bytes.subarray(pos, pos + len)));
    pos += len;
  }
  return { entries, chunkCount, datasets };
}

/**
 * The weights llama-quantize uses for a tensor: the entry of the same name when its length
 * is `ne[0] * ne[2]`; none when the matrix has no entry. A length mismatch is an error,
 * except for the token embedding, which llama.cpp quantizes without weights then.
 */
export function imatrixForTensor(m: ImportanceMatrix, name: string, ne: readonly number[]): Float32Array | undefined {
  const w = m.entries.get(name);
  if (!w) return undefined;
  const expected = ne[0]! * (ne[2] ?? 1);
  if (w.length === expected) return w;
  if (name === 'token_embd.weight') return undefined;
  throw new RangeError(`imatrix entry ${name} has ${w.length} values; the tensor needs ${expected}`);
}
