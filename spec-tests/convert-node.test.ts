/** The Node conversion API on a shared checkpoint: dry runs report what llama.cpp's file contains. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gguf } from '@huggingface/gguf';
import { tensorBytes } from '@ggufkit/tensor-layout';
import { convertModel } from '@ggufkit/convert/node';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(repoRoot, '../shared/models');
const d = fs.existsSync(shared) ? describe : describe.skip;
if (!fs.existsSync(shared)) console.warn(`convert Node API tests skipped: ${shared} not found`);

d('convertModel', () => {
  it('dry run of tl-bpe to q8_0 reports the tensors and sizes of llama.cpp\'s conversion', async () => {
    const ref = await gguf(path.join(shared, 'tl-bpe/llama.cpp/tl-bpe-convert-q8_0.gguf'), { allowLocalFile: true });
    const summary = await convertModel(path.join(shared, 'tl-bpe/hf'), { outtype: 'q8_0', dryRun: true });
    expect(summary).toEqual({
      files: [],
      architecture: ref.metadata['general.architecture'],
      outtype: 'q8_0',
      fileType: (ref.metadata as Record<string, unknown>)['general.file_type'],
      tensorCount: ref.tensorInfos.length,
      parameterCount: ref.tensorInfos.reduce((s, t) => s + t.shape.reduce((a, b) => a * Number(b), 1), 0),
      tensorDataBytes: ref.tensorInfos.reduce((s, t) => s + tensorBytes(t.dtype, t.shape.map(Number)), 0),
      metadataCount: Number(ref.metadata.kv_count),
      dryRun: true,
    });
  });

  it('auto picks bf16 for a bf16 checkpoint and f16 for an f16 one', async () => {
    expect((await convertModel(path.join(shared, 'tl-bpe/hf'), { outtype: 'auto', dryRun: true })).outtype).toBe('bf16');
    expect((await convertModel(path.join(shared, 'tl-spm/hf'), { outtype: 'auto', dryRun: true })).outtype).toBe('f16');
  });

  it('rejects what it cannot do with clear errors', async () => {
    await expect(convertModel(path.join(shared, 'tl-bpe/hf'), { outtype: 'q3_x' })).rejects.toThrow(/unsupported quantization type "q3_x"; expected one of .*Q4_K_M/);
    await expect(convertModel(path.join(shared, 'tl-bpe/hf'), { outtype: 'f16' })).rejects.toThrow(/outFile is required unless dryRun/);
    await expect(convertModel(path.join(shared, 'no-such-model'), { dryRun: true })).rejects.toThrow(/no config\.json/);
  });
});
