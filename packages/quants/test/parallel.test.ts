/**
 * Quantization on worker threads: the bytes do not depend on the thread count or on how
 * rows are cut into jobs, and match the scalar reference.
 */
import { rowBytes } from '@ggufkit/tensor-layout';
import { getCodec } from '../src/registry.js';
import { QuantPool, quantizeParallel, quantWorkerScript } from '../src/parallel/index.js';
import type { QuantWorkerPort, QuantWorkerSpawner } from '../src/parallel/index.js';

function gaussianRows(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const r = (): number => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return (a + 0.5) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 0.02 * Math.sqrt(-2 * Math.log(r())) * Math.cos(2 * Math.PI * r());
  return out;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

describe('quantizeParallel', () => {
  const nrows = 37;
  const ncols = 1024;
  const src = gaussianRows(nrows * ncols, 42);
  const imatrix = gaussianRows(ncols, 7).map((v) => Math.abs(v) * 50);

  it.each(['q4_K', 'q6_K', 'q4_0', 'iq4_nl'])('%s: threads=2 gives the bytes of threads=1 and of the scalar codec', async (type) => {
    for (const im of [null, imatrix]) {
      const one = await quantizeParallel(type, src, nrows, ncols, { threads: 1, imatrix: im });
      const two = await quantizeParallel(type, src, nrows, ncols, { threads: 2, imatrix: im });
      const ref = new Uint8Array(nrows * rowBytes(getCodec(type).type.id, ncols));
      getCodec(type).quantize(src, ref, nrows, ncols, im);
      expect(same(one, ref)).toBe(true);
      expect(same(two, ref)).toBe(true);
    }
  });
});

describe('QuantPool', () => {
  let pool: QuantPool;
  beforeAll(async () => {
    // Small jobs, so 2 workers share many jobs and every result lands at its own offset.
    pool = await QuantPool.create({ threads: 2, jobValues: 3000 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('splits rows into jobs and reassembles them in order, concurrent calls included', async () => {
    const nrows = 50;
    const ncols = 512;
    const a = gaussianRows(nrows * ncols, 1);
    const b = gaussianRows(nrows * ncols, 2);
    const [qa, qb] = await Promise.all([pool.quantize('q5_K', a, nrows, ncols), pool.quantize('q3_K', b, nrows, ncols)]);
    const ra = new Uint8Array(qa.length);
    const rb = new Uint8Array(qb.length);
    getCodec('q5_K').quantize(a, ra, nrows, ncols, null);
    getCodec('q3_K').quantize(b, rb, nrows, ncols, null);
    expect(same(qa, ra)).toBe(true);
    expect(same(qb, rb)).toBe(true);
  });

  it('reads rows from a SharedArrayBuffer without copying them per job', async () => {
    const nrows = 9;
    const ncols = 256;
    const src = new Float32Array(new SharedArrayBuffer(nrows * ncols * 4));
    src.set(gaussianRows(nrows * ncols, 3));
    const got = await pool.quantize('q2_K', src, nrows, ncols);
    const ref = new Uint8Array(got.length);
    getCodec('q2_K').quantize(src, ref, nrows, ncols, null);
    expect(same(got, ref)).toBe(true);
  });

  it('dequantizes in parallel to the scalar bits', async () => {
    const nrows = 20;
    const ncols = 768;
    const q = await pool.quantize('q4_1', gaussianRows(nrows * ncols, 4), nrows, ncols);
    const got = await pool.dequantize('q4_1', q, nrows, ncols);
    const ref = new Float32Array(nrows * ncols);
    getCodec('q4_1').dequantize(q, ref, nrows, ncols);
    expect(Buffer.from(got.buffer).equals(Buffer.from(ref.buffer))).toBe(true);
  });

  it('rejects bad arguments before any work starts', async () => {
    await expect(pool.quantize('q4_K', new Float32Array(300), 1, 300)).rejects.toThrow(RangeError);
    await expect(pool.quantize('q4_0', new Float32Array(10), 1, 32)).rejects.toThrow(/source/);
    await expect(QuantPool.create({ threads: 0 })).rejects.toThrow(RangeError);
  });

  it('a closed pool refuses work', async () => {
    const p = await QuantPool.create({ threads: 1 });
    await p.close();
    await expect(p.quantize('q8_0', new Float32Array(32), 1, 32)).rejects.toThrow(/closed/);
  });
});

describe('pluggable workers', () => {
  /** The Web Worker flavour of the script, run in a Node worker that provides a `self` like a browser's. */
  const webStyleSpawner: QuantWorkerSpawner = async () => {
    const { Worker } = await import('node:worker_threads');
    const shim = `const { parentPort } = require('node:worker_threads');
      globalThis.self = { postMessage: (m, t) => parentPort.postMessage(m, t), addEventListener: (_t, f) => parentPort.on('message', (data) => f({ data })) };\n`;
    const w = new Worker(shim + quantWorkerScript('web'), { eval: true });
    return {
      postMessage: (m, t) => w.postMessage(m, t as never),
      onMessage: (f) => void w.on('message', f),
      onError: (f) => void w.on('error', f),
      terminate: () => w.terminate(),
    };
  };

  it('a pool over Web-Worker-style workers gives the same bytes', async () => {
    const pool = await QuantPool.create({ threads: 2, spawn: webStyleSpawner });
    try {
      const src = gaussianRows(16 * 512, 11);
      const got = await pool.quantize('q5_1', src, 16, 512);
      const ref = new Uint8Array(got.length);
      getCodec('q5_1').quantize(src, ref, 16, 512, null);
      expect(same(got, ref)).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('a worker that fails to start fails create and is terminated', async () => {
    const terminated: number[] = [];
    let n = 0;
    const broken: QuantWorkerSpawner = () => {
      const id = n++;
      let listener: ((m: unknown) => void) | undefined;
      const port: QuantWorkerPort = {
        postMessage: () => setTimeout(() => listener?.({ error: `worker ${id} cannot start` })),
        onMessage: (f) => {
          listener = f;
        },
        onError: () => {},
        terminate: () => void terminated.push(id),
      };
      return port;
    };
    await expect(QuantPool.create({ threads: 2, spawn: broken })).rejects.toThrow(/cannot start/);
    expect(terminated.sort()).toEqual([0, 1]);
  });
});

describe('worker source', () => {
  it('is self-contained JavaScript for both worker flavours', () => {
    for (const flavor of ['node', 'web'] as const) {
      const src = quantWorkerScript(flavor);
      expect(() => new Function(src)).not.toThrow();
      expect(src).not.toMatch(/\bimport\b|__name\(/);
    }
  });
});
