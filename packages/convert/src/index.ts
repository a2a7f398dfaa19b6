/**
 * @packageDocumentation
 * Hugging Face safetensors checkpoints to GGUF, as llama.cpp's `convert_hf_to_gguf.py`
 * converts them: same tensor names, order, layouts, types and metadata. The core entry
 * works on any `ModelDirectory` (browser `File`s included); `@ggufkit/convert/node`
 * adds file-system folders and writing.
 */
export * from './io/byte-reader.js';
export * from './io/model-dir.js';
export * from './checkpoint/dtypes.js';
export * from './checkpoint/tensor.js';
export * from './checkpoint/safetensors.js';
export * from './checkpoint/load.js';
export * from './config/hf-config.js';
export * from './metadata/builder.js';
export * from './metadata/keys.js';
export * from './metadata/naming.js';
export * from './arch/types.js';
export * from './arch/tensor-names.js';
export * from './arch/registry.js';
export * from './tokenizer/token-types.js';
export * from './tokenizer/tokenizer-json.js';
export * from './tokenizer/protobuf.js';
export * from './tokenizer/spm-model.js';
export * from './tokenizer/spm-vocab.js';
export * from './tokenizer/bpe-vocab.js';
export * from './tokenizer/llama-hf-vocab.js';
export * from './tokenizer/merges.js';
export * from './tokenizer/pre-tokenizer.js';
export * from './tokenizer/special-vocab.js';
export * from './tokenizer/set-vocab.js';
export * from './tensors/work-tensor.js';
export * from './tensors/permute.js';
export * from './tensors/encode.js';
export * from './pipeline/output-type.js';
export * from './pipeline/write-types.js';
export * from './pipeline/plan.js';
export * from './quantize/index.js';
export * from './tensors/overflow.js';
