/**
 * Edit a GGUF file's metadata: rename the model, add a key, remove the chat template, and
 * write the result as a new file (tensor data is copied unchanged, one tensor at a time).
 *
 *   npx tsx examples/edit-metadata.ts                       # shipped model -> a temp file
 *   npx tsx examples/edit-metadata.ts in.gguf out.gguf
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { editGGUF } from '@ggufkit/gguf';
import { openGGUFFile, writeGGUFFile } from '@ggufkit/gguf/node';
import { GGUFValueType } from '@ggufkit/tensor-layout';

const input = process.argv[2] ?? fileURLToPath(new URL('./models/tl-bpe-Q4_K_M.gguf', import.meta.url));
const output = process.argv[3] ?? path.join(os.tmpdir(), 'tl-bpe-Q4_K_M-edited.gguf');

const file = await openGGUFFile(input);
try {
  const before = file.has('general.name') ? file.getString('general.name') : '(none)';
  const edited = editGGUF(file, {
    // An existing key keeps its position; new keys are appended in the order given.
    set: [
      { key: 'general.name', type: GGUFValueType.STRING, value: 'tl-bpe (edited)' },
      { key: 'general.license', type: GGUFValueType.STRING, value: 'mit' },
      { key: 'example.edited_at', type: GGUFValueType.UINT64, value: BigInt(Date.now()) },
    ],
    delete: file.has('tokenizer.chat_template') ? ['tokenizer.chat_template'] : [],
  });
  const written = await writeGGUFFile(output, edited.header, edited.tensors);
  console.log(`read    ${input}: general.name = ${JSON.stringify(before)}, ${file.metadata.length} keys`);
  console.log(`wrote   ${output}: ${written.fileSize} bytes, ${edited.header.metadata.length} keys`);
} finally {
  await file.close();
}

// Read the result back to show the edits.
const result = await openGGUFFile(output);
try {
  console.log(`general.name          = ${JSON.stringify(result.getString('general.name'))}`);
  console.log(`general.license       = ${JSON.stringify(result.getString('general.license'))}`);
  console.log(`example.edited_at     = ${result.getBigInt('example.edited_at')}`);
  console.log(`tokenizer.chat_template present: ${result.has('tokenizer.chat_template')}`);
  console.log(`tensors: ${result.tensors.length}`);
} finally {
  await result.close();
}
