/**
 * Reusable block buffers for streamed conversion. Allocating a fresh 16 MiB buffer per
 * row block costs more than converting it: the memory is zeroed and faulted in again,
 * and V8 answers the growing external memory with full garbage collections over a heap
 * that holds the whole vocabulary. Buffers that went all the way to the file come back
 * here (`release`) and the next block is read into one of them.
 *
 * Only a buffer that nothing refers to any more may be released: the pool hands it out
 * again and new bytes overwrite it. A buffer that is never released is simply garbage
 * collected, so forgetting a release costs speed, never correctness.
 */

/** A free list of equally sized byte buffers. */
export class BufferPool {
  private readonly free: Uint8Array[] = [];
  /** Pool buffers handed out and not released yet (chunks from elsewhere, and second releases, are ignored). */
  private readonly lent = new WeakSet<ArrayBufferLike>();

  /**
   * @param bufferBytes Size of every pooled buffer.
   * @param maxFree Free buffers kept at most; more released buffers are dropped.
   * @param allocate Makes a pooled buffer of `bufferBytes` (default: a plain `Uint8Array`).
   */
  constructor(readonly bufferBytes: number, readonly maxFree = 8, private readonly allocate: (bytes: number) => Uint8Array = (n) => new Uint8Array(n)) {
    if (!Number.isSafeInteger(bufferBytes) || bufferBytes <= 0) throw new RangeError(`BufferPool: buffer size must be a positive integer, got ${bufferBytes}`);
  }

  /**
   * A buffer of at least `bytes` bytes (contents undefined), as a view of exactly `bytes`.
   * Requests larger than the pool's buffers get a one-off buffer of their own.
   */
  acquire(bytes: number): Uint8Array {
    if (bytes > this.bufferBytes) return new Uint8Array(bytes);
    const buf = this.free.pop() ?? this.allocate(this.bufferBytes);
    this.lent.add(buf.buffer);
    return buf.subarray(0, bytes);
  }

  /**
   * Returns the buffer under `chunk` to the pool when this pool made it. The caller
   * guarantees that nothing reads or writes `chunk` (or any other view of its buffer) any more.
   */
  release(chunk: Uint8Array): void {
    const ab = chunk.buffer;
    if (!this.lent.has(ab)) return;
    this.lent.delete(ab);
    if (this.free.length < this.maxFree) this.free.push(new Uint8Array(ab, 0, this.bufferBytes));
  }

  /** True when `chunk` lies in a buffer this pool handed out and that was not released yet. */
  isLent(chunk: Uint8Array): boolean {
    return this.lent.has(chunk.buffer);
  }

  /** Number of free buffers held. */
  get freeCount(): number {
    return this.free.length;
  }
}
