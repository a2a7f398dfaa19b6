/**
 * Output file names. A split conversion writes `<stem>-00001-of-00003.gguf` beside the
 * requested file, as llama.cpp's converter (and gguf-split) name shards: the requested
 * name loses its extension and gets the shard suffix.
 */
import { shardName } from '@ggufkit/gguf';

/** The requested path without the extension of its last component (`out/model.gguf` -> `out/model`). */
export function shardPrefix(outFile: string): string {
  const slash = Math.max(outFile.lastIndexOf('/'), outFile.lastIndexOf('\\'));
  const dot = outFile.lastIndexOf('.');
  // a leading dot (".gguf") names the file, it is not an extension
  return dot > slash + 1 ? outFile.slice(0, dot) : outFile;
}

/** The paths a conversion to `outFile` writes when it produces `count` files. */
export function outputPaths(outFile: string, count: number): string[] {
  if (count <= 1) return [outFile];
  const prefix = shardPrefix(outFile);
  return Array.from({ length: count }, (_, i) => shardName(prefix, i, count));
}
