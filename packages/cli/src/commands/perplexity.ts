import type { CommandModule } from 'yargs';
import { readFile } from 'node:fs/promises';
import { computePerplexity } from '@ggufkit/engine/node';
import { UsageError } from '../cli-error.js';
import { jsonOption, parseThreads, threadsOption } from '../common-flags.js';
import { printJSON } from '../output.js';

interface PerplexityArgs { model: string; file: string; ctx: number; chunks?: number; batch?: number; threads?: number; json: boolean }

/** `ggufkit perplexity MODEL --file text.txt --ctx 512`: llama-perplexity's default mode. */
export const perplexityCommand: CommandModule<object, PerplexityArgs> = {
  command: 'perplexity <model>',
  describe: 'Perplexity of a text file as llama.cpp\'s llama-perplexity computes it (chunks of --ctx tokens, second half scored)',
  builder: (y) => y
    .positional('model', { type: 'string', demandOption: true, describe: 'GGUF model file' })
    .option('file', { alias: 'f', type: 'string', demandOption: true, describe: 'UTF-8 text to score' })
    .option('ctx', { alias: 'c', type: 'number', default: 512, describe: 'tokens per chunk (llama.cpp -c)' })
    .option('chunks', { type: 'number', describe: 'score at most this many chunks' })
    .option('batch', { alias: 'b', type: 'number', describe: 'tokens per forward step (does not change the result)' })
    .option('threads', threadsOption)
    .option('json', jsonOption('Print {model, ctx, perplexity, chunks, scored, tokens, seconds} as JSON'))
    .example('$0 perplexity model-Q4_K_M.gguf -f wiki.test.raw -c 512', '')
    .example('$0 perplexity model-f16.gguf -f text.txt -c 128 --chunks 10 --json', ''),
  handler: async (args) => {
    if (!Number.isInteger(args.ctx) || args.ctx < 3) throw new UsageError(`--ctx must be an integer >= 3, got ${args.ctx}`);
    const threads = parseThreads(args.threads);
    const text = await readFile(args.file, 'utf8');
    const start = performance.now();
    const r = await computePerplexity(args.model, text, {
      ctx: args.ctx,
      ...(args.chunks !== undefined ? { chunks: args.chunks } : {}),
      ...(args.batch !== undefined ? { batch: args.batch } : {}),
      ...(threads !== undefined ? { threads } : {}),
    });
    const seconds = (performance.now() - start) / 1000;
    if (args.json) printJSON({ model: args.model, ctx: args.ctx, ...r, seconds });
    else process.stdout.write(`perplexity ${r.perplexity.toFixed(4)} over ${r.chunks} chunks of ${args.ctx} tokens (${r.scored} scored of ${r.tokens}), ${seconds.toFixed(1)} s\n`);
  },
};
