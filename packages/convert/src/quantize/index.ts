export * from './quantize-gguf.js';
