import { readFile } from 'node:fs/promises';
import { openGGUFFile } from '@ggufkit/gguf/node';
import { parseLegacyImatrix, readGGUFImatrix, type ImportanceMatrix } from '@ggufkit/quants';

/** Reads an imatrix in either of llama.cpp's formats (GGUF, or the legacy .dat), by its magic. */
export async function loadImatrix(path: string): Promise<ImportanceMatrix> {
  const bytes = new Uint8Array(await readFile(path));
  if (bytes.byteLength >= 4 && new TextDecoder().decode(bytes.subarray(0, 4)) === 'GGUF') {
    const file = await openGGUFFile(path);
    try {
      return await readGGUFImatrix(file, path);
    } finally {
      await file.close();
    }
  }
  return parseLegacyImatrix(bytes, path);
}
