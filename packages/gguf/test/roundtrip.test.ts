/**
 * Read-then-write with our own reader and writer is byte-identical (sha256 of the whole
 * file) for every llama.cpp-written GGUF in ../shared/models and the example model, with
 * whole-tensor and piecewise data copies, and through editGGUF with no edits.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GGMLType, GGUFValueType as T } from '@ggufkit/tensor-layout';
import { copyTensors, editGGUF, type GGUFMetadataEntry, type TensorToWrite } from '@ggufkit/gguf';
import { openGGUFFile, writeGGUFFile } from '@ggufkit/gguf/node';
import { label, roundTripFiles, sha256File } from './roundtrip-helpers.js';

const files = roundTripFiles('roundtrip');
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-roundtrip-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('round trip through openGGUFFile + writeGGUFFile', () => {
  it('has files to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(`${label(file)} is rewritten byte-identical`, async () => {
      const original = await sha256File(file);
      const gguf = await openGGUFFile(file);
      const out = path.join(dir, path.basename(file));
      try {
        // The opened file is itself the header to write.
        const written = await writeGGUFFile(out, gguf, copyTensors(gguf), { sync: false });
        expect(written.dataOffset).toBe(gguf.dataOffset);
        expect(written.tensors.map((t) => t.offset)).toEqual(gguf.tensors.map((t) => t.offset));
        expect(await sha256File(out)).toBe(original);

        // Copy in odd-sized pieces, so tensors cross piece boundaries.
        await writeGGUFFile(out, gguf, copyTensors(gguf, { chunkBytes: 100_003 }), { sync: false });
        expect(await sha256File(out)).toBe(original);

        const edited = editGGUF(gguf, {});
        await writeGGUFFile(out, edited.header, edited.tensors, { sync: false });
        expect(await sha256File(out)).toBe(original);
      } finally {
        await gguf.close();
        fs.rmSync(out, { force: true });
      }
    });
  }
});

describe('round trip of files we write, in every byte order and version', () => {
  const metadata: GGUFMetadataEntry[] = [
    { key: 'u8', type: T.UINT8, value: 7 },
    { key: 'i8', type: T.INT8, value: -7 },
    { key: 'u16', type: T.UINT16, value: 0xbeef },
    { key: 'i16', type: T.INT16, value: -1234 },
    { key: 'u32', type: T.UINT32, value: 0xdeadbeef },
    { key: 'i32', type: T.INT32, value: -123456 },
    { key: 'f32', type: T.FLOAT32, value: Math.fround(0.1) },
    { key: 'bool', type: T.BOOL, value: true },
    { key: 'str', type: T.STRING, value: 'héllo' },
    { key: 'raw', type: T.STRING, value: new Uint8Array([0xc3, 0x28]) },
    { key: 'u64', type: T.UINT64, value: 0xfedcba9876543210n },
    { key: 'i64', type: T.INT64, value: -5n },
    { key: 'f64', type: T.FLOAT64, value: 1e-300 },
    { key: 'a.u16', type: T.ARRAY, value: { itemType: T.UINT16, values: new Uint16Array([1, 0x0102, 0xffff]) } },
    { key: 'a.f64', type: T.ARRAY, value: { itemType: T.FLOAT64, values: new Float64Array([0.5, -0]) } },
    { key: 'a.i64', type: T.ARRAY, value: { itemType: T.INT64, values: new BigInt64Array([-1n, 2n]) } },
    { key: 'a.str', type: T.ARRAY, value: { itemType: T.STRING, values: ['x', new Uint8Array([0xff]), ''] } },
    { key: 'a.bool', type: T.ARRAY, value: { itemType: T.BOOL, values: [false, true] } },
  ];
  const tensors = (): TensorToWrite[] => [
    { name: 'a', ne: [5], type: GGMLType.F32, data: new Uint8Array(20).map((_, i) => i) },
    { name: 'b', ne: [32, 3], type: GGMLType.Q8_0, data: new Uint8Array(102).map((_, i) => 255 - i) },
  ];
  for (const [version, bigEndian] of [[3, false], [3, true], [2, false], [2, true], [1, false]] as const) {
    it(`v${version} ${bigEndian ? 'big' : 'little'}-endian: write, read, write gives the same bytes`, async () => {
      const first = path.join(dir, `first-${version}-${bigEndian}.gguf`);
      const second = path.join(dir, `second-${version}-${bigEndian}.gguf`);
      await writeGGUFFile(first, { version, bigEndian, metadata, alignment: 64 }, tensors(), { sync: false });
      const f = await openGGUFFile(first);
      try {
        expect([f.version, f.bigEndian, f.alignment]).toEqual([version, bigEndian, 64]);
        await writeGGUFFile(second, f, copyTensors(f), { sync: false });
      } finally {
        await f.close();
      }
      expect(await sha256File(second)).toBe(await sha256File(first));
    });
  }
});
