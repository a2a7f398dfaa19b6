/**
 * @packageDocumentation
 * GGUF reader and streaming writer. Parsing never reads tensor data; tensor bytes are
 * read lazily from a byte source (bytes, Blob/File, HTTP Range URL; Node files via
 * `@ggufkit/gguf/node`).
 */
export * from './errors.js';
export * from './model.js';
