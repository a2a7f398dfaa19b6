/**
 * Every failure a caller can cause while reading or writing GGUF is a `GGUFError`.
 * Messages name the file (when known), the byte offset, and what was expected.
 */
export class GGUFError extends Error {
  override readonly name: string = 'GGUFError';
  /** File name, path or URL the error concerns, when known. */
  readonly file: string | undefined;
  /** Byte offset in the file where the problem was found, when known. */
  readonly offset: number | undefined;

  constructor(message: string, options: { file?: string; offset?: number; cause?: unknown } = {}) {
    const where = [options.file, options.offset !== undefined ? `offset ${options.offset}` : undefined].filter(Boolean).join(' at ');
    super(where ? `${where}: ${message}` : message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.file = options.file;
    this.offset = options.offset;
  }
}

/** The bytes do not form a valid GGUF file (bad magic, truncated data, impossible counts, bad types). */
export class GGUFFormatError extends GGUFError {
  override readonly name: string = 'GGUFFormatError';
}

/** The file is valid GGUF but uses something ggufkit does not support (e.g. an unknown version). */
export class GGUFUnsupportedError extends GGUFError {
  override readonly name: string = 'GGUFUnsupportedError';
}

/** A metadata key is missing or has a different type than the caller asked for. */
export class GGUFMetadataError extends GGUFError {
  override readonly name: string = 'GGUFMetadataError';
}

/** A tensor is missing, or its data cannot be read or written as described. */
export class GGUFTensorError extends GGUFError {
  override readonly name: string = 'GGUFTensorError';
}

/** A byte source failed (I/O error, HTTP status, short read). */
export class GGUFSourceError extends GGUFError {
  override readonly name: string = 'GGUFSourceError';
}

/** Writing failed because the input to the writer is inconsistent (sizes, alignment, duplicate names). */
export class GGUFWriteError extends GGUFError {
  override readonly name: string = 'GGUFWriteError';
}
