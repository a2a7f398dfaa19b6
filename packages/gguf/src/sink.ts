/**
 * Where the streaming writer puts bytes. A sink receives the file front to back, once;
 * `close` commits it and `abort` discards whatever was written (a file sink removes its
 * temporary file), so a failed write leaves nothing half-written behind.
 */

/** A destination for a file's bytes, written in order. */
export interface ByteSink {
  /** Appends `chunk`. The writer does not reuse or modify a chunk after passing it. */
  write(chunk: Uint8Array): Promise<void>;
  /** Finishes the output successfully. */
  close(): Promise<void>;
  /** Abandons the output after a failure (optional; the writer calls it instead of `close`). */
  abort?(reason?: unknown): Promise<void>;
}

/** A sink that keeps everything in memory (for small files, tests and browsers). */
export interface MemorySink extends ByteSink {
  /** All bytes written so far, concatenated. */
  bytes(): Uint8Array;
  /** True once `close` has been called. */
  readonly closed: boolean;
}

/** Creates a sink that collects the written bytes in memory. */
export function memorySink(): MemorySink {
  let chunks: Uint8Array[] = [];
  let total = 0;
  let closed = false;
  return {
    async write(chunk) {
      if (closed) throw new Error('memorySink: write after close');
      chunks.push(chunk.slice());
      total += chunk.length;
    },
    async close() {
      closed = true;
    },
    async abort() {
      chunks = [];
      total = 0;
      closed = true;
    },
    bytes() {
      if (chunks.length !== 1) {
        const all = new Uint8Array(total);
        let at = 0;
        for (const c of chunks) {
          all.set(c, at);
          at += c.length;
        }
        chunks = [all];
      }
      return chunks[0] ?? new Uint8Array(0);
    },
    get closed() {
      return closed;
    },
  };
}

/**
 * Adapts a WHATWG `WritableStream` (e.g. from the File System Access API's
 * `createWritable()`) to a sink. `abort` aborts the stream, which for such files
 * discards the pending write.
 */
export function writableStreamSink(stream: WritableStream<Uint8Array>): ByteSink {
  const writer = stream.getWriter();
  return {
    write: (chunk) => writer.write(chunk),
    close: () => writer.close(),
    abort: (reason) => writer.abort(reason),
  };
}

/**
 * Groups small writes (padding, headers of small tensors) into chunks of at least
 * `minChunk` bytes so that a file sink does not issue one system call per few bytes.
 * Chunks already at least that large pass straight through after the pending bytes.
 */
export class CoalescingSink implements ByteSink {
  private pending: Uint8Array;
  private used = 0;

  constructor(private readonly inner: ByteSink, private readonly minChunk = 1 << 20) {
    this.pending = new Uint8Array(minChunk);
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (chunk.length >= this.minChunk) {
      await this.flush();
      await this.inner.write(chunk);
      return;
    }
    if (this.used + chunk.length > this.pending.length) await this.flush();
    this.pending.set(chunk, this.used);
    this.used += chunk.length;
  }

  /** Passes the pending bytes on. */
  async flush(): Promise<void> {
    if (this.used === 0) return;
    const out = this.pending.slice(0, this.used);
    this.used = 0;
    await this.inner.write(out);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.inner.close();
  }

  async abort(reason?: unknown): Promise<void> {
    this.used = 0;
    await this.inner.abort?.(reason);
  }
}
