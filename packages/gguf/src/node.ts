/**
 * @packageDocumentation
 * Node-only entry: file paths and handles as byte sources, and file output for the writer.
 */
export {};
