/**
 * @packageDocumentation
 * ggml's block quantization formats, bit-exact with ggml's reference quantizers.
 */
export * from './codec.js';
export * from './registry.js';
export * from './rows.js';
export * from './policy/index.js';
export * from './imatrix/index.js';
