import type { ByteSource } from '../source.js';
import { checkReadArgs, shortReadError } from './read-checks.js';

/**
 * A source over bytes already in memory. Reads return views into `bytes` (no copy), so
 * a caller that modifies `bytes` afterwards also changes what it read.
 */
export function bytesSource(bytes: Uint8Array, name = '<bytes>'): ByteSource {
  return {
    name,
    size: async () => bytes.length,
    async read(offset, length) {
      checkReadArgs(name, offset, length);
      if (offset + length > bytes.length) throw shortReadError(name, offset, length, Math.max(0, bytes.length - offset));
      return bytes.subarray(offset, offset + length);
    },
    async readAtMost(offset, length) {
      checkReadArgs(name, offset, length);
      return bytes.subarray(Math.min(offset, bytes.length), Math.min(offset + length, bytes.length));
    },
  };
}
