/**
 * Convert a Hugging Face model folder (config.json, safetensors, tokenizer.json) to GGUF and
 * quantize it in the same pass, as `convert_hf_to_gguf.py` followed by `llama-quantize`
 * would: the same tensor names, metadata and per-tensor types.
 *
 *   npx tsx examples/convert-quantize.ts                                # shipped tl-bpe-hf -> Q4_K_M
 *   npx tsx examples/convert-quantize.ts ./Llama-3.2-1B out.gguf Q5_K_M
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertModel, planConversion } from '@ggufkit/convert/node';
import { openGGUFFile } from '@ggufkit/gguf/node';
import { ggmlTypeName } from '@ggufkit/tensor-layout';

const modelDir = process.argv[2] ?? fileURLToPath(new URL('./models/tl-bpe-hf', import.meta.url));
const outFile = process.argv[3] ?? path.join(os.tmpdir(), 'tl-bpe-Q4_K_M.gguf');
const outtype = process.argv[4] ?? 'Q4_K_M';

// A plan reads only config.json, the tokenizer and the safetensors headers: no weights.
const plan = await planConversion(modelDir);
console.log(`${modelDir}: ${plan.architecture}, ${(plan.parameterCount / 1e6).toFixed(2)}M parameters, ${plan.tensors.length} tensors`);
await plan.close();

const start = performance.now();
const summary = await convertModel(modelDir, {
  outFile,
  outtype,
  onProgress: (p) => {
    const done = p.tensorIndex + 1;
    if (process.stdout.isTTY) process.stdout.write(`\r  ${done}/${p.tensorCount} tensors, ${(p.bytesWritten / 2 ** 20).toFixed(1)} MiB`);
  },
});
if (process.stdout.isTTY) process.stdout.write('\n');
const seconds = (performance.now() - start) / 1000;

console.log(`wrote ${summary.files.join(', ')}`);
console.log(`  architecture ${summary.architecture}, ${summary.outtype} (general.file_type ${summary.fileType})`);
console.log(`  ${summary.tensorCount} tensors, ${(summary.tensorDataBytes / 2 ** 20).toFixed(2)} MiB of tensor data,`
  + ` ${((summary.tensorDataBytes * 8) / summary.parameterCount).toFixed(2)} bits per weight, in ${seconds.toFixed(1)} s`);

// The per-tensor types llama.cpp's rules chose for this mix, read back from the new file.
const file = await openGGUFFile(outFile);
const mix = new Map<string, number>();
for (const t of file.tensors) mix.set(ggmlTypeName(t.type), (mix.get(ggmlTypeName(t.type)) ?? 0) + 1);
console.log(`  tensor types: ${[...mix].map(([type, n]) => `${n} ${type}`).join(', ')}`);
await file.close();
