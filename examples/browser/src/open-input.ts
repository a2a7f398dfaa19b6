/** Opening what the user picked (a File) or typed (an http(s) URL) as a GGUF file. */
import { openGGUF, type GGUFFile } from '@ggufkit/gguf';
import type { ModelInput } from './protocol.js';

/** Parses the header of `input` (no tensor data is read). A URL is read with Range requests. */
export function openModelInput(input: ModelInput): Promise<GGUFFile> {
  return openGGUF(input);
}
