#!/usr/bin/env node
import { main } from '../dist/main.js';

// A closed pipe (`ggufkit inspect f | head`) is a normal way for output to end.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
process.exitCode = await main(process.argv.slice(2));
