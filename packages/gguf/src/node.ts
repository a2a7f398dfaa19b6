/**
 * @packageDocumentation
 * Node-only entry: file paths and handles as byte sources, and file output for the writer.
 */
export {};
export * from './node-file-sink.js';
export * from './node-split.js';
export * from './node-reader.js';
