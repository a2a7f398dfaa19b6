/**
 * Quantization speed: the scalar TypeScript reference, the WebAssembly fast path on the
 * calling thread, and the worker pool on 2 threads, with and without an importance
 * matrix, against ggml's single-threaded reference quantizers measured on the same
 * machine. Every fast result is checked against the scalar bytes before it is timed.
 *
 *   npm run bench:quant            (node --import tsx packages/quants/bench/quant.ts)
 *   ROWS=1024 SCALAR_ROWS=128 REPS=3 TYPES=q4_K,q6_K npm run bench:quant
 */
import { cpus } from 'node:os';
import { rowBytes } from '@ggufkit/tensor-layout';
import { getCodec } from '../src/registry.js';
import { QuantPool, getFastCodec } from '../src/index.js';

const COLS = 4096;
const ROWS = Number(process.env.ROWS ?? 4096);
const SCALAR_ROWS = Number(process.env.SCALAR_ROWS ?? 256);
const REPS = Number(process.env.REPS ?? 2);
const TYPES = (process.env.TYPES ?? 'q2_K,q3_K,q4_K,q5_K,q6_K,q4_0,q4_1,q5_0,q5_1,q8_0,iq4_nl').split(',');

/**
 * ggml's reference quantizers (`ggml_quantize_chunk`, no importance matrix, one thread)
 * on this machine: seconds for 4096x4096 f32, as M values/s.
 */
const GGML_MVALS: Record<string, number> = {
  q2_K: 4096 * 4096 / 2.1 / 1e6,
  q3_K: 4096 * 4096 / 0.47 / 1e6,
  q4_K: 4096 * 4096 / 2.35 / 1e6,
  q5_K: 4096 * 4096 / 2.1 / 1e6,
  q6_K: 4096 * 4096 / 1.1 / 1e6,
};

function gaussianMatrix(n: number, seed: number, sigma: number): Float32Array {
  let a = seed >>> 0;
  const r = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const rad = sigma * Math.sqrt(-2 * Math.log(r()));
    const th = 2 * Math.PI * r();
    out[i] = rad * Math.cos(th);
    if (i + 1 < n) out[i + 1] = rad * Math.sin(th);
  }
  return out;
}

/** Best of `REPS` runs (a shared machine only ever adds time), in seconds. */
async function best(fn: () => unknown): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    await fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min / 1000;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

const fmt = (x: number | undefined, digits = 1): string => (x === undefined ? '—' : x.toFixed(digits));

async function main(): Promise<void> {
  const src = gaussianMatrix(ROWS * COLS, 1, 0.02);
  const imatrix = gaussianMatrix(COLS, 2, 1).map((v) => v * v * 10 + 0.01);
  const pool = await QuantPool.create({ threads: 2 });
  console.log(`quantizing ${ROWS}x${COLS} f32 (N(0, 0.02)); scalar reference on ${SCALAR_ROWS} rows; best of ${REPS}`);
  console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}\n`);
  const header = ['type', 'imatrix', 'scalar TS', 'fast 1T', 'fast 2T', 'ggml 1T', 'fast 1T / ggml', '2T / 1T'];
  const rows: string[][] = [];
  try {
    for (const type of TYPES) {
      const scalar = getCodec(type);
      const fast = getFastCodec(type);
      const rb = rowBytes(scalar.type.id, COLS);
      for (const im of scalar.acceptsImatrix ? [null, imatrix] : [null]) {
        const slice = src.subarray(0, SCALAR_ROWS * COLS);
        const ref = new Uint8Array(SCALAR_ROWS * rb);
        const tScalar = await best(() => scalar.quantize(slice, ref, SCALAR_ROWS, COLS, im));
        const out1 = new Uint8Array(ROWS * rb);
        fast.quantize(src, out1, ROWS, COLS, im); // warm-up and check
        if (!sameBytes(out1.subarray(0, ref.length), ref)) throw new Error(`${type}: fast bytes differ from the scalar reference`);
        const t1 = await best(() => fast.quantize(src, out1, ROWS, COLS, im));
        const out2 = await pool.quantize(type, src, ROWS, COLS, im);
        if (!sameBytes(out2, out1)) throw new Error(`${type}: 2-thread bytes differ from 1-thread bytes`);
        const t2 = await best(() => pool.quantize(type, src, ROWS, COLS, im));
        const m1 = (ROWS * COLS) / t1 / 1e6;
        const ggml = im ? undefined : GGML_MVALS[type];
        rows.push([
          scalar.type.name,
          im ? 'yes' : 'no',
          fmt((SCALAR_ROWS * COLS) / tScalar / 1e6),
          fmt(m1),
          fmt((ROWS * COLS) / t2 / 1e6),
          fmt(ggml),
          ggml ? `${fmt(m1 / ggml, 2)}x` : '—',
          `${fmt(t1 / t2, 2)}x`,
        ]);
        console.log(rows[rows.length - 1]!.join('\t'));
      }
    }
  } finally {
    await pool.close();
  }
  console.log('\nM values/s:\n');
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map((h, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

await main();
