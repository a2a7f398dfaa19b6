import type { CommandModule } from 'yargs';
import { openModelInput } from '../open-input.js';
import { inspectJSON, inspectText } from '../inspect-report.js';

interface Args { file: string; json: boolean }

/** `ggufkit inspect FILE|URL`: metadata and tensor tables, or JSON. */
export const inspectCommand: CommandModule<object, Args> = {
  command: 'inspect <file>',
  describe: 'Show the metadata and tensors of a GGUF file (path or http(s) URL)',
  builder: (y) => y
    .positional('file', { type: 'string', demandOption: true, describe: 'GGUF path, first shard of a split model, or URL' })
    .option('json', { type: 'boolean', default: false, describe: 'Print {version, metadata, tensors} as JSON' })
    .example('$0 inspect model.gguf', 'table of metadata and tensors')
    .example('$0 inspect https://host/model.gguf --json', 'read the header over HTTP Range requests, print JSON'),
  handler: async (args) => {
    const file = await openModelInput(args.file);
    try {
      process.stdout.write(args.json ? JSON.stringify(inspectJSON(file)) + '\n' : inspectText(file, args.file));
    } finally {
      await file.close();
    }
  },
};
