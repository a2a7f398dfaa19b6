/**
 * The quantizers in WebAssembly: the same bytes as the scalar codecs, several times faster.
 */
export { QUANTS_WASM_URL, compileQuantsModule, type QuantsWasmSource } from './module.js';
export { FastQuantizer } from './quantizer.js';
export { dequantizeFast, getFastCodec, hasFastCodec, initFastQuants, preferredCodec, quantizeFast } from './codecs.js';
