import type { CommandModule } from 'yargs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseSplitSize } from '@ggufkit/gguf';
import { mergeGGUFFiles, writeSplitGGUF } from '@ggufkit/gguf/node';
import { UsageError } from '../cli-error.js';
import { jsonOption, outfileOption, resolveOutfile } from '../common-flags.js';
import { openInput } from '../open-input.js';
import { printJSON } from '../output.js';

interface SplitArgs {
  input: string; prefix?: string; outfile?: string;
  'split-max-tensors'?: number; 'split-max-size'?: string; 'no-tensor-first-split': boolean; json: boolean;
}

/** `ggufkit split IN -o PREFIX`: write llama.cpp-compatible shards. */
export const splitCommand: CommandModule<object, SplitArgs> = {
  command: 'split <input> [prefix]',
  describe: 'Split a GGUF file into shards PREFIX-0000i-of-0000n.gguf, as llama.cpp\'s gguf-split does',
  builder: (y) => y
    .positional('input', { type: 'string', demandOption: true, describe: 'GGUF path or URL' })
    .positional('prefix', { type: 'string', describe: 'output path prefix (same as -o)' })
    .option('outfile', outfileOption('output path prefix; shards are PREFIX-00001-of-0000N.gguf'))
    .option('split-max-tensors', { type: 'number', requiresArg: true, describe: 'at most N tensors per shard (default 128)' })
    .option('split-max-size', { type: 'string', requiresArg: true, describe: 'at most this much tensor data per shard (e.g. 500M, 2G)' })
    .option('no-tensor-first-split', { type: 'boolean', default: false, describe: 'first shard holds metadata only' })
    .option('json', jsonOption('Print {shards: [...]} as JSON'))
    .conflicts('split-max-tensors', 'split-max-size')
    .example('$0 split model.gguf -o out/model --split-max-size 2G', 'out/model-00001-of-00003.gguf ...'),
  handler: async (args) => {
    if (args['split-max-tensors'] !== undefined && (!Number.isInteger(args['split-max-tensors']) || args['split-max-tensors'] < 1)) {
      throw new UsageError(`--split-max-tensors must be a positive integer`);
    }
    const prefix = resolveOutfile([['prefix', args.prefix], ['--outfile', args.outfile]]);
    const file = await openInput(args.input);
    try {
      await mkdir(path.dirname(path.resolve(prefix)), { recursive: true });
      const { paths } = await writeSplitGGUF(file, prefix, {
        maxTensors: args['split-max-tensors'],
        maxBytes: args['split-max-size'] !== undefined ? parseSplitSize(args['split-max-size']) : undefined,
        noTensorFirstSplit: args['no-tensor-first-split'],
      });
      if (args.json) printJSON({ shards: paths });
      else process.stdout.write(paths.join('\n') + '\n');
    } finally {
      await file.close();
    }
  },
};

interface MergeArgs { first: string; output?: string; outfile?: string; json: boolean }

/** `ggufkit merge FIRST -o OUT`: join shards back into one file. */
export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <first> [output]',
  describe: 'Merge the shards of a split model (give the -00001-of-0000n file) into one GGUF file',
  builder: (y) => y
    .positional('first', { type: 'string', demandOption: true, describe: 'first shard, *-00001-of-0000N.gguf' })
    .positional('output', { type: 'string', describe: 'output path (same as -o)' })
    .option('outfile', outfileOption('output path'))
    .option('json', jsonOption('Print {output, bytes} as JSON'))
    .example('$0 merge out/model-00001-of-00003.gguf -o model.gguf', ''),
  handler: async (args) => {
    const output = resolveOutfile([['output', args.output], ['--outfile', args.outfile]]);
    const written = await mergeGGUFFiles(args.first, output);
    if (args.json) printJSON({ output, bytes: written.fileSize });
  },
};
