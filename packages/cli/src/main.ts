import yargs, { type Argv } from 'yargs';
import { GGUFError } from '@ggufkit/gguf';
import { UsageError } from './cli-error.js';
import { dequantizeRowsCommand, quantizeRowsCommand } from './commands/quantize-rows.js';
import { quantizeCommand } from './commands/quantize.js';
import { convertCommand } from './commands/convert.js';
import { logitsCommand, runCommand, tokenizeCommand } from './commands/engine.js';
import { inspectCommand } from './commands/inspect.js';
import { metaCommand } from './commands/meta.js';
import { rewriteCommand } from './commands/rewrite.js';
import { mergeCommand, splitCommand } from './commands/split.js';
import { perplexityCommand } from './commands/perplexity.js';

/** Errors a user can cause and fix: reported in one line with exit code 1. */
function isUserError(err: unknown): boolean {
  return err instanceof UsageError || err instanceof GGUFError || err instanceof RangeError
    || (err instanceof Error && 'code' in err && (err as NodeJS.ErrnoException).code === 'ENOENT');
}

function buildParser(argv: string[]): Argv {
  return yargs(argv)
    .scriptName('ggufkit')
    .usage('$0 <command> [options]\n\nRead, write, edit, split and quantize GGUF model files.')
    .command(inspectCommand as never)
    .command(rewriteCommand as never)
    .command(metaCommand as never)
    .command(splitCommand as never)
    .command(mergeCommand as never)
    .command(convertCommand as never)
    .command(runCommand as never)
    .command(logitsCommand as never)
    .command(tokenizeCommand as never)
    .command(perplexityCommand as never)
    .command(quantizeCommand as never)
    .command(quantizeRowsCommand as never)
    .command(dequantizeRowsCommand as never)
    .option('verbose', { type: 'boolean', default: false, describe: 'Print stack traces for internal errors' })
    .demandCommand(1, 'Name a command; see --help')
    .strict()
    .help()
    .alias('h', 'help')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => { throw err ?? new UsageError(msg); });
}

/**
 * Runs the command line and returns the exit code: 0 ok, 1 user error (one-line
 * message), 2 internal error (stack with `--verbose`).
 */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildParser(argv).parseAsync();
    return 0;
  } catch (err) {
    if (isUserError(err)) {
      process.stderr.write(`ggufkit: ${(err as Error).message}\n`);
      return 1;
    }
    const verbose = argv.includes('--verbose');
    process.stderr.write(`ggufkit: internal error: ${verbose ? (err as Error).stack ?? String(err) : (err as Error).message ?? String(err)}\n`);
    return 2;
  }
}
