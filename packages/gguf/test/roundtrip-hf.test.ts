/**
 * Byte-identical round trip with an independent reader: @huggingface/gguf parses each
 * llama.cpp-written file, our writer writes it back from that parse, and the sha256 of the
 * whole output equals the original's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeGGUFFile } from '@ggufkit/gguf/node';
import { label, roundTripFiles, sha256File, writerInputFromHF } from './roundtrip-helpers.js';

const files = roundTripFiles('roundtrip-hf');
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-roundtrip-hf-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('round trip through @huggingface/gguf parse + our writer', () => {
  it('has files to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(`${label(file)} is rewritten byte-identical`, async () => {
      const input = await writerInputFromHF(file);
      const out = path.join(dir, path.basename(file));
      try {
        const written = await writeGGUFFile(out, input.header, input.tensors, { sync: false });
        expect(written.fileSize).toBe(fs.statSync(file).size);
        expect(await sha256File(out)).toBe(await sha256File(file));
      } finally {
        await input.close();
        fs.rmSync(out, { force: true });
      }
    });
  }
});
