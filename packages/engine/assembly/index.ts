// Entry of the engine's WebAssembly module. Memory is imported and laid out by the host;
// the kernels never allocate.
export { actRowBytes, convertActivations } from './activations';
export { decodeRow, decodedBytes, dequantizeRows, typeFamily } from './decode';
export { matmul, dotF32, hasDirectKernel, activationKind } from './matmul';
export { rmsNorm, add, addRows, scale, softcap, swiglu, geglu, toF16, rope, attention, attentionKeyBlock } from './ops';
export { runJob } from './jobs';
export { packedType, packedRowBytes, packRows } from './packed';

/** First byte after the module's static data: the host may use memory from here on. */
export function heapBase(): usize {
  return __heap_base;
}
