import { GGUFError } from '@ggufkit/gguf';
import { UsageError } from './cli-error.js';

/** Process exit codes of `ggufkit`. */
export const ExitCode = {
  /** The command did what was asked. */
  OK: 0,
  /** The input or the flags were wrong; a one-line message says what to fix. */
  USER_ERROR: 1,
  /** A bug or an environment failure; `--verbose` prints the stack. */
  INTERNAL_ERROR: 2,
} as const;

/** Errors the packages throw for bad input that carry no common base class (matched by `name`). */
const USER_ERROR_NAMES = new Set(['ImatrixFormatError', 'VocabNotFoundError']);

/** File-system failures that mean a wrong path or permission, not a bug. */
const USER_ERRNO_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EEXIST', 'ENOSPC', 'EROFS', 'ENAMETOOLONG']);

/**
 * V8's own TypeError messages: these come from a programming mistake, whereas the
 * packages throw TypeError with a message naming the file for malformed input.
 */
const ENGINE_TYPE_ERROR = /cannot (read|set) propert|is not a function|is not iterable|is not a constructor|cannot convert|cannot destructure|cannot mix bigint|of undefined|of null/i;

/** True for failures the user can cause and fix: reported in one line with exit code 1. */
export function isUserError(err: unknown): boolean {
  if (err instanceof UsageError || err instanceof GGUFError) return true;
  if (!(err instanceof Error)) return false;
  if (USER_ERROR_NAMES.has(err.name)) return true;
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && USER_ERRNO_CODES.has(code)) return true;
  // JSON.parse of a user's config or tokenizer file; our own code is compiled, so no other SyntaxError reaches here.
  if (err instanceof SyntaxError) return true;
  if (err instanceof RangeError) return !/maximum call stack/i.test(err.message);
  if (err instanceof TypeError) return !ENGINE_TYPE_ERROR.test(err.message);
  return false;
}

/** An error message on one line (multi-line messages are joined with "; "). */
export function oneLine(message: string): string {
  return message.split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '').join('; ');
}

/**
 * Writes the report for a failed command to stderr and returns the exit code: 1 with a
 * one-line message for a user error, 2 for anything else, with the stack only when
 * `verbose` is set.
 */
export function reportError(err: unknown, verbose: boolean): number {
  const message = err instanceof Error ? err.message : String(err);
  if (isUserError(err)) {
    process.stderr.write(`ggufkit: ${oneLine(message)}\n`);
    return ExitCode.USER_ERROR;
  }
  if (verbose) {
    process.stderr.write(`ggufkit: internal error: ${err instanceof Error && err.stack ? err.stack : message}\n`);
  } else {
    process.stderr.write(`ggufkit: internal error: ${oneLine(message)} (run with --verbose for the stack trace)\n`);
  }
  return ExitCode.INTERNAL_ERROR;
}
