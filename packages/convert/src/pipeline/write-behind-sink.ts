/**
 * A sink that lets the producer run ahead of the disk. The writer awaits every
 * `write`; on a plain file sink that wait is the whole disk write, during which nothing
 * is read or converted. Here `write` only queues the chunk (waiting only while the queue
 * is full) and one loop hands queued chunks to the inner sink in order, so reading and
 * converting the next blocks overlap writing the previous ones, with memory bounded by
 * the queue.
 */
import type { ByteSink } from '@ggufkit/gguf';

/** Options of {@link writeBehindSink}. */
export interface WriteBehindOptions {
  /**
   * Bytes queued at most before `write` waits (default 64 MiB). A chunk larger than this
   * is still accepted, once the queue is empty.
   */
  readonly maxQueuedBytes?: number;
  /**
   * Called with each chunk after the inner sink has written it, when nothing refers to it
   * any more (to reuse its buffer).
   */
  readonly onWritten?: (chunk: Uint8Array) => void;
  /**
   * Starts writing the data so far to the storage device (e.g. `datasync` on the file).
   * Called in the background every `flushEveryBytes`, at most one at a time; `close`
   * waits for it. Without it, a file's dirty pages pile up in the page cache and all go to
   * disk in the final sync, after everything else is done.
   */
  readonly flush?: () => Promise<void>;
  /** Bytes written between two `flush` calls (default 256 MiB). */
  readonly flushEveryBytes?: number;
}

/** Default bound of the write queue. */
export const DEFAULT_WRITE_QUEUE_BYTES = 64 << 20;

/** Default amount written between background flushes. */
export const DEFAULT_FLUSH_EVERY_BYTES = 256 << 20;

class WriteBehindSink implements ByteSink {
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private draining: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;
  private stopped = false;
  private readonly waiting: (() => void)[] = [];
  private readonly maxQueuedBytes: number;
  private flushing: Promise<void> | undefined;
  private unflushedBytes = 0;

  constructor(private readonly inner: ByteSink, private readonly opts: WriteBehindOptions) {
    this.maxQueuedBytes = opts.maxQueuedBytes ?? DEFAULT_WRITE_QUEUE_BYTES;
    if (!(this.maxQueuedBytes > 0)) throw new RangeError(`writeBehindSink: maxQueuedBytes must be positive, got ${this.maxQueuedBytes}`);
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.check();
    while (this.queuedBytes > 0 && this.queuedBytes + chunk.length > this.maxQueuedBytes) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      this.check();
    }
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    this.draining ??= this.drain();
  }

  async close(): Promise<void> {
    this.check();
    await this.draining;
    await this.flushing;
    this.check();
    this.stopped = true;
    await this.inner.close();
  }

  async abort(reason?: unknown): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.wake();
    await this.draining;
    await this.flushing;
    await this.inner.abort?.(reason);
  }

  /** Rethrows a failed background write; refuses use after close or abort. */
  private check(): void {
    if (this.failure) throw this.failure.error;
    if (this.stopped) throw new Error('writeBehindSink: already closed or aborted');
  }

  private wake(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  private startFlush(flush: () => Promise<void>): void {
    this.unflushedBytes = 0;
    this.flushing = flush().then(
      () => { this.flushing = undefined; },
      (error: unknown) => {
        this.flushing = undefined;
        this.failure ??= { error };
        this.wake();
      },
    );
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const chunk = this.queue[0]!;
        await this.inner.write(chunk);
        // abort() may have emptied the queue while the write was under way
        if (this.queue[0] === chunk) {
          this.queue.shift();
          this.queuedBytes -= chunk.length;
        }
        this.opts.onWritten?.(chunk);
        this.wake();
        this.unflushedBytes += chunk.length;
        if (this.opts.flush && !this.flushing && this.unflushedBytes >= (this.opts.flushEveryBytes ?? DEFAULT_FLUSH_EVERY_BYTES)) this.startFlush(this.opts.flush);
      }
    } catch (error) {
      this.failure = { error };
      this.queue.length = 0;
      this.queuedBytes = 0;
      this.wake();
    } finally {
      this.draining = undefined;
    }
  }
}

/**
 * Wraps `inner` so that `write` returns as soon as the chunk is queued (see the module
 * description). Chunks reach `inner` in order; a failed inner write makes the next
 * `write` or `close` reject with its error. Chunks must not be modified after `write`
 * (the writer's contract already says so).
 */
export function writeBehindSink(inner: ByteSink, opts: WriteBehindOptions = {}): ByteSink {
  return new WriteBehindSink(inner, opts);
}
