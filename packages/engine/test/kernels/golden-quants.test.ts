/**
 * The kernels against ggml's own outputs: row dequantization bit for bit, and matrix-vector
 * dot products (activation quantized to the partner type, integer block dots) within the
 * float-summation tolerance the golden README gives.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseGGMLType, rowBytes } from '@ggufkit/tensor-layout';
import { EngineMemory } from '../../src/wasm/memory.js';
import { enableRelaxedSimd } from '../../src/node.js';
import { describeIfExists, readF32, sharedDir } from '../helpers/shared.js';
import { engineMatmul } from '../helpers/matmul.js';

const dir = path.join(sharedDir, 'golden/quants');
const manifest = fs.existsSync(path.join(dir, 'manifest.json'))
  ? JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'))
  : { cases: [], vecdot: [] };

interface Case { type: string; dist: string; rows: number; cols: number; quantized: string; dequantized: string; imatrix: string | null }
interface VecDot { type: string; cols: number; weights_f32: string; weights: string; activation: string; expected: number }

let mem: EngineMemory;
let relaxedMem: EngineMemory;
beforeAll(async () => {
  mem = await EngineMemory.create(64 * 1024 * 1024);
  expect(enableRelaxedSimd()).toBe(true);
  relaxedMem = await EngineMemory.create(64 * 1024 * 1024, undefined, false, true);
});

describeIfExists(dir, 'golden quant kernel tests')('dequantizeRows matches ggml bit for bit', () => {
  const cases: Case[] = manifest.cases;
  it.each(cases.map((c) => [`${c.type} ${c.dist}${c.imatrix ? ' imatrix' : ''}`, c] as const))('%s', (_name, c) => {
    const type = parseGGMLType(c.type).id;
    const q = fs.readFileSync(path.join(dir, c.quantized));
    const expected = new Uint32Array(readF32(path.join(dir, c.dequantized)).buffer);
    const rb = rowBytes(type, c.cols);
    const src = mem.alloc(q.length);
    mem.u8(src, q.length).set(q);
    const dst = mem.alloc(c.rows * c.cols * 4);
    const scratch = mem.alloc(mem.kernels.decodedBytes(c.cols));
    mem.kernels.dequantizeRows(type, src, rb, c.cols, c.rows, dst, scratch);
    const got = new Uint32Array(mem.memory.buffer, dst, c.rows * c.cols);
    let mismatches = 0;
    let first = -1;
    for (let i = 0; i < got.length; i++) {
      const a = got[i]!, b = expected[i]!;
      const bothNaN = (a & 0x7fffffff) > 0x7f800000 && (b & 0x7fffffff) > 0x7f800000;
      if (a !== b && !bothNaN) { mismatches++; if (first < 0) first = i; }
    }
    expect({ mismatches, first }).toEqual({ mismatches: 0, first: -1 });
  });
});

describeIfExists(dir, 'golden vecdot kernel tests')('matmul matches ggml vec_dot', () => {
  const cases: VecDot[] = manifest.vecdot;
  const builds = ['baseline', 'relaxed'] as const;
  it.each(cases.flatMap((c) => builds.map((b) => [c.type, b, c] as const)))('%s (%s build)', (_name, build, c) => {
    const type = parseGGMLType(c.type).id;
    const w = fs.readFileSync(path.join(dir, c.weights));
    const a = readF32(path.join(dir, c.activation));
    const wf = readF32(path.join(dir, c.weights_f32));
    const got = engineMatmul(build === 'relaxed' ? relaxedMem : mem, type, w, 1, c.cols, a, 1)[0]!;
    let mag = 0;
    for (let i = 0; i < c.cols; i++) mag += Math.abs(wf[i]! * a[i]!);
    expect(Math.abs(got - c.expected)).toBeLessThanOrEqual(1e-5 * mag);
  });
});
