import type { CommandModule } from 'yargs';
import { copyTensors } from '@ggufkit/gguf';
import { writeGGUFFile } from '@ggufkit/gguf/node';
import { jsonOption, outfileOption, resolveOutfile } from '../common-flags.js';
import { openInput } from '../open-input.js';
import { writeProgressBar } from '../progress.js';
import { printJSON } from '../output.js';

interface Args { input: string; output?: string; outfile?: string; json: boolean }

/** `ggufkit rewrite IN -o OUT`: re-encode through the reader and writer (byte-identical with no edits). */
export const rewriteCommand: CommandModule<object, Args> = {
  command: 'rewrite <input> [output]',
  describe: 'Re-encode a GGUF file through the reader and writer (byte-identical when nothing changes)',
  builder: (y) => y
    .positional('input', { type: 'string', demandOption: true, describe: 'GGUF path or URL' })
    .positional('output', { type: 'string', describe: 'output path (same as -o)' })
    .option('outfile', outfileOption('output path (written to a temp file, then renamed)'))
    .option('json', jsonOption('Print {output, bytes, tensors} as JSON'))
    .example('$0 rewrite model.gguf -o copy.gguf', 'copy through the parser; `cmp` shows no difference'),
  handler: async (args) => {
    const output = resolveOutfile([['output', args.output], ['--outfile', args.outfile]]);
    const file = await openInput(args.input);
    const bar = writeProgressBar('rewrite');
    try {
      const written = await writeGGUFFile(output, file, copyTensors(file), { onProgress: (p) => bar.update(p) });
      bar.stop();
      if (args.json) printJSON({ output, bytes: written.fileSize, tensors: file.tensors.length });
    } finally {
      bar.stop();
      await file.close();
    }
  },
};
