/** Prints a value as one line of JSON on stdout. */
export function printJSON(value: unknown): void {
  process.stdout.write(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) + '\n');
}
