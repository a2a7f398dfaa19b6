import type { CommandModule } from 'yargs';
import { getCodec } from '@ggufkit/quants';
import { rowBytes } from '@ggufkit/tensor-layout';
import { UsageError } from '../cli-error.js';
import { jsonOption, outfileOption, resolveOutfile } from '../common-flags.js';
import { printJSON } from '../output.js';
import { readBytesFile, readF32File, writeRawFile } from '../raw-files.js';

function checkCols(cols: number): number {
  if (!Number.isSafeInteger(cols) || cols <= 0) throw new UsageError(`--cols must be a positive integer, got ${cols}`);
  return cols;
}

interface QuantizeArgs { type: string; cols: number; in: string; outfile?: string; out?: string; imatrix?: string; json: boolean }

/** `ggufkit quantize-rows`: raw f32 rows in, raw blocks out. */
export const quantizeRowsCommand: CommandModule<object, QuantizeArgs> = {
  command: 'quantize-rows',
  describe: 'Quantize raw little-endian float32 rows to a ggml block type',
  builder: (y) => y
    .option('type', { type: 'string', demandOption: true, requiresArg: true, describe: 'ggml type name (q4_K, Q8_0, iq4_nl, ...), case-insensitive' })
    .option('cols', { type: 'number', demandOption: true, requiresArg: true, describe: 'values per row (GGUF ne[0])' })
    .option('in', { type: 'string', demandOption: true, requiresArg: true, describe: 'input: rows x cols float32' })
    .option('outfile', outfileOption('output: quantized rows'))
    .option('out', { type: 'string', hidden: true, requiresArg: true, describe: 'older name of --outfile' })
    .option('imatrix', { type: 'string', requiresArg: true, describe: 'importance weights: cols float32' })
    .option('json', jsonOption('Print {output, type, rows, cols, bytes} as JSON'))
    .example('$0 quantize-rows --type q4_K --cols 4096 --in x.f32 -o y.bin', '')
    .example('$0 quantize-rows --type q4_K --cols 4096 --in x.f32 -o y.bin --imatrix im.f32', 'with importance weights'),
  handler: async (args) => {
    const codec = getCodec(args.type);
    const cols = checkCols(args.cols);
    const output = resolveOutfile([['--outfile', args.outfile], ['--out', args.out]]);
    const src = await readF32File(args.in, 'input');
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
    await writeRawFile(output, dst);
    if (args.json) printJSON({ output, type: codec.type.name, rows, cols, bytes: dst.byteLength });
  },
};

interface DequantizeArgs { type: string; cols: number; in: string; outfile?: string; out?: string; json: boolean }

/** `ggufkit dequantize-rows`: raw blocks in, raw f32 rows out. */
export const dequantizeRowsCommand: CommandModule<object, DequantizeArgs> = {
  command: 'dequantize-rows',
  describe: 'Dequantize raw ggml blocks to little-endian float32 rows',
  builder: (y) => y
    .option('type', { type: 'string', demandOption: true, requiresArg: true, describe: 'ggml type name, case-insensitive' })
    .option('cols', { type: 'number', demandOption: true, requiresArg: true, describe: 'values per row (GGUF ne[0])' })
    .option('in', { type: 'string', demandOption: true, requiresArg: true, describe: 'input: quantized rows' })
    .option('outfile', outfileOption('output: rows x cols float32'))
    .option('out', { type: 'string', hidden: true, requiresArg: true, describe: 'older name of --outfile' })
    .option('json', jsonOption('Print {output, type, rows, cols, bytes} as JSON'))
    .example('$0 dequantize-rows --type q4_K --cols 4096 --in y.bin -o x.f32', ''),
  handler: async (args) => {
    const codec = getCodec(args.type);
    const cols = checkCols(args.cols);
    const output = resolveOutfile([['--outfile', args.outfile], ['--out', args.out]]);
    const src = await readBytesFile(args.in);
    const rb = rowBytes(codec.type.id, cols);
    if (src.byteLength % rb !== 0) throw new UsageError(`input has ${src.byteLength} bytes, not a multiple of the ${rb}-byte ${codec.type.name} row of ${cols} values`);
    const rows = src.byteLength / rb;
    const dst = new Float32Array(rows * cols);
    codec.dequantize(src, dst, rows, cols);
    await writeRawFile(output, dst);
    if (args.json) printJSON({ output, type: codec.type.name, rows, cols, bytes: dst.byteLength });
  },
};
