/**
 * The attention kernel on shapes the shared models do not have: head sizes that leave a
 * 4-value or scalar remainder, groups of query heads that are not a multiple of four, spans
 * across several key blocks, a sliding window and soft-capping. Checked against a float64
 * reference of llama.cpp's attention (Q and the probabilities rounded to f16, K and V from
 * the f16 cache); the scratch size the host reserves is the one the kernel's blocks need.
 */
import { f16ToF32, f32ToF16 } from '@ggufkit/tensor-layout';
import { EngineMemory } from '../../src/wasm/memory.js';
import { ATTENTION_KEY_BLOCK } from '../../src/model/transformer.js';
import { mulberry32 } from '../../../../test-support/mulberry32.js';

let mem: EngineMemory;
beforeAll(async () => {
  mem = await EngineMemory.create(64 * 1024 * 1024);
});

const roundF16 = (x: number) => f16ToF32(f32ToF16(x));

interface Shape { nTok: number; pos0: number; nHeads: number; nKvHeads: number; headDim: number; cap: number; window: number }

/** The spacing of f16 values at x (x > 0). */
const f16Ulp = (x: number) => (x < 2 ** -14 ? 2 ** -24 : 2 ** (Math.floor(Math.log2(x)) - 10));

/**
 * llama.cpp's attention in float64 over the same f16-rounded inputs, and for each output how
 * far it may be from ours: a probability computed in f32 may round to the neighbouring f16
 * value (one f16 step of that probability times |v| per key), plus f32 rounding.
 */
function reference(s: Shape, q: Float32Array, k: Float32Array, v: Float32Array, kqScale: number): { out: Float64Array; slack: Float64Array } {
  const { nTok, pos0, nHeads, nKvHeads, headDim, cap, window } = s;
  const group = nHeads / nKvHeads, kvDim = nKvHeads * headDim;
  const out = new Float64Array(nTok * nHeads * headDim);
  const slack = new Float64Array(out.length).fill(1e-5);
  for (let t = 0; t < nTok; t++) {
    const p = pos0 + t, lo = window > 0 ? Math.max(0, p - window + 1) : 0;
    for (let h = 0; h < nHeads; h++) {
      const kvh = Math.floor(h / group);
      const qh = Array.from({ length: headDim }, (_, i) => roundF16(q[(t * nHeads + h) * headDim + i]!));
      const sc: number[] = [];
      for (let j = lo; j <= p; j++) {
        let d = 0;
        for (let i = 0; i < headDim; i++) d += qh[i]! * k[j * kvDim + kvh * headDim + i]!;
        if (cap > 0) d = Math.tanh(d / cap) * cap;
        sc.push(d * kqScale);
      }
      const mx = Math.max(...sc);
      const e = sc.map((x) => Math.exp(x - mx));
      const sum = e.reduce((a, b) => a + b, 0);
      for (let j = lo; j <= p; j++) {
        const pj = roundF16(e[j - lo]! / sum);
        for (let i = 0; i < headDim; i++) {
          const vi = v[j * kvDim + kvh * headDim + i]!;
          out[(t * nHeads + h) * headDim + i] += pj * vi;
          slack[(t * nHeads + h) * headDim + i] += f16Ulp(Math.max(pj, 2 ** -24)) * Math.abs(vi);
        }
      }
    }
  }
  return { out, slack };
}

describe('attention kernel', () => {
  it('uses the key block the host sizes its scratch for', () => {
    expect(mem.kernels.attentionKeyBlock()).toBe(ATTENTION_KEY_BLOCK);
  });

  const shapes: Array<[string, Shape]> = [
    ['head size 64, group of 8, three key blocks', { nTok: 3, pos0: 70, nHeads: 8, nKvHeads: 1, headDim: 64, cap: 0, window: 0 }],
    ['head size 20 (16 + 4), group of 5', { nTok: 2, pos0: 40, nHeads: 10, nKvHeads: 2, headDim: 20, cap: 0, window: 0 }],
    ['head size 6 (4 + 2), group of 3', { nTok: 4, pos0: 31, nHeads: 3, nKvHeads: 1, headDim: 6, cap: 0, window: 0 }],
    ['head size 2, no grouping', { nTok: 2, pos0: 5, nHeads: 2, nKvHeads: 2, headDim: 2, cap: 0, window: 0 }],
    ['sliding window and soft-capping', { nTok: 5, pos0: 60, nHeads: 4, nKvHeads: 2, headDim: 16, cap: 2.5, window: 33 }],
  ];
  it.each(shapes)('matches the reference: %s', (_, s) => {
    const r = mulberry32(s.headDim * 131 + s.nHeads);
    const kvDim = s.nKvHeads * s.headDim, ctx = s.pos0 + s.nTok;
    const q = Float32Array.from({ length: s.nTok * s.nHeads * s.headDim }, () => (r() - 0.5) * 4);
    const k = Float32Array.from({ length: ctx * kvDim }, () => roundF16((r() - 0.5) * 4));
    const v = Float32Array.from({ length: ctx * kvDim }, () => roundF16((r() - 0.5) * 4));
    const kqScale = 1 / Math.sqrt(s.headDim);
    const qp = mem.alloc(q.length * 4), kp = mem.alloc(k.length * 2), vp = mem.alloc(v.length * 2), op = mem.alloc(q.length * 4);
    const group = s.nHeads / s.nKvHeads;
    const scratch = mem.alloc(4 * (group * (s.headDim + ctx + 1) + ATTENTION_KEY_BLOCK * (s.headDim + 1)));
    mem.f32(qp, q.length).set(q);
    const kc = new Uint16Array(mem.memory.buffer, kp, k.length), vc = new Uint16Array(mem.memory.buffer, vp, v.length);
    k.forEach((x, i) => { kc[i] = f32ToF16(x); });
    v.forEach((x, i) => { vc[i] = f32ToF16(x); });
    mem.kernels.attention(qp, s.nTok, s.pos0, kp, vp, s.nHeads, s.nKvHeads, s.headDim, kqScale, s.cap, s.window, op, scratch);
    const got = mem.f32(op, q.length);
    const { out: want, slack } = reference(s, q, k, v, kqScale);
    const outside: string[] = [];
    for (let i = 0; i < want.length; i++) {
      if (!(Math.abs(got[i]! - want[i]!) <= slack[i]!)) outside.push(`${i}: ${got[i]} vs ${want[i]} (slack ${slack[i]!.toExponential(2)})`);
    }
    expect(outside.slice(0, 5)).toEqual([]);
  });
});
