import { readFile } from 'node:fs/promises';
import { UsageError } from './cli-error.js';
import { writeFileAtomic } from './write-atomic.js';

/** Reads a raw little-endian float32 file. */
export async function readF32File(path: string, what: string): Promise<Float32Array> {
  const bytes = await readFile(path);
  if (bytes.byteLength % 4 !== 0) throw new UsageError(`${what} ${path}: size ${bytes.byteLength} is not a multiple of 4 (float32)`);
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** Reads a raw file as bytes. */
export async function readBytesFile(path: string): Promise<Uint8Array> {
  const b = await readFile(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Writes raw bytes or float32 values (little-endian) through a temp file and rename. */
export async function writeRawFile(path: string, data: Uint8Array | Float32Array): Promise<void> {
  await writeFileAtomic(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}
