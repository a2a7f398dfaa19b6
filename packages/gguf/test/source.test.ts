import { GGUFSourceError, blobSource, bytesSource, openGGUF, toByteSource, toHuggingFaceShape } from '@ggufkit/gguf';
import { fileSource, openGGUFFile } from '@ggufkit/gguf/node';
import fs from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { exampleModel } from './reader-fixtures.js';

const model = new Uint8Array(fs.readFileSync(exampleModel));

describe('byte sources', () => {
  it('bytes: exact reads, short reads name the source, offset, expected and got', async () => {
    const src = bytesSource(model.subarray(0, 100), 'mem');
    expect(await src.size()).toBe(100);
    expect(await src.read(4, 4)).toEqual(model.subarray(4, 8));
    const e = await src.read(90, 20).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GGUFSourceError);
    expect((e as Error).message).toBe('mem at offset 90: short read: expected 20 bytes, got 10');
    await expect(src.read(-1, 2)).rejects.toThrow(/invalid read/);
    await expect(src.read(0.5, 2)).rejects.toThrow(/invalid read/);
    expect(await src.readAtMost!(95, 20)).toEqual(model.subarray(95, 100));
  });

  it('Blob and File: header and tensor data equal the local file', async () => {
    const local = await openGGUFFile(exampleModel);
    try {
      const blob = new Blob([model]);
      const f = await openGGUF(blob);
      expect(f.source.name).toBe('<blob>');
      expect(toHuggingFaceShape(f)).toEqual(toHuggingFaceShape(local));
      const t = local.tensors[7]!;
      expect(await f.readTensorData(t.name)).toEqual(await local.readTensorData(t));
      const file = new File([model], 'model.gguf');
      const g = await openGGUF(file);
      expect(g.source.name).toBe('model.gguf');
      expect(await g.readTensorRange(t.name, 3, 9)).toEqual((await local.readTensorData(t)).subarray(3, 9));
      const short = blobSource(new Blob([model.subarray(0, 10)]), 'tiny');
      await expect(short.read(8, 4)).rejects.toThrow('tiny at offset 8: short read: expected 4 bytes, got 2');
    } finally {
      await local.close();
    }
  });

  it('ArrayBuffer input and toByteSource errors', async () => {
    const f = await openGGUF(model.slice().buffer);
    expect(f.tensors.length).toBe(57);
    expect(() => toByteSource('/some/local/path.gguf')).toThrow(/not an http\(s\) URL; open local files with openGGUFFile/);
    expect(() => toByteSource(42 as unknown as string)).toThrow(GGUFSourceError);
  });

  it('Node file paths and handles', async () => {
    const src = await fileSource(exampleModel);
    expect(src.name).toBe(exampleModel);
    expect(await src.size()).toBe(model.length);
    expect(await src.read(model.length - 8, 8)).toEqual(model.subarray(model.length - 8));
    await expect(src.read(model.length - 8, 9)).rejects.toThrow(/short read: expected 9 bytes, got 8 \(the file has \d+ bytes\)/);
    await src.close!();
    await expect(src.read(0, 4)).rejects.toThrow(/read after close/);

    const handle = await open(exampleModel, 'r');
    try {
      const f = await openGGUFFile(handle);
      expect(f.tensors.length).toBe(57);
      await f.close();
      // a handle passed in stays open for its owner
      const { bytesRead } = await handle.read(new Uint8Array(4), 0, 4, 0);
      expect(bytesRead).toBe(4);
    } finally {
      await handle.close();
    }
    const missing = path.join(os.tmpdir(), 'ggufkit-does-not-exist.gguf');
    await expect(openGGUFFile(missing)).rejects.toThrow(new RegExp(`${missing.replace(/[.\\/]/g, '\\$&')}: cannot open: ENOENT`));
  });

  it('plain errors thrown by a custom source become GGUFSourceErrors naming it', async () => {
    const src = { name: 'custom', size: async () => 100, read: async () => { throw new Error('disk on fire'); } };
    const e = await openGGUF(src).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GGUFSourceError);
    expect((e as Error).message).toBe('custom: reading failed: disk on fire');
  });
});
