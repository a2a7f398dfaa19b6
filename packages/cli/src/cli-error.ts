/** A mistake in how the command was called (bad flag, missing file): exit code 1, one-line message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
