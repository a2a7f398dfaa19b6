import type { CommandModule } from 'yargs';
import { editGGUF } from '@ggufkit/gguf';
import { writeGGUFFile } from '@ggufkit/gguf/node';
import { UsageError } from '../cli-error.js';
import { jsonOption, outfileOption, resolveOutfile } from '../common-flags.js';
import { parseSetArg } from '../metadata-arg.js';
import { openInput } from '../open-input.js';
import { printJSON } from '../output.js';
import { writeProgressBar } from '../progress.js';

interface Args { input: string; outfile?: string; output?: string; set: string[]; delete: string[]; 'rename-tensor': string[]; json: boolean }

/** `ggufkit meta IN -o OUT`: set/delete metadata keys and rename tensors. */
export const metaCommand: CommandModule<object, Args> = {
  command: 'meta <input>',
  describe: 'Edit metadata (set/delete keys) and rename tensors, writing a new file',
  builder: (y) => y
    .positional('input', { type: 'string', demandOption: true, describe: 'GGUF path or URL' })
    .option('outfile', outfileOption('output path'))
    .option('output', { type: 'string', hidden: true, requiresArg: true, describe: 'older name of --outfile' })
    .option('set', { type: 'string', array: true, default: [], describe: 'key=value or key:type=value (u8..i64, f32, f64, bool, str)' })
    .option('delete', { type: 'string', array: true, default: [], describe: 'key to remove' })
    .option('rename-tensor', { type: 'string', array: true, default: [], describe: 'old=new tensor name' })
    .option('json', jsonOption('Print {output, bytes, set, deleted, renamed} as JSON'))
    .example('$0 meta in.gguf -o out.gguf --set general.name="My model" --delete tokenizer.chat_template', '')
    .example('$0 meta in.gguf -o out.gguf --set my.flag:bool=true --set llama.context_length=4096', 'new keys take a type'),
  handler: async (args) => {
    const output = resolveOutfile([['--outfile', args.outfile], ['--output', args.output]]);
    const file = await openInput(args.input);
    try {
      const set = args.set.map((a) => parseSetArg(a, (k) => file.get(k)?.type));
      const renameTensors: Record<string, string> = {};
      for (const r of args['rename-tensor']) {
        const [from, to, ...rest] = r.split('=');
        if (!from || !to || rest.length) throw new UsageError(`--rename-tensor expects old=new, got "${r}"`);
        renameTensors[from] = to;
      }
      const edited = editGGUF(file, { set, delete: args.delete, renameTensors });
      const bar = writeProgressBar('meta');
      try {
        const written = await writeGGUFFile(output, edited.header, edited.tensors, { onProgress: (p) => bar.update(p) });
        bar.stop();
        if (args.json) printJSON({ output, bytes: written.fileSize, set: set.map((e) => e.key), deleted: args.delete, renamed: renameTensors });
      } finally {
        bar.stop();
      }
    } finally {
      await file.close();
    }
  },
};
