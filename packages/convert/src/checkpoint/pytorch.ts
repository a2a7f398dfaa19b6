/**
 * PyTorch `pytorch_model*.bin` checkpoints (`torch.save` zip format): `<archive>/data.pkl`
 * describes the tensors, `<archive>/data/<key>` holds each storage's raw bytes. Tensors
 * are read lazily by byte range; strided (non-contiguous) views are gathered.
 */
import type { ByteReader } from '../io/byte-reader.js';
import { DTYPE_SIZE } from './dtypes.js';
import { CheckpointFormatError } from './safetensors.js';
import { shapeElements, type CheckpointTensor } from './tensor.js';
import { PickleError, unpickleStateDict, type PickledTensor } from './unpickle.js';
import { openZip, type ZipArchive, type ZipEntry } from './zip.js';

function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i]! !== 1 && stride[i] !== expected) return false;
    expected *= shape[i]!;
  }
  return true;
}

async function readTensor(zip: ZipArchive, entry: ZipEntry, t: PickledTensor): Promise<Uint8Array> {
  const es = DTYPE_SIZE[t.storage.dtype];
  const n = shapeElements(t.shape);
  if (n === 0) return new Uint8Array(0);
  if (isContiguous(t.shape, t.stride)) return zip.read(entry, t.offset * es, n * es);
  // gather a strided view element by element from the span it covers
  let maxIndex = t.offset;
  for (let i = 0; i < t.shape.length; i++) maxIndex += (t.shape[i]! - 1) * t.stride[i]!;
  const span = await zip.read(entry, t.offset * es, (maxIndex - t.offset + 1) * es);
  const out = new Uint8Array(n * es);
  const idx = new Array<number>(t.shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    let src = 0;
    for (let i = 0; i < idx.length; i++) src += idx[i]! * t.stride[i]!;
    out.set(span.subarray(src * es, (src + 1) * es), k * es);
    for (let i = idx.length - 1; i >= 0; i--) {
      if (++idx[i]! < t.shape[i]!) break;
      idx[i] = 0;
    }
  }
  return out;
}

/** Lists the tensors of a PyTorch zip checkpoint, in the state dict's order. */
export async function openPytorchBin(reader: ByteReader): Promise<CheckpointTensor[]> {
  const file = reader.name;
  const zip = await openZip(reader);
  const pkls = [...zip.entries.keys()].filter((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (pkls.length !== 1) throw new CheckpointFormatError(file, pkls.length === 0 ? 'no data.pkl in the archive (legacy non-zip torch.save files are not supported)' : 'several data.pkl entries in the archive');
  const prefix = pkls[0]!.slice(0, -'data.pkl'.length);
  const pklEntry = zip.entries.get(pkls[0]!)!;
  if (pklEntry.size > 1 << 30) throw new CheckpointFormatError(file, `data.pkl is ${pklEntry.size} bytes, too large`);
  let records: Map<string, PickledTensor>;
  try {
    records = unpickleStateDict(await zip.read(pklEntry, 0, pklEntry.size), `${file}:${pkls[0]}`);
  } catch (e) {
    if (e instanceof PickleError) throw new CheckpointFormatError(file, e.message);
    throw e;
  }
  const out: CheckpointTensor[] = [];
  for (const [name, t] of records) {
    const entry = zip.entries.get(`${prefix}data/${t.storage.key}`);
    if (!entry) throw new CheckpointFormatError(file, `storage "${t.storage.key}" is missing from the archive`, name);
    const es = DTYPE_SIZE[t.storage.dtype];
    if (t.shape.some((d) => d < 0) || t.stride.length !== t.shape.length || t.stride.some((s) => s < 0)) throw new CheckpointFormatError(file, 'bad shape or stride', name);
    const n = shapeElements(t.shape);
    let maxIndex = t.offset;
    for (let i = 0; i < t.shape.length; i++) maxIndex += (t.shape[i]! - 1) * t.stride[i]!;
    if (n > 0 && (maxIndex + 1) * es > entry.size) throw new CheckpointFormatError(file, `view [offset ${t.offset}, shape ${t.shape.join('x')}, stride ${t.stride.join(',')}] runs past its ${entry.size}-byte storage`, name);
    out.push({ name, dtype: t.storage.dtype, shape: Object.freeze([...t.shape]), byteLength: n * es, file, read: () => readTensor(zip, entry, t) });
  }
  return out;
}
