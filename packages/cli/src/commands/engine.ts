import type { CommandModule } from 'yargs';
import { availableParallelism } from 'node:os';
import { computeLogits, loadModelFile, tokenizeText } from '@ggufkit/engine/node';
import { UsageError } from '../cli-error.js';
import { printJSON } from '../output.js';
import { writeRawFile } from '../raw-files.js';

function parseTokenList(text: string): number[] {
  const ids = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ids.length === 0) throw new UsageError('--tokens needs at least one token id');
  return ids.map((s) => {
    if (!/^\d+$/.test(s)) throw new UsageError(`--tokens: "${s}" is not a token id`);
    return Number(s);
  });
}

interface RunArgs { model: string; prompt: string; n: number; temp: number; seed?: number; threads?: number; 'top-k': number; 'top-p': number; 'min-p': number; 'repeat-penalty': number; json: boolean }

/** `ggufkit run MODEL -p TEXT`: stream a continuation. */
export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <model>',
  describe: 'Generate text from a prompt with the WebAssembly engine, streaming tokens',
  builder: (y) => y
    .positional('model', { type: 'string', demandOption: true, describe: 'GGUF model path' })
    .option('prompt', { alias: 'p', type: 'string', demandOption: true, describe: 'prompt text' })
    .option('n', { alias: 'n-predict', type: 'number', default: 64, describe: 'tokens to generate' })
    .option('temp', { type: 'number', default: 0.8, describe: 'temperature (0 = greedy)' })
    .option('top-k', { type: 'number', default: 40 })
    .option('top-p', { type: 'number', default: 0.95 })
    .option('min-p', { type: 'number', default: 0.05 })
    .option('repeat-penalty', { type: 'number', default: 1 })
    .option('seed', { type: 'number', describe: 'random seed (default: random)' })
    .option('threads', { alias: 't', type: 'number', describe: `threads (default: ${availableParallelism()})` })
    .option('json', { type: 'boolean', default: false, describe: 'Print a JSON result instead of streaming' })
    .example('$0 run model.gguf -p "Once upon a time" -n 32 --temp 0', 'greedy continuation'),
  handler: async (args) => {
    const model = await loadModelFile(args.model, args.threads !== undefined ? { threads: args.threads } : {});
    const start = performance.now();
    let first = 0;
    const result = await model.generate(args.prompt, {
      maxTokens: args.n, temperature: args.temp, topK: args['top-k'], topP: args['top-p'], minP: args['min-p'],
      repeatPenalty: args['repeat-penalty'], ...(args.seed !== undefined ? { seed: args.seed } : {}),
      onToken: (t) => {
        if (first === 0) first = performance.now();
        if (!args.json) process.stdout.write(t.text);
      },
    });
    const end = performance.now();
    const genRate = result.tokens.length > 1 ? (result.tokens.length - 1) / ((end - first) / 1000) : 0;
    if (args.json) {
      printJSON({ text: result.text, tokens: result.tokens, promptTokens: result.promptTokens, stopReason: result.stopReason, tokensPerSecond: genRate });
    } else {
      process.stdout.write('\n');
      process.stderr.write(`[${result.promptTokens} prompt tokens, ${result.tokens.length} generated in ${((end - start) / 1000).toFixed(2)} s, ${genRate.toFixed(1)} tok/s]\n`);
    }
  },
};

interface LogitsArgs { model: string; tokens: string; out: string; threads?: number }

/** `ggufkit logits MODEL --tokens 1,2,3 --out L.f32`: all positions' logits. */
export const logitsCommand: CommandModule<object, LogitsArgs> = {
  command: 'logits <model>',
  describe: 'Write the logits of every position (positions x vocab float32, little-endian)',
  builder: (y) => y
    .positional('model', { type: 'string', demandOption: true })
    .option('tokens', { type: 'string', demandOption: true, describe: 'comma-separated token ids' })
    .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'output .f32 file' })
    .option('threads', { alias: 't', type: 'number' })
    .example('$0 logits model.gguf --tokens 1,2,3 --out logits.f32', ''),
  handler: async (args) => {
    const tokens = parseTokenList(args.tokens);
    const logits = await computeLogits(args.model, tokens, args.threads !== undefined ? { threads: args.threads } : {});
    await writeRawFile(args.out, logits);
  },
};

interface TokenizeArgs { model: string; text: string; bos: boolean; json: boolean }

/** `ggufkit tokenize MODEL TEXT`: print token ids. */
export const tokenizeCommand: CommandModule<object, TokenizeArgs> = {
  command: 'tokenize <model> <text>',
  describe: 'Print the token ids of a text with the model\'s tokenizer',
  builder: (y) => y
    .positional('model', { type: 'string', demandOption: true })
    .positional('text', { type: 'string', demandOption: true })
    .option('bos', { type: 'boolean', default: false, describe: 'prepend the BOS token' })
    .option('json', { type: 'boolean', default: false, describe: 'Print a JSON array' })
    .example('$0 tokenize model.gguf "Hello world" --bos', ''),
  handler: async (args) => {
    const ids = await tokenizeText(args.model, args.text, { bos: args.bos });
    if (args.json) printJSON(ids);
    else process.stdout.write(ids.join(' ') + '\n');
  },
};
