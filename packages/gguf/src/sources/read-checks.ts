import { GGUFSourceError } from '../errors.js';

/** The short-read error every source raises when fewer bytes arrive than were asked for. */
export function shortReadError(name: string, offset: number, expected: number, got: number, detail?: string): GGUFSourceError {
  return new GGUFSourceError(`short read: expected ${expected} bytes, got ${got}${detail ? ` (${detail})` : ''}`, { file: name, offset });
}

/** Validates the arguments of a `read` call (non-negative safe integers). */
export function checkReadArgs(name: string, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new GGUFSourceError(`invalid read of ${length} bytes at offset ${offset}`, { file: name });
  }
}
