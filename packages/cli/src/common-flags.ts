import { UsageError } from './cli-error.js';

/** `-o/--outfile`: the flag every command that writes a file takes for its output. */
export function outfileOption(describe: string) {
  return { alias: 'o', type: 'string', describe, requiresArg: true } as const;
}

/** `-t/--threads`: the flag every command that computes in parallel takes. */
export const threadsOption = {
  alias: 't', type: 'number', requiresArg: true,
  describe: 'worker threads (default: the available cores); results do not depend on it',
} as const;

/** `--json`: the flag every reporting command takes. */
export function jsonOption(describe = 'Print the result as one line of JSON on stdout') {
  return { type: 'boolean', default: false, describe } as const;
}

/**
 * The output path of a command that accepts it as `-o/--outfile` and, for backward
 * compatibility, as a positional or an older flag name: exactly one must be given.
 */
export function resolveOutfile(candidates: Array<[flag: string, value: string | undefined]>): string {
  const given = candidates.filter((c): c is [string, string] => c[1] !== undefined && c[1] !== '');
  if (given.length === 0) throw new UsageError('name the output file with -o/--outfile');
  const distinct = new Set(given.map((c) => c[1]));
  if (distinct.size > 1) throw new UsageError(`two output paths given (${given.map(([f, v]) => `${f} ${v}`).join(', ')}); give one`);
  return given[0]![1];
}

/** Checks `--threads`: undefined (use the default) or a positive integer. */
export function parseThreads(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`--threads must be a positive integer, got ${value}`);
  return value;
}
