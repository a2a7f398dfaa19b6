import { createRequire } from 'node:module';
import type { Argv } from 'yargs';

/**
 * yargs loaded through its CommonJS build. The ESM build's help formatter cuts lines at a
 * fixed column, splitting words ("JS|ON"); the CommonJS one wraps at word boundaries.
 */
export const yargsParser = createRequire(import.meta.url)('yargs') as (args?: readonly string[]) => Argv;
