import type { Argv } from 'yargs';
import { enableRelaxedSimd } from '@ggufkit/engine/node';
import { UsageError } from './cli-error.js';
import { ExitCode, reportError } from './exit-codes.js';
import { dequantizeRowsCommand, quantizeRowsCommand } from './commands/quantize-rows.js';
import { quantizeCommand } from './commands/quantize.js';
import { convertCommand } from './commands/convert.js';
import { logitsCommand, runCommand, tokenizeCommand } from './commands/engine.js';
import { inspectCommand } from './commands/inspect.js';
import { metaCommand } from './commands/meta.js';
import { rewriteCommand } from './commands/rewrite.js';
import { mergeCommand, splitCommand } from './commands/split.js';
import { perplexityCommand } from './commands/perplexity.js';
import { cliVersion } from './version.js';
import { yargsParser } from './yargs-cjs.js';

function buildParser(): Argv {
  return yargsParser()
    .scriptName('ggufkit')
    .usage('$0 <command> [options]\n\nRead, write, edit, split, convert, quantize and run GGUF model files.')
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
    .example('$0 inspect model.gguf --summary', 'architecture, parameters, size per tensor type, bits per weight')
    .example('$0 convert ./hf-model -o model-Q4_K_M.gguf --outtype Q4_K_M', 'Hugging Face folder straight to a llama.cpp mix')
    .example('$0 run model-Q4_K_M.gguf -p "Once upon a time" -n 32 --temp 0', 'greedy continuation, tokens/s on stderr')
    .example('$0 <command> --help', 'options and examples of one command')
    .epilogue('Exit codes: 0 ok, 1 bad input or flags (one-line message), 2 internal error (stack with --verbose).\n'
      + 'Reporting commands print JSON with --json. NO_COLOR is respected; progress bars appear only on a terminal.')
    .demandCommand(1, 'Name a command; see --help')
    .strict()
    .help()
    .alias('h', 'help')
    .version(cliVersion())
    .alias('V', 'version')
    .exitProcess(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      // yargs reports its own parse errors (e.g. a flag without its value) as a YError.
      if (err && err.name !== 'YError') throw err;
      throw new UsageError(msg || err?.message || 'invalid arguments');
    });
}

/** True when `--verbose` is among the arguments (read before parsing, which may be what fails). */
function wantsVerbose(argv: readonly string[]): boolean {
  return argv.some((a) => a === '--verbose' || a === '--verbose=true');
}

/**
 * Runs the command line and returns the exit code: 0 ok, 1 user error (one-line
 * message), 2 internal error (stack with `--verbose`). Help and version text go to
 * stdout; the process is never exited from here.
 */
export async function main(argv: string[]): Promise<number> {
  // the engine's faster kernels need WebAssembly relaxed SIMD, behind a V8 flag in Node 20-21;
  // both builds compute the same bits
  enableRelaxedSimd();
  try {
    let shown = '';
    // With a callback yargs hands back --help/--version text instead of printing it and exiting.
    await buildParser().parseAsync(argv, {}, (_err, _args, output) => { shown = output; });
    if (shown !== '') process.stdout.write(shown.endsWith('\n') ? shown : shown + '\n');
    return ExitCode.OK;
  } catch (err) {
    return reportError(err, wantsVerbose(argv));
  }
}
