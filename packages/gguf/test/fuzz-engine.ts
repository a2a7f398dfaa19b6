/**
 * Mutation fuzzing of the reader: real and hand-built GGUF files, mutated or truncated
 * with a seeded PRNG. Every outcome must be a parsed file or a `GGUFError`; anything else
 * (a TypeError, a RangeError from a typed array, a stack overflow) is a reader bug.
 */
import { GGUFError, bytesSource, openGGUF, toHuggingFaceShape, type GGUFFile } from '@ggufkit/gguf';
import { T, buildGGUF, type BFile } from './reader-builder.js';
import { mulberry32 } from '../../../test-support/mulberry32.js';

/** Hand-built bases covering every value type, nested arrays, v1/v2/v3 and both byte orders. */
export function handBuiltBases(): Uint8Array[] {
  const kv: BFile['kv'] = [
    ['general.architecture', T.STRING, 'llama'],
    ['general.alignment', T.UINT32, 64],
    ['u8', T.UINT8, 1], ['i8', T.INT8, -1], ['u16', T.UINT16, 2], ['i16', T.INT16, -2],
    ['u32', T.UINT32, 3], ['i32', T.INT32, -3], ['f32', T.FLOAT32, 0.5], ['b', T.BOOL, true],
    ['u64', T.UINT64, 4n], ['i64', T.INT64, -4n], ['f64', T.FLOAT64, 0.25],
    ['tokens', T.ARRAY, { itemType: T.STRING, items: ['<s>', '</s>', 'Ġa', 'é', 'xyz'] }],
    ['scores', T.ARRAY, { itemType: T.FLOAT32, items: [0, -1, -2, -3, -4] }],
    ['types', T.ARRAY, { itemType: T.INT32, items: [3, 3, 1, 1, 1] }],
    ['flags', T.ARRAY, { itemType: T.BOOL, items: [true, false] }],
    ['big', T.ARRAY, { itemType: T.UINT64, items: [1n, 2n] }],
    ['nested', T.ARRAY, { itemType: T.ARRAY, items: [{ itemType: T.UINT16, items: [1, 2] }, { itemType: T.STRING, items: ['n'] }] }],
  ];
  const tensors = [
    { name: 'token_embd.weight', ne: [64, 2], type: 8, nbytes: 136 },
    { name: 'norm', ne: [8], type: 0, nbytes: 32 },
    { name: 'q4k', ne: [256], type: 12, nbytes: 144 },
  ];
  return [
    buildGGUF({ version: 3, kv, tensors, alignment: 64 }),
    buildGGUF({ version: 2, bigEndian: true, kv, tensors, alignment: 64 }),
    buildGGUF({ version: 1, kv, tensors, alignment: 64 }),
    buildGGUF({ version: 3, bigEndian: true, kv: kv.slice(0, 3), tensors: [] }),
  ];
}

const INTERESTING = [0, 1, 2, 3, 4, 7, 8, 9, 12, 13, 31, 32, 63, 64, 255, 256, 0x7fff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

export interface FuzzStats {
  ok: number;
  errors: Map<string, number>;
  /** Optional: time spent per mutation kind. */
  ms?: Map<string, number>;
}

/** What a successful parse must also survive: converting every value and reading tensors. */
async function exercise(f: GGUFFile): Promise<void> {
  toHuggingFaceShape(f);
  for (const e of f.metadata) {
    if (e.type === T.ARRAY) {
      const a = f.getArray(e.key);
      if (a.itemType === T.STRING && 'get' in a.values && a.values.length > 0) a.values.get(a.values.length - 1);
    }
  }
  for (const t of [f.tensors[0], f.tensors[f.tensors.length - 1]]) {
    if (t) await f.readTensorData(t).catch((e: unknown) => {
      if (!(e instanceof GGUFError)) throw e;
    });
  }
}

/** Parses `bytes`; returns the error class name, or 'ok'. Throws anything that is not a GGUFError. */
async function attempt(bytes: Uint8Array, initialReadBytes: number, label: string): Promise<string> {
  try {
    const f = await openGGUF(bytesSource(bytes, label), { initialReadBytes });
    await exercise(f);
    return 'ok';
  } catch (e) {
    if (e instanceof GGUFError) return e.name;
    throw e;
  }
}

/**
 * Runs `iterations` mutations of `base`. Mutations happen in place on `base` (and are
 * undone afterwards) so that large files are not copied for every variant.
 */
export async function fuzzBase(base: Uint8Array, headerEnd: number, iterations: number, seed: number, stats: FuzzStats, label: string): Promise<void> {
  const rand = mulberry32(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const span = Math.min(base.length, headerEnd + 64);
  const windows = [16, 256, 4096, 1 << 20];
  for (let it = 0; it < iterations; it++) {
    const kind = int(6);
    const window = windows[int(windows.length)]!;
    let variant = base;
    const saved: Array<[number, number]> = [];
    const poke = (at: number, v: number) => {
      if (at < base.length) {
        saved.push([at, base[at]!]);
        base[at] = v & 0xff;
      }
    };
    let desc = '';
    switch (kind) {
      case 0: { // bit flips
        const n = 1 + int(4);
        for (let k = 0; k < n; k++) {
          const at = int(span);
          poke(at, base[at]! ^ (1 << int(8)));
        }
        desc = `flip x${n}`;
        break;
      }
      case 1: case 2: { // an interesting 32- or 64-bit value at a random position
        const at = int(span);
        const v = INTERESTING[int(INTERESTING.length)]!;
        const width = kind === 1 ? 4 : 8;
        const le = rand() < 0.7;
        for (let k = 0; k < width; k++) {
          const shift = le ? k : width - 1 - k;
          poke(at + k, shift < 4 ? v >>> (8 * shift) : (kind === 2 && rand() < 0.2 ? 0xff : 0));
        }
        desc = `set${width * 8} ${v} at ${at}`;
        break;
      }
      case 3: { // truncation
        variant = base.subarray(0, int(base.length));
        desc = `truncate ${variant.length}`;
        break;
      }
      case 4: { // random bytes over a short run
        const at = int(span);
        const n = 1 + int(16);
        for (let k = 0; k < n; k++) poke(at + k, int(256));
        desc = `random ${n} at ${at}`;
        break;
      }
      default: { // insert or delete bytes (copies, so only for small bases)
        if (base.length > 1 << 16) {
          variant = base.subarray(0, headerEnd + int(base.length - headerEnd));
          desc = `truncate-data ${variant.length}`;
          break;
        }
        const at = int(base.length);
        const n = 1 + int(12);
        if (rand() < 0.5) {
          variant = new Uint8Array(base.length + n);
          variant.set(base.subarray(0, at));
          for (let k = 0; k < n; k++) variant[at + k] = int(256);
          variant.set(base.subarray(at), at + n);
          desc = `insert ${n} at ${at}`;
        } else {
          const end = Math.min(base.length, at + n);
          variant = new Uint8Array(base.length - (end - at));
          variant.set(base.subarray(0, at));
          variant.set(base.subarray(end), at);
          desc = `delete ${n} at ${at}`;
        }
      }
    }
    const t0 = performance.now();
    try {
      const outcome = await attempt(variant, window, `${label}#${it}`);
      const kindName = desc.split(' ')[0]!;
      stats.ms?.set(kindName, (stats.ms.get(kindName) ?? 0) + performance.now() - t0);
      if (outcome === 'ok') stats.ok++;
      else stats.errors.set(outcome, (stats.errors.get(outcome) ?? 0) + 1);
    } catch (e) {
      throw new Error(`${label} iteration ${it} (seed ${seed}, ${desc}, window ${window}) threw a non-GGUFError: ${(e as Error)?.stack ?? e}`);
    } finally {
      for (let k = saved.length - 1; k >= 0; k--) base[saved[k]![0]] = saved[k]![1];
    }
  }
}
