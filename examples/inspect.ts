/**
 * Inspect a GGUF file: architecture, size, quantization mix and a few hyperparameters,
 * read from the header only. A local path or an http(s) URL; for a URL the header is read
 * with HTTP Range requests, and the script reports how many bytes that took.
 *
 *   npx tsx examples/inspect.ts                                   # the shipped model
 *   npx tsx examples/inspect.ts path/to/model.gguf
 *   npx tsx examples/inspect.ts https://host/model-00001-of-00003.gguf
 */
import { fileURLToPath } from 'node:url';
import { httpSource, openSplitGGUF, type GGUFModel } from '@ggufkit/gguf';
import { openSplitGGUFFile } from '@ggufkit/gguf/node';
import { elementCount, ggmlTypeName, llamaFileTypeName } from '@ggufkit/tensor-layout';

const DEFAULT_MODEL = fileURLToPath(new URL('./models/tl-bpe-Q4_K_M.gguf', import.meta.url));
const input = process.argv[2] ?? DEFAULT_MODEL;
const isUrl = /^https?:\/\//i.test(input);

// Count what goes over the network, to show that only the header is fetched.
let requests = 0;
let bytesFetched = 0;
const countingFetch: typeof fetch = async (url, init) => {
  const res = await fetch(url, init);
  requests++;
  bytesFetched += Number(res.headers.get('content-length') ?? 0) * (init?.method === 'HEAD' ? 0 : 1);
  return res;
};

// A split model (`-00001-of-0000N.gguf`) opens as one logical model; a plain file is one shard.
// Over HTTP, start with a 64 KiB window (the reader doubles it until the header fits) rather
// than the default 1 MiB, which suits local files and large models better.
const model: GGUFModel = isUrl
  ? await openSplitGGUF(httpSource(input, { fetch: countingFetch }), {
    initialReadBytes: 64 * 1024,
    openShard: (name) => httpSource(name, { fetch: countingFetch }),
  })
  : await openSplitGGUFFile(input);

try {
  const arch = model.architecture;
  const get = (key: string): string => (model.has(key) ? String(model.get(key)!.value) : '-');
  const params = model.tensors.reduce((n, t) => n + elementCount(t.ne), 0);
  const dataBytes = model.tensors.reduce((n, t) => n + t.byteLength, 0);
  const mix = new Map<string, number>();
  for (const t of model.tensors) mix.set(ggmlTypeName(t.type), (mix.get(ggmlTypeName(t.type)) ?? 0) + 1);

  console.log(`file:          ${input}`);
  console.log(`GGUF version:  ${model.version}, ${model.shards.length} shard(s), ${model.metadata.length} metadata keys`);
  console.log(`architecture:  ${arch}`);
  console.log(`name:          ${get('general.name')}`);
  console.log(`file type:     ${model.has('general.file_type') ? llamaFileTypeName(model.getNumber('general.file_type')) : '-'}`);
  console.log(`parameters:    ${(params / 1e6).toFixed(2)}M in ${model.tensors.length} tensors`);
  console.log(`tensor data:   ${(dataBytes / 2 ** 20).toFixed(2)} MiB, ${((dataBytes * 8) / params).toFixed(2)} bits per weight`);
  console.log(`tensor types:  ${[...mix].map(([type, n]) => `${n} ${type}`).join(', ')}`);
  console.log(`layers:        ${get(`${arch}.block_count`)}, embedding ${get(`${arch}.embedding_length`)}, context ${get(`${arch}.context_length`)}`);
  console.log(`heads:         ${get(`${arch}.attention.head_count`)} (KV ${get(`${arch}.attention.head_count_kv`)})`);
  if (model.has('tokenizer.ggml.tokens')) {
    console.log(`tokenizer:     ${get('tokenizer.ggml.model')}, ${model.getStringArray('tokenizer.ggml.tokens').length} tokens`);
  }
  console.log(`chat template: ${model.has('tokenizer.chat_template') ? 'yes' : 'no'}`);
  if (isUrl) {
    const size = model.shards.reduce((n, s) => n + (s.fileSize ?? 0), 0);
    console.log(`fetched:       ${bytesFetched} bytes in ${requests} HTTP requests (of a ${size}-byte model)`);
  }
} finally {
  await model.close();
}
