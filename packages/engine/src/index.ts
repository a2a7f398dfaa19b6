/**
 * @packageDocumentation
 * llama.cpp-compatible CPU inference in WebAssembly SIMD.
 */
export {};
