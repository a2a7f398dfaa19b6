/** Entry point of the `ggufkit` command line. Returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  process.stdout.write(`ggufkit ${argv.join(' ')}\n`);
  return 0;
}
