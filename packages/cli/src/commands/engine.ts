import type { CommandModule } from 'yargs';
import { computeLogits, loadModelFile, tokenizeText } from '@ggufkit/engine/node';
import { UsageError } from '../cli-error.js';
import { jsonOption, outfileOption, parseThreads, resolveOutfile, threadsOption } from '../common-flags.js';
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

function threadsOpt(threads: number | undefined): { threads?: number } {
  const t = parseThreads(threads);
  return t !== undefined ? { threads: t } : {};
}

interface RunArgs {
  model: string; prompt: string; n: number; temp: number; seed?: number; threads?: number;
  'top-k': number; 'top-p': number; 'min-p': number; 'repeat-penalty': number; 'display-prompt': boolean; json: boolean;
}

/** `ggufkit run MODEL -p TEXT`: stream a continuation, then tokens/s on stderr. */
export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <model>',
  describe: 'Generate text from a prompt with the WebAssembly engine, streaming tokens (tokens/s on stderr)',
  builder: (y) => y
    .positional('model', { type: 'string', demandOption: true, describe: 'GGUF model path' })
    .option('prompt', { alias: 'p', type: 'string', demandOption: true, requiresArg: true, describe: 'prompt text' })
    .option('n', { alias: 'n-predict', type: 'number', default: 64, describe: 'tokens to generate' })
    .option('temp', { type: 'number', default: 0.8, describe: 'temperature (0 = greedy)' })
    .option('top-k', { type: 'number', default: 40 })
    .option('top-p', { type: 'number', default: 0.95 })
    .option('min-p', { type: 'number', default: 0.05 })
    .option('repeat-penalty', { type: 'number', default: 1 })
    .option('seed', { type: 'number', describe: 'random seed (default: random)' })
    .option('threads', threadsOption)
    .option('display-prompt', { type: 'boolean', default: true, describe: 'print the prompt before the continuation (--no-display-prompt: only new text)' })
    .option('json', jsonOption('Print {text, tokens, promptTokens, stopReason, seconds, tokensPerSecond} as JSON instead of streaming'))
    .example('$0 run model.gguf -p "Once upon a time" -n 32 --temp 0', 'greedy continuation')
    .example('$0 run model.gguf -p "Hello" --seed 42 --threads 2 --json', 'sampled, as JSON'),
  handler: async (args) => {
    if (!Number.isSafeInteger(args.n) || args.n < 0) throw new UsageError(`-n must be a non-negative integer, got ${args.n}`);
    const model = await loadModelFile(args.model, threadsOpt(args.threads));
    try {
      const start = performance.now();
      let first = 0;
      if (!args.json && args['display-prompt']) process.stdout.write(args.prompt);
      const result = await model.generate(args.prompt, {
        maxTokens: args.n, temperature: args.temp, topK: args['top-k'], topP: args['top-p'], minP: args['min-p'],
        repeatPenalty: args['repeat-penalty'], ...(args.seed !== undefined ? { seed: args.seed } : {}),
        onToken: (t) => {
          if (first === 0) first = performance.now();
          if (!args.json) process.stdout.write(t.text);
        },
      });
      const end = performance.now();
      // Decoding speed: the first token also pays for the prompt, so it is left out.
      const tokensPerSecond = result.tokens.length > 1 ? (result.tokens.length - 1) / ((end - first) / 1000) : 0;
      const seconds = (end - start) / 1000;
      if (args.json) {
        printJSON({ text: result.text, tokens: result.tokens, promptTokens: result.promptTokens, stopReason: result.stopReason, seconds, tokensPerSecond, threads: model.threads });
      } else {
        process.stdout.write('\n');
        process.stderr.write(`[${result.promptTokens} prompt tokens, ${result.tokens.length} generated in ${seconds.toFixed(2)} s, ${tokensPerSecond.toFixed(1)} tokens/s, ${model.threads} thread(s)]\n`);
      }
    } finally {
      model.dispose();
    }
  },
};

interface LogitsArgs { model: string; tokens: string; outfile?: string; out?: string; threads?: number; json: boolean }

/** Index and value of the largest logit of each position. */
function positionMaxima(logits: Float32Array, positions: number, vocab: number): Array<{ argmax: number; max: number }> {
  const out: Array<{ argmax: number; max: number }> = [];
  for (let p = 0; p < positions; p++) {
    let best = 0;
    let max = -Infinity;
    for (let v = 0; v < vocab; v++) {
      const x = logits[p * vocab + v]!;
      if (x > max) { max = x; best = v; }
    }
    out.push({ argmax: best, max });
  }
  return out;
}

/** `ggufkit logits MODEL --tokens 1,2,3 -o L.f32`: all positions' logits. */
export const logitsCommand: CommandModule<object, LogitsArgs> = {
  command: 'logits <model>',
  describe: 'Write the logits of every position (positions x vocab float32, little-endian)',
  builder: (y) => y
    .positional('model', { type: 'string', demandOption: true, describe: 'GGUF model path' })
    .option('tokens', { type: 'string', demandOption: true, requiresArg: true, describe: 'comma-separated token ids' })
    .option('outfile', outfileOption('output .f32 file (optional with --json)'))
    .option('out', { type: 'string', hidden: true, requiresArg: true, describe: 'older name of --outfile' })
    .option('threads', threadsOption)
    .option('json', jsonOption('Print {output, positions, vocab, bytes, top: [{argmax, max}] per position} as JSON'))
    .example('$0 logits model.gguf --tokens 1,2,3 -o logits.f32', '')
    .example('$0 logits model.gguf --tokens 1,2,3 --json', 'only the summary: best token and its logit per position'),
  handler: async (args) => {
    const tokens = parseTokenList(args.tokens);
    const outfile = args.json && args.outfile === undefined && args.out === undefined
      ? undefined
      : resolveOutfile([['--outfile', args.outfile], ['--out', args.out]]);
    const logits = await computeLogits(args.model, tokens, threadsOpt(args.threads));
    if (outfile !== undefined) await writeRawFile(outfile, logits);
    if (args.json) {
      const vocab = logits.length / tokens.length;
      printJSON({ output: outfile ?? null, positions: tokens.length, vocab, bytes: logits.byteLength, top: positionMaxima(logits, tokens.length, vocab) });
    }
  },
};

interface TokenizeArgs { model: string; text: string; bos: boolean; json: boolean }

/** `ggufkit tokenize MODEL TEXT`: print token ids. */
export const tokenizeCommand: CommandModule<object, TokenizeArgs> = {
  command: 'tokenize <model> <text>',
  describe: 'Print the token ids of a text with the model\'s tokenizer',
  builder: (y) => y
    .positional('model', { type: 'string', demandOption: true, describe: 'GGUF model path (only the tokenizer is read)' })
    .positional('text', { type: 'string', demandOption: true })
    .option('bos', { type: 'boolean', default: false, describe: 'prepend the BOS token' })
    .option('json', jsonOption('Print the ids as a JSON array'))
    .example('$0 tokenize model.gguf "Hello world" --bos', '')
    .example('$0 tokenize model.gguf "Hello world" --json', '[...ids]'),
  handler: async (args) => {
    const ids = await tokenizeText(args.model, args.text, { bos: args.bos });
    if (args.json) printJSON(ids);
    else process.stdout.write(ids.join(' ') + '\n');
  },
};
