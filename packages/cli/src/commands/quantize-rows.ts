import type { CommandModule } from 'yargs';
import { getCodec } from '@ggufkit/quants';
import { rowBytes } from '@ggufkit/tensor-layout';
import { UsageError } from '../cli-error.js';
import { readBytesFile, readF32File, writeRawFile } from '../raw-files.js';

interface QuantizeArgs { type: string; cols: number; in: string; out: string; imatrix?: string }

/** `ggufkit quantize-rows`: raw f32 rows in, raw blocks out. */
export const quantizeRowsCommand: CommandModule<object, QuantizeArgs> = {
  command: 'quantize-rows',
  describe: 'Quantize raw little-endian float32 rows to a ggml block type',
  builder: (y) => y
    .option('type', { type: 'string', demandOption: true, describe: 'ggml type name (q4_K, Q8_0, iq4_nl, ...), case-insensitive' })
    .option('cols', { type: 'number', demandOption: true, describe: 'values per row (GGUF ne[0])' })
    .option('in', { type: 'string', demandOption: true, describe: 'input: rows x cols float32' })
    .option('out', { type: 'string', demandOption: true, describe: 'output: quantized rows' })
    .option('imatrix', { type: 'string', describe: 'importance weights: cols float32' })
    .example('$0 quantize-rows --type q4_K --cols 4096 --in x.f32 --out y.bin', '')
    .example('$0 quantize-rows --type q4_K --cols 4096 --in x.f32 --out y.bin --imatrix im.f32', 'with importance weights'),
  handler: async (args) => {
    const codec = getCodec(args.type);
    const src = await readF32File(args.in, 'input');
    const cols = args.cols;
    if (!Number.isInteger(cols) || cols <= 0) throw new UsageError(`--cols must be a positive integer, got ${cols}`);
    if (src.length % cols !== 0) throw new UsageError(`input has ${src.length} values, not a multiple of --cols ${cols}`);
    const rows = src.length / cols;
    const rb = rowBytes(codec.type.id, cols);
    let imatrix: Float32Array | null = null;
    if (args.imatrix) {
      imatrix = await readF32File(args.imatrix, 'imatrix');
      if (imatrix.length !== cols) throw new UsageError(`imatrix has ${imatrix.length} values, expected --cols ${cols}`);
    }
    const dst = new Uint8Array(rows * rb);
    codec.quantize(src, dst, rows, cols, imatrix);
    await writeRawFile(args.out, dst);
  },
};

interface DequantizeArgs { type: string; cols: number; in: string; out: string }

/** `ggufkit dequantize-rows`: raw blocks in, raw f32 rows out. */
export const dequantizeRowsCommand: CommandModule<object, DequantizeArgs> = {
  command: 'dequantize-rows',
  describe: 'Dequantize raw ggml blocks to little-endian float32 rows',
  builder: (y) => y
    .option('type', { type: 'string', demandOption: true, describe: 'ggml type name, case-insensitive' })
    .option('cols', { type: 'number', demandOption: true, describe: 'values per row (GGUF ne[0])' })
    .option('in', { type: 'string', demandOption: true, describe: 'input: quantized rows' })
    .option('out', { type: 'string', demandOption: true, describe: 'output: rows x cols float32' })
    .example('$0 dequantize-rows --type q4_K --cols 4096 --in y.bin --out x.f32', ''),
  handler: async (args) => {
    const codec = getCodec(args.type);
    const src = await readBytesFile(args.in);
    const rb = rowBytes(codec.type.id, args.cols);
    if (src.byteLength % rb !== 0) throw new UsageError(`input has ${src.byteLength} bytes, not a multiple of the ${rb}-byte ${codec.type.name} row of ${args.cols} values`);
    const rows = src.byteLength / rb;
    const dst = new Float32Array(rows * args.cols);
    codec.dequantize(src, dst, rows, args.cols);
    await writeRawFile(args.out, dst);
  },
};
