/**
 * editGGUF on the example model (a llama.cpp quantization): edited keys read back in the
 * right places, renamed tensors keep their bytes, and since no tensor changes size the
 * data section stays byte-identical to llama.cpp's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gguf as hfParse } from '@huggingface/gguf';
import { GGUFValueType as T } from '@ggufkit/tensor-layout';
import { editGGUF } from '@ggufkit/gguf';
import { openGGUFFile, writeGGUFFile } from '@ggufkit/gguf/node';
import { exampleModel } from './roundtrip-helpers.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-edit-files-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('editGGUF on the example model', () => {
  it('sets, deletes and renames, keeping the data section', async () => {
    const src = await openGGUFFile(exampleModel);
    const out = path.join(dir, 'edited.gguf');
    try {
      const keys = src.metadata.map((e) => e.key);
      const { header, tensors } = editGGUF(src, {
        set: [
          { key: 'general.name', type: T.STRING, value: 'renamed model ✓' },
          { key: 'ggufkit.note', type: T.ARRAY, value: { itemType: T.STRING, values: ['a', 'b'] } },
        ],
        delete: ['tokenizer.chat_template', 'general.size_label'],
        renameTensors: { 'output.weight': 'output_renamed.weight' },
      });
      await writeGGUFFile(out, header, tensors, { sync: false });

      const edited = await openGGUFFile(out);
      try {
        const expectedKeys = [...keys.filter((k) => k !== 'tokenizer.chat_template' && k !== 'general.size_label'), 'ggufkit.note'];
        expect(edited.metadata.map((e) => e.key)).toEqual(expectedKeys);
        expect(edited.getString('general.name')).toBe('renamed model ✓');
        expect(edited.tensors.map((t) => t.name)).toEqual(src.tensors.map((t) => (t.name === 'output.weight' ? 'output_renamed.weight' : t.name)));
        expect(Buffer.compare(Buffer.from(await edited.readTensorData('output_renamed.weight')), Buffer.from(await src.readTensorData('output.weight')))).toBe(0);
        const a = fs.readFileSync(out).subarray(edited.dataOffset);
        const b = fs.readFileSync(exampleModel).subarray(src.dataOffset);
        expect(Buffer.compare(a, b)).toBe(0);
      } finally {
        await edited.close();
      }

      const hf = await hfParse(out, { allowLocalFile: true });
      const md = hf.metadata as Record<string, unknown>;
      expect(md['general.name']).toBe('renamed model ✓');
      expect(md['ggufkit.note']).toEqual(['a', 'b']);
      expect(md['tokenizer.chat_template']).toBeUndefined();
    } finally {
      await src.close();
    }
  });
});
