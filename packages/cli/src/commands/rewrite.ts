import type { CommandModule } from 'yargs';
import { copyTensors } from '@ggufkit/gguf';
import { writeGGUFFile } from '@ggufkit/gguf/node';
import { openInput } from '../open-input.js';
import { writeProgressBar } from '../progress.js';
import { printJSON } from '../output.js';

interface Args { input: string; output: string; json: boolean }

/** `ggufkit rewrite IN OUT`: re-encode through the reader and writer (byte-identical with no edits). */
export const rewriteCommand: CommandModule<object, Args> = {
  command: 'rewrite <input> <output>',
  describe: 'Re-encode a GGUF file through the reader and writer (byte-identical when nothing changes)',
  builder: (y) => y
    .positional('input', { type: 'string', demandOption: true, describe: 'GGUF path or URL' })
    .positional('output', { type: 'string', demandOption: true, describe: 'output path (written to a temp file, then renamed)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print a JSON summary' })
    .example('$0 rewrite model.gguf copy.gguf', 'copy through the parser; `cmp` shows no difference'),
  handler: async (args) => {
    const file = await openInput(args.input);
    const bar = writeProgressBar('rewrite');
    try {
      const written = await writeGGUFFile(args.output, file, copyTensors(file), { onProgress: (p) => bar.update(p) });
      bar.stop();
      if (args.json) printJSON({ output: args.output, bytes: written.fileSize, tensors: file.tensors.length });
    } finally {
      bar.stop();
      await file.close();
    }
  },
};
