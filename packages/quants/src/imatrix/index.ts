export * from './legacy-dat.js';
export * from './gguf-imatrix.js';
