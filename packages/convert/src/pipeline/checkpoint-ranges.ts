/**
 * Byte-range reads of checkpoint tensors. The checkpoint reader hands out whole tensors;
 * converting a large tensor in row blocks needs pieces of it instead, so that memory
 * stays near one block rather than one tensor. For safetensors parts the byte ranges
 * are known from the header (already validated when the checkpoint was opened, read
 * again here to learn where each tensor starts). Other formats (PyTorch zip archives,
 * possibly compressed) are read whole.
 */
import type { ByteReader } from '../io/byte-reader.js';
import type { ModelDirectory } from '../io/model-dir.js';
import type { CheckpointTensor } from '../checkpoint/tensor.js';

/**
 * Reads bytes `[start, end)` of one tensor's data. With `into` (at least `end - start`
 * bytes), the bytes land there and the returned view is `into`'s first `end - start` bytes.
 */
export type TensorRangeReader = (start: number, end: number, into?: Uint8Array) => Promise<Uint8Array>;

/** A model folder whose opened files stay reachable for ranged reads. */
export interface RangeTrackingDirectory {
  /** The folder to open the checkpoint through (it records every reader it opens). */
  readonly dir: ModelDirectory;
  /** A range reader for `tensor`, or `undefined` when its file cannot be read in pieces. */
  rangeReader(tensor: CheckpointTensor): Promise<TensorRangeReader | undefined>;
}

interface Span { begin: number; end: number }

/** Tensor byte spans (absolute file offsets) of a safetensors file, or `undefined` if the header does not parse. */
async function safetensorsSpans(reader: ByteReader): Promise<Map<string, Span> | undefined> {
  try {
    const size = await reader.size();
    const head = await reader.read(0, 8);
    const n = Number(new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true));
    if (!Number.isSafeInteger(n) || 8 + n > size) return undefined;
    const json = JSON.parse(new TextDecoder().decode(await reader.read(8, n))) as Record<string, unknown>;
    const spans = new Map<string, Span>();
    for (const [name, v] of Object.entries(json)) {
      const offsets = (v as { data_offsets?: unknown } | null)?.data_offsets;
      if (name === '__metadata__' || !Array.isArray(offsets) || offsets.length !== 2) continue;
      const [b, e] = offsets as [number, number];
      spans.set(name, { begin: 8 + n + b, end: 8 + n + e });
    }
    return spans;
  } catch {
    return undefined;
  }
}

/**
 * Wraps `dir` so that the readers the checkpoint loader opens can also serve ranged reads
 * of single tensors. The wrapped folder behaves exactly like `dir` otherwise.
 */
export function trackCheckpointReaders(dir: ModelDirectory): RangeTrackingDirectory {
  const readers = new Map<string, ByteReader>();
  const spans = new Map<string, Promise<Map<string, Span> | undefined>>();
  const tracked: ModelDirectory = {
    name: dir.name,
    list: () => dir.list(),
    has: (file) => dir.has(file),
    readText: (file) => dir.readText(file),
    readBytes: (file) => dir.readBytes(file),
    open: async (file) => {
      const reader = await dir.open(file);
      readers.set(reader.name, reader);
      return reader;
    },
  };
  return {
    dir: tracked,
    async rangeReader(tensor) {
      const reader = readers.get(tensor.file);
      if (!reader || !tensor.file.endsWith('.safetensors')) return undefined;
      let p = spans.get(tensor.file);
      if (!p) spans.set(tensor.file, (p = safetensorsSpans(reader)));
      const span = (await p)?.get(tensor.name);
      // The loader checked the header; a mismatch here means the file is not what it parsed.
      if (!span || span.end - span.begin !== tensor.byteLength) return undefined;
      return async (start, end, into) => {
        if (!(start >= 0 && end >= start && end <= tensor.byteLength)) {
          throw new RangeError(`${tensor.file}: tensor "${tensor.name}": byte range [${start}, ${end}) is outside its ${tensor.byteLength} bytes`);
        }
        if (!into) return reader.read(span.begin + start, end - start);
        if (into.length < end - start) throw new RangeError(`${tensor.file}: tensor "${tensor.name}": a buffer of ${into.length} bytes cannot take ${end - start}`);
        const view = into.subarray(0, end - start);
        if (reader.readInto) await reader.readInto(span.begin + start, view);
        else view.set(await reader.read(span.begin + start, end - start));
        return view;
      };
    },
  };
}
