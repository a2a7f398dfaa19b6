import { openGGUF, type GGUFFile, type GGUFModel } from '@ggufkit/gguf';
import { openGGUFFile, openSplitGGUFFile } from '@ggufkit/gguf/node';
import { existsSync } from 'node:fs';
import { UsageError } from './cli-error.js';

const FIRST_SHARD = /-00001-of-\d{5}\.gguf$/;

/** True when the argument is an http(s) URL rather than a path. */
export function isURL(input: string): boolean {
  return /^https?:\/\//i.test(input);
}

/** Opens one GGUF file from a path or an http(s) URL. */
export async function openInput(input: string): Promise<GGUFFile> {
  if (isURL(input)) return openGGUF(input);
  if (!existsSync(input)) throw new UsageError(`no such file: ${input}`);
  return openGGUFFile(input);
}

/** Opens a path, URL, or the first shard of a split model (`*-00001-of-0000N.gguf`) as one model. */
export async function openModelInput(input: string): Promise<GGUFFile | GGUFModel> {
  if (!isURL(input) && FIRST_SHARD.test(input)) {
    if (!existsSync(input)) throw new UsageError(`no such file: ${input}`);
    return openSplitGGUFFile(input);
  }
  return openInput(input);
}
