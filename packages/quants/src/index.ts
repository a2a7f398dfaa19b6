/**
 * @packageDocumentation
 * ggml's block quantization formats, bit-exact with ggml's reference quantizers.
 */
export * from './codec.js';
export * from './registry.js';
export * from './rows.js';
export * from './kquants/index.js';
export * from './legacy/index.js';
export * from './scale-search.js';
export * from './fast/index.js';
export * from './parallel/index.js';
export * from './policy/index.js';
export * from './imatrix/index.js';
