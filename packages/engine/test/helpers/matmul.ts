/** Running the engine's matrix product on test data. */
import { rowBytes } from '@ggufkit/tensor-layout';
import type { EngineMemory } from '../../src/wasm/memory.js';

/**
 * out[t * rows + r] of the engine's matmul: weight row r (`rows` rows of type `type`, n
 * values each, as stored in `w`) times activation row t of `x` (`nTok` rows of n), the
 * weights packed and the activations converted to the layouts the kernels ask for that type,
 * as loading and a forward pass do.
 */
export function engineMatmul(mem: EngineMemory, type: number, w: Uint8Array, rows: number, n: number, x: Float32Array, nTok: number): Float32Array {
  const k = mem.kernels;
  const packed = k.packedType(type);
  const kind = k.activationKind(packed);
  let wp = mem.alloc(w.length);
  mem.u8(wp, w.length).set(w);
  let rb = rowBytes(type, n);
  if (packed !== type) {
    const prb = k.packedRowBytes(type, n);
    const dst = mem.alloc(prb * rows);
    k.packRows(type, wp, rb, n, rows, dst, mem.alloc(rb));
    wp = dst;
    rb = prb;
  }
  const xp = mem.alloc(x.length * 4);
  mem.f32(xp, x.length).set(x);
  const stride = k.actRowBytes(kind, n);
  const act = mem.alloc(stride * nTok);
  k.convertActivations(kind, xp, n, nTok, act);
  const out = mem.alloc(rows * nTok * 4);
  const scratch = mem.alloc(k.decodedBytes(n) + 256);
  k.matmul(packed, wp, rb, n, 0, rows, act, stride, nTok, out, rows, scratch);
  return mem.f32(out, rows * nTok).slice();
}
