/** Running the engine's matrix product on test data. */
import { rowBytes } from '@ggufkit/tensor-layout';
import type { EngineMemory } from '../../src/wasm/memory.js';

/**
 * out[t * rows + r] of the engine's matmul: weight row r (`rows` rows of type `type`, n
 * values each, as stored in `w`) times activation row t of `x` (`nTok` rows of n), the
 * activations converted to the layout the kernels ask for that type, as a forward pass does.
 */
export function engineMatmul(mem: EngineMemory, type: number, w: Uint8Array, rows: number, n: number, x: Float32Array, nTok: number): Float32Array {
  const k = mem.kernels;
  const kind = k.activationKind(type);
  const wp = mem.alloc(w.length);
  mem.u8(wp, w.length).set(w);
  const xp = mem.alloc(x.length * 4);
  mem.f32(xp, x.length).set(x);
  const stride = k.actRowBytes(kind, n);
  const act = mem.alloc(stride * nTok);
  k.convertActivations(kind, xp, n, nTok, act);
  const out = mem.alloc(rows * nTok * 4);
  const scratch = mem.alloc(k.decodedBytes(n) + 256);
  k.matmul(type, wp, rowBytes(type, n), n, 0, rows, act, stride, nTok, out, rows, scratch);
  return mem.f32(out, rows * nTok).slice();
}
