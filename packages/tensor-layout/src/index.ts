/**
 * @packageDocumentation
 * The ggml type table, GGUF value types, llama.cpp file types, shape and byte-size
 * math, and f16/bf16 codecs bit-exact with ggml. Every other ggufkit package builds on it.
 */
export * from './ggml-types.js';
export * from './gguf-value-types.js';
export * from './ftype.js';
export * from './shape.js';
export * from './float16.js';
