/**
 * @packageDocumentation
 * GGUF reader and streaming writer. Parsing never reads tensor data; tensor bytes are
 * read lazily from a byte source (bytes, Blob/File, HTTP Range URL; Node files via
 * `@ggufkit/gguf/node`).
 */
export * from './errors.js';
export * from './model.js';
export * from './serialize-header.js';
export * from './sink.js';
export * from './writer.js';
export * from './tensor-copy.js';
export * from './edit.js';
export * from './split-plan.js';
export * from './split-write.js';
export * from './source.js';
export { bytesSource } from './sources/bytes-source.js';
export { blobSource } from './sources/blob-source.js';
export { httpSource, type HttpSourceOptions } from './sources/http-source.js';
export * from './reader.js';
export { GGUF_MAX_DIMS, GGUF_MAX_ARRAY_DEPTH, type ParsedHeader } from './reader-parse.js';
export * from './reader-metadata.js';
export * from './gguf-file.js';
export { LazyStringList, stringListOf } from './string-list.js';
export * from './split-read.js';
export * from './hf-compat.js';
