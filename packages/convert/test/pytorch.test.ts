/**
 * PyTorch zip checkpoints. The fixtures were written by Python's own pickle (protocol 2,
 * as torch.save uses) and zipfile modules with stand-ins for torch's classes
 * (fixtures/make-pytorch-fixtures.py): a half storage [1..8] viewed contiguously, transposed
 * and at an offset, a float storage, and a bfloat16 storage wrapped as a Parameter.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesReader, CheckpointFormatError } from '@ggufkit/convert';
import { openPytorchBin } from '../src/checkpoint/pytorch.js';
import { PickleError, unpickleStateDict } from '../src/checkpoint/unpickle.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const f16 = (b: Uint8Array) => Array.from(new Uint16Array(b.slice().buffer));

describe('PyTorch .bin reader', () => {
  for (const file of ['pytorch-stored.bin', 'pytorch-deflated.bin']) {
    it(`${file}: lists tensors in state-dict order and reads views`, async () => {
      const tensors = await openPytorchBin(bytesReader(new Uint8Array(fs.readFileSync(path.join(fixtures, file))), file));
      expect(tensors.map((t) => [t.name, t.dtype, [...t.shape]])).toEqual([
        ['z.weight', 'F16', [2, 3]], ['b.weight', 'F16', [3, 2]], ['c.bias', 'F16', [2]], ['d.norm', 'F32', [3]], ['e.param', 'BF16', [2]],
      ]);
      // f16 bit patterns of 1..8
      const h = [0x3c00, 0x4000, 0x4200, 0x4400, 0x4500, 0x4600, 0x4700, 0x4800];
      const [z, b, c, d, e] = await Promise.all(tensors.map((t) => t.read()));
      expect(f16(z!)).toEqual([h[0], h[1], h[2], h[3], h[4], h[5]]);
      expect(f16(b!)).toEqual([h[0], h[3], h[1], h[4], h[2], h[5]]);
      expect(f16(c!)).toEqual([h[6], h[7]]);
      expect(Array.from(new Float32Array(d!.slice().buffer))).toEqual([0.5, -1.25, 3]);
      expect(Array.from(e!)).toEqual([0x80, 0x3f, 0x00, 0xc0]);
    });
  }

  it('refuses pickle globals other than tensor records', () => {
    // protocol 2: GLOBAL os.system, then a string argument and REDUCE
    const evil = Uint8Array.from([0x80, 2, ...new TextEncoder().encode('cos\nsystem\n'), 0x8c, 2, 0x6c, 0x73, 0x85, 0x52, 0x2e]);
    expect(() => unpickleStateDict(evil, 'evil.pkl')).toThrow(PickleError);
    expect(() => unpickleStateDict(evil, 'evil.pkl')).toThrow(/refusing pickle global "os\.system"/);
  });

  it('rejects truncated pickles and non-zip files with the file name', async () => {
    expect(() => unpickleStateDict(Uint8Array.from([0x80, 2, 0x7d, 0x58, 9, 0, 0, 0]), 't.pkl')).toThrow(/t\.pkl: truncated pickle/);
    await expect(openPytorchBin(bytesReader(new Uint8Array(100), 'x.bin'))).rejects.toThrow(CheckpointFormatError);
    await expect(openPytorchBin(bytesReader(new Uint8Array(100), 'x.bin'))).rejects.toThrow(/x\.bin: not a zip archive/);
  });
});
