/**
 * Access to ggml's reference quantizer outputs in ../shared/golden/quants (beside the
 * repository): the manifest's cases and the files they name. When the folder is absent,
 * `haveGolden` is false and the lists are empty, so suites can skip visibly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One quantization case: `rows x cols` f32 input, expected blocks and their dequantization. */
export interface GoldenCase {
  type: string;
  dist: string;
  rows: number;
  cols: number;
  input: string;
  imatrix: string | null;
  quantized: string;
  dequantized: string;
  sha256: string;
  outOfF16Range: boolean;
}

/** One dot-product case: a quantized weight row, an f32 activation row, ggml's result. */
export interface GoldenVecDot {
  type: string;
  cols: number;
  weights_f32: string;
  weights: string;
  activation: string;
  expected: number;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Folder of the golden files. */
export const goldenDir = path.resolve(repoRoot, '../shared/golden/quants');

/** True when the manifest is present. */
export const haveGolden = fs.existsSync(path.join(goldenDir, 'manifest.json'));

/** The parsed manifest (empty lists when the goldens are absent). */
export const goldenManifest: { cases: GoldenCase[]; vecdot: GoldenVecDot[]; ggml_commit?: string } = haveGolden
  ? JSON.parse(fs.readFileSync(path.join(goldenDir, 'manifest.json'), 'utf8'))
  : { cases: [], vecdot: [] };

/** The bytes of a golden file. */
export function readGoldenBytes(name: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(goldenDir, name)));
}

/** A golden file as little-endian float32 values. */
export function readGoldenF32(name: string): Float32Array {
  const b = readGoldenBytes(name);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

/** A short test name for a case, e.g. `q4_0 gauss imatrix`. */
export function caseName(c: GoldenCase): string {
  return `${c.type} ${c.dist}${c.imatrix ? ' imatrix' : ''}`;
}
