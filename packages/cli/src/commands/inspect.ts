import type { CommandModule } from 'yargs';
import { openModelInput } from '../open-input.js';
import { inspectJSON, inspectText } from '../inspect-report.js';
import { jsonOption } from '../common-flags.js';
import { summarizeModel } from '../model-summary.js';
import { printJSON } from '../output.js';
import { summaryText } from '../summary-report.js';

interface Args { file: string; json: boolean; summary: boolean }

/** `ggufkit inspect FILE|URL`: metadata and tensor tables, a one-screen summary, or JSON. */
export const inspectCommand: CommandModule<object, Args> = {
  command: 'inspect <file>',
  describe: 'Show the metadata and tensors of a GGUF file (path or http(s) URL)',
  builder: (y) => y
    .positional('file', { type: 'string', demandOption: true, describe: 'GGUF path, first shard of a split model, or URL' })
    .option('summary', { alias: 's', type: 'boolean', default: false, describe: 'Architecture, parameter count, size and bits per weight per tensor type' })
    .option('json', jsonOption('Print {version, metadata, tensors} as JSON (with --summary: the summary)'))
    .example('$0 inspect model.gguf', 'table of metadata and tensors')
    .example('$0 inspect model.gguf --summary', 'architecture, parameters, bytes per tensor type, bits per weight')
    .example('$0 inspect https://host/model.gguf --json', 'read the header over HTTP Range requests, print JSON'),
  handler: async (args) => {
    const file = await openModelInput(args.file);
    try {
      if (args.summary) {
        const summary = summarizeModel(file);
        if (args.json) printJSON(summary);
        else process.stdout.write(summaryText(summary, args.file));
      } else {
        process.stdout.write(args.json ? JSON.stringify(inspectJSON(file)) + '\n' : inspectText(file, args.file));
      }
    } finally {
      await file.close();
    }
  },
};
