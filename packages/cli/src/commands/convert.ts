import type { CommandModule } from 'yargs';
import { existsSync } from 'node:fs';
import { convertModel } from '@ggufkit/convert/node';
import { UsageError } from '../cli-error.js';
import { printJSON } from '../output.js';
import { formatBytes } from '../inspect-report.js';

interface Args { dir: string; outfile?: string; outtype: string; 'vocab-only': boolean; 'dry-run': boolean; 'tokenizer-pre'?: string; 'allow-overflow': boolean; json: boolean }

/** `ggufkit convert MODEL_DIR -o OUT.gguf --outtype f16`. */
export const convertCommand: CommandModule<object, Args> = {
  command: 'convert <dir>',
  describe: 'Convert a Hugging Face model folder (safetensors or pytorch_model.bin) to GGUF',
  builder: (y) => y
    .positional('dir', { type: 'string', demandOption: true, describe: 'folder with config.json, weights and tokenizer files' })
    .option('outfile', { alias: 'o', type: 'string', describe: 'output GGUF path' })
    .option('outtype', { type: 'string', default: 'f16', describe: 'f32, f16, bf16, q8_0, auto, or a llama.cpp mix (Q4_K_M, Q6_K, ...)' })
    .option('vocab-only', { type: 'boolean', default: false, describe: 'write only the tokenizer' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'print the plan, write nothing' })
    .option('tokenizer-pre', { type: 'string', describe: 'force tokenizer.ggml.pre for byte-level BPE vocabularies' })
    .option('allow-overflow', { type: 'boolean', default: false, describe: 'write values that overflow the target type instead of refusing' })
    .option('json', { type: 'boolean', default: false, describe: 'Print a JSON summary' })
    .example('$0 convert ./Llama-3.2-1B -o llama-Q4_K_M.gguf --outtype Q4_K_M', 'straight to a llama.cpp mix')
    .example('$0 convert ./Llama-3.2-1B -o llama.gguf --outtype f16', '')
    .example('$0 convert ./tokenizer-only --vocab-only -o vocab.gguf', ''),
  handler: async (args) => {
    if (!existsSync(args.dir)) throw new UsageError(`no such folder: ${args.dir}`);
    if (!args['dry-run'] && !args.outfile) throw new UsageError('--outfile (-o) is required unless --dry-run');
    const summary = await convertModel(args.dir, {
      outtype: args.outtype,
      vocabOnly: args['vocab-only'],
      dryRun: args['dry-run'],
      allowOverflow: args['allow-overflow'],
      quantize: { allowOverflow: args['allow-overflow'] },
      ...(args.outfile ? { outFile: args.outfile } : {}),
      ...(args['tokenizer-pre'] ? { tokenizerPre: args['tokenizer-pre'] } : {}),
    });
    if (args.json) printJSON(summary);
    else {
      process.stdout.write(`${summary.dryRun ? 'would write' : 'wrote'} ${summary.files.join(', ') || args.outfile || ''}: ${summary.architecture}, ` +
        `${summary.tensorCount} tensors, ${(summary.parameterCount / 1e6).toFixed(2)}M parameters, ${formatBytes(summary.tensorDataBytes)} of ${summary.outtype} data\n`);
    }
  },
};
