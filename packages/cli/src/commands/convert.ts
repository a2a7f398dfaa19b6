import type { CommandModule } from 'yargs';
import { existsSync } from 'node:fs';
import { parseSplitSize } from '@ggufkit/gguf';
import { convertModel, describeModelConversion, type ConversionDescription, type ConvertModelOptions } from '@ggufkit/convert/node';
import { UsageError } from '../cli-error.js';
import { printJSON } from '../output.js';
import { formatBytes } from '../inspect-report.js';
import { writeProgressBar } from '../progress.js';
import { parseThreads, threadsOption } from '../common-flags.js';
import { loadImatrix } from '../imatrix-file.js';
import { defaultThreadCount, imatrixForTensor } from '@ggufkit/quants';

interface Args {
  dir: string; outfile?: string; outtype: string; 'vocab-only': boolean; 'dry-run': boolean; 'tokenizer-pre'?: string;
  'allow-overflow': boolean; json: boolean; 'split-max-size'?: string; 'split-max-tensors'?: number; threads?: number; imatrix?: string;
}

/** The dry-run report: one line per tensor, then the output files and the total. */
function printDescription(d: ConversionDescription): void {
  const nameWidth = Math.max(...d.tensors.map((t) => t.name.length), 4);
  const lines = d.tensors.map((t) => `${t.name.padEnd(nameWidth)}  ${t.type.padEnd(6)}  ${`[${t.ne.join(', ')}]`.padEnd(16)}  ${String(t.bytes).padStart(12)}` +
    (d.files.length > 1 ? `  shard ${t.file + 1}` : ''));
  lines.push(`${d.architecture}, ${d.tensors.length} tensors, ${(d.parameterCount / 1e6).toFixed(2)}M parameters, ${d.outtype}: ` +
    `${formatBytes(d.tensorDataBytes)} of tensor data, ${d.totalBytes} bytes (${formatBytes(d.totalBytes)}) in ${d.files.length} ${d.files.length === 1 ? 'file' : 'shards'}`);
  for (const [i, f] of d.files.entries()) {
    lines.push(`  ${f.path ?? `file ${i + 1}`}: ${f.tensorCount} tensors, ${f.bytes} bytes`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

/** `ggufkit convert MODEL_DIR -o OUT.gguf --outtype f16`. */
export const convertCommand: CommandModule<object, Args> = {
  command: 'convert <dir>',
  describe: 'Convert a Hugging Face model folder (safetensors or pytorch_model.bin) to GGUF',
  builder: (y) => y
    .positional('dir', { type: 'string', demandOption: true, describe: 'folder with config.json, weights and tokenizer files' })
    .option('outfile', { alias: 'o', type: 'string', describe: 'output GGUF path' })
    .option('outtype', { type: 'string', default: 'f16', describe: 'f32, f16, bf16, q8_0, auto, or a llama.cpp mix (Q4_K_M, Q6_K, ...)' })
    .option('vocab-only', { type: 'boolean', default: false, describe: 'write only the tokenizer' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'print the tensor plan and output size, write nothing' })
    .option('split-max-size', { type: 'string', describe: 'split into shards of at most this much tensor data (e.g. 500M, 2G), named OUT-00001-of-0000N.gguf' })
    .option('split-max-tensors', { type: 'number', describe: 'split into shards of at most N tensors' })
    .option('threads', threadsOption)
    .option('imatrix', { type: 'string', requiresArg: true, describe: 'importance matrix for a quantized --outtype (llama.cpp .dat or GGUF imatrix)' })
    .option('tokenizer-pre', { type: 'string', describe: 'force tokenizer.ggml.pre for byte-level BPE vocabularies' })
    .option('allow-overflow', { type: 'boolean', default: false, describe: 'write values that overflow the target type instead of refusing' })
    .option('json', { type: 'boolean', default: false, describe: 'Print a JSON summary (with --dry-run: the tensor plan)' })
    .conflicts('split-max-size', 'split-max-tensors')
    .example('$0 convert ./Llama-3.2-1B -o llama-Q4_K_M.gguf --outtype Q4_K_M', 'straight to a llama.cpp mix')
    .example('$0 convert ./Llama-3.2-1B -o llama.gguf --split-max-size 2G', 'llama-00001-of-0000N.gguf shards')
    .example('$0 convert ./Llama-3.2-1B --outtype Q4_K_M --dry-run', 'tensor types, shapes and sizes, nothing written')
    .example('$0 convert ./tokenizer-only --vocab-only -o vocab.gguf', ''),
  handler: async (args) => {
    if (!existsSync(args.dir)) throw new UsageError(`no such folder: ${args.dir}`);
    if (!args['dry-run'] && !args.outfile) throw new UsageError('--outfile (-o) is required unless --dry-run');
    const maxTensors = args['split-max-tensors'];
    if (maxTensors !== undefined && (!Number.isSafeInteger(maxTensors) || maxTensors < 1)) throw new UsageError('--split-max-tensors must be a positive integer');
    let maxSize: number | undefined;
    if (args['split-max-size'] !== undefined) {
      try {
        maxSize = parseSplitSize(args['split-max-size']);
      } catch (e) {
        throw new UsageError(`--split-max-size: ${(e as Error).message}`);
      }
    }
    const imatrix = args.imatrix ? await loadImatrix(args.imatrix) : undefined;
    const opts: ConvertModelOptions = {
      outtype: args.outtype,
      vocabOnly: args['vocab-only'],
      allowOverflow: args['allow-overflow'],
      quantize: {
        allowOverflow: args['allow-overflow'],
        threads: parseThreads(args.threads) ?? defaultThreadCount(),
        ...(imatrix ? { imatrix: (name: string, ne0: number) => imatrixForTensor(imatrix, name, [ne0]) } : {}),
      },
      ...(args.outfile ? { outFile: args.outfile } : {}),
      ...(args['tokenizer-pre'] ? { tokenizerPre: args['tokenizer-pre'] } : {}),
      ...(maxSize !== undefined ? { splitMaxSize: maxSize } : {}),
      ...(maxTensors !== undefined ? { splitMaxTensors: maxTensors } : {}),
    };
    if (args['dry-run']) {
      const d = await describeModelConversion(args.dir, opts);
      if (args.json) printJSON({ dryRun: true, ...d });
      else printDescription(d);
      return;
    }
    const bar = writeProgressBar('convert');
    let summary;
    try {
      summary = await convertModel(args.dir, { ...opts, onProgress: (p) => bar.update(p) });
    } finally {
      bar.stop();
    }
    if (args.json) printJSON(summary);
    else {
      process.stdout.write(`wrote ${summary.files.join(', ')}: ${summary.architecture}, ` +
        `${summary.tensorCount} tensors, ${(summary.parameterCount / 1e6).toFixed(2)}M parameters, ${formatBytes(summary.tensorDataBytes)} of ${summary.outtype} data\n`);
    }
  },
};
