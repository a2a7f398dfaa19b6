/**
 * Node file output: writeGGUFFile goes through a temporary file in the target folder and
 * renames it at the end; on failure neither the output nor the temporary file remains.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GGMLType } from '@ggufkit/tensor-layout';
import { GGUFWriteError, memorySink, writeGGUF, type TensorToWrite } from '@ggufkit/gguf';
import { fileSink, writeGGUFFile } from '@ggufkit/gguf/node';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-writer-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function tensors(): TensorToWrite[] {
  return [
    { name: 'a', ne: [3], type: GGMLType.F32, data: new Uint8Array(12).fill(1) },
    { name: 'b', ne: [32, 4], type: GGMLType.Q8_0, data: async () => new Uint8Array(136).fill(2) },
  ];
}

describe('writeGGUFFile', () => {
  it('writes the same bytes as the in-memory writer and leaves only the output file', async () => {
    const out = path.join(dir, 'model.gguf');
    const header = { metadata: [{ key: 'general.name', type: 8 as const, value: 'x' }] };
    const result = await writeGGUFFile(out, header, tensors());
    const mem = memorySink();
    await writeGGUF(mem, header, tensors());
    expect(fs.readdirSync(dir)).toEqual(['model.gguf']);
    expect(Buffer.compare(fs.readFileSync(out), Buffer.from(mem.bytes()))).toBe(0);
    expect(fs.statSync(out).size).toBe(result.fileSize);
  });

  it('replaces an existing file only once the new one is complete', async () => {
    const out = path.join(dir, 'model.gguf');
    fs.writeFileSync(out, 'old');
    await writeGGUFFile(out, { metadata: [] }, tensors());
    expect(fs.readFileSync(out).subarray(0, 4).toString('latin1')).toBe('GGUF');
  });

  it('removes the temporary file and writes nothing when a tensor source throws midway', async () => {
    const out = path.join(dir, 'model.gguf');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(2 << 20); // large enough to reach the disk before the failure
      throw new Error('source went away');
    }
    const list: TensorToWrite[] = [...tensors(), { name: 'c', ne: [1 << 20], type: GGMLType.F32, data: failing }];
    let tempSeen: string[] = [];
    const p = writeGGUFFile(out, { metadata: [] }, list, {
      onProgress: () => {
        tempSeen = fs.readdirSync(dir);
      },
    });
    await expect(p).rejects.toThrow(GGUFWriteError);
    await expect(p).rejects.toThrow(/tensor "c": reading its data failed: source went away/);
    expect(tempSeen.length).toBe(1);
    expect(tempSeen[0]).toMatch(/^model\.gguf\.tmp-[0-9a-f]+$/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('keeps an existing file untouched when the write fails', async () => {
    const out = path.join(dir, 'model.gguf');
    fs.writeFileSync(out, 'old');
    const bad: TensorToWrite[] = [{ name: 'a', ne: [3], type: GGMLType.F32, data: new Uint8Array(5) }];
    await expect(writeGGUFFile(out, { metadata: [] }, bad)).rejects.toThrow(/tensor "a": data has 5 bytes/);
    expect(fs.readdirSync(dir)).toEqual(['model.gguf']);
    expect(fs.readFileSync(out, 'utf8')).toBe('old');
  });

  it('fails without leaving files when the folder does not exist', async () => {
    await expect(writeGGUFFile(path.join(dir, 'missing', 'm.gguf'), { metadata: [] }, [])).rejects.toThrow(/ENOENT/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('fileSink', () => {
  it('abort removes the temporary file', async () => {
    const sink = await fileSink(path.join(dir, 'x.gguf'));
    await sink.write(new Uint8Array([1, 2, 3]));
    expect(fs.existsSync(sink.tempPath)).toBe(true);
    await sink.abort!();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('close renames the temporary file into place', async () => {
    const sink = await fileSink(path.join(dir, 'x.gguf'), { sync: false });
    await sink.write(new Uint8Array([1, 2, 3]));
    await sink.close();
    expect(fs.readdirSync(dir)).toEqual(['x.gguf']);
    expect([...fs.readFileSync(path.join(dir, 'x.gguf'))]).toEqual([1, 2, 3]);
    await expect(sink.write(new Uint8Array(1))).rejects.toThrow(/already closed/);
  });
});
