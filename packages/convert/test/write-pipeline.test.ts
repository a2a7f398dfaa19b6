/**
 * The pieces that let a conversion read, convert and write at the same time: the block
 * buffer pool (a buffer is reused only after it was handed back, once) and the
 * write-behind sink (order kept, queue bounded, written chunks reported, failures and
 * background flushes surfaced, nothing written after an abort).
 */
import { memorySink, type ByteSink } from '@ggufkit/gguf';
import { BufferPool } from '../src/pipeline/buffer-pool.js';
import { writeBehindSink } from '../src/pipeline/write-behind-sink.js';

describe('BufferPool', () => {
  it('hands a released buffer out again, and nothing else', () => {
    const pool = new BufferPool(1024);
    const a = pool.acquire(1000);
    expect(a.length).toBe(1000);
    const b = pool.acquire(10);
    expect(b.buffer).not.toBe(a.buffer);
    expect(pool.isLent(a)).toBe(true);
    pool.release(a);
    expect(pool.isLent(a)).toBe(false);
    pool.release(a); // a second release is ignored
    pool.release(new Uint8Array(1024)); // not the pool's
    expect(pool.freeCount).toBe(1);
    const c = pool.acquire(500);
    expect(c.buffer).toBe(a.buffer);
    expect(pool.acquire(500).buffer).not.toBe(a.buffer);
  });

  it('gives larger requests a buffer of their own, never pooled', () => {
    const pool = new BufferPool(1024);
    const big = pool.acquire(4096);
    expect(big.length).toBe(4096);
    pool.release(big);
    expect(pool.freeCount).toBe(0);
  });

  it('keeps at most maxFree free buffers, through its allocator', () => {
    let made = 0;
    const pool = new BufferPool(64, 2, (n) => { made++; return new Uint8Array(n); });
    const bufs = [pool.acquire(64), pool.acquire(64), pool.acquire(64)];
    for (const b of bufs) pool.release(b);
    expect(pool.freeCount).toBe(2);
    expect(made).toBe(3);
  });
});

/** A sink whose writes complete only when the test lets them. */
function gatedSink() {
  const written: number[] = [];
  const gates: (() => void)[] = [];
  let closed = false;
  let aborted = false;
  const sink: ByteSink = {
    write: (chunk) => new Promise<void>((resolve) => gates.push(() => { written.push(chunk[0]!); resolve(); })),
    close: async () => { closed = true; },
    abort: async () => { aborted = true; },
  };
  const open = async (n = 1) => {
    for (let i = 0; i < n; i++) {
      while (gates.length === 0) await new Promise((r) => setTimeout(r, 1));
      gates.shift()!();
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  return { sink, written, open, state: () => ({ closed, aborted, pending: gates.length }) };
}

const chunk = (tag: number, bytes = 10) => new Uint8Array(bytes).fill(tag);

describe('writeBehindSink', () => {
  it('passes chunks on in order and closes the inner sink after the last', async () => {
    const inner = memorySink();
    const written: Uint8Array[] = [];
    const sink = writeBehindSink(inner, { onWritten: (c) => written.push(c) });
    const chunks = [chunk(1), chunk(2, 5), chunk(3, 7)];
    for (const c of chunks) await sink.write(c);
    await sink.close();
    expect(inner.closed).toBe(true);
    expect(Array.from(inner.bytes())).toEqual(chunks.flatMap((c) => Array.from(c)));
    expect(written).toEqual(chunks);
  });

  it('returns from write while the queue has room, and waits once it is full', async () => {
    const g = gatedSink();
    const sink = writeBehindSink(g.sink, { maxQueuedBytes: 25 });
    await sink.write(chunk(1));
    await sink.write(chunk(2)); // 20 bytes queued, none written yet
    let third = false;
    const p = sink.write(chunk(3)).then(() => { third = true; });
    await new Promise((r) => setTimeout(r, 5));
    expect(third).toBe(false); // 30 > 25
    await g.open(); // the first chunk reaches the disk
    await p;
    expect(third).toBe(true);
    const closing = sink.close();
    await g.open(2);
    await closing;
    expect(g.written).toEqual([1, 2, 3]);
    expect(g.state().closed).toBe(true);
  });

  it('accepts a chunk larger than the queue bound when the queue is empty', async () => {
    const inner = memorySink();
    const sink = writeBehindSink(inner, { maxQueuedBytes: 4 });
    await sink.write(chunk(9, 100));
    await sink.close();
    expect(inner.bytes().length).toBe(100);
  });

  it('rejects the next write and close after a failed inner write, without closing it', async () => {
    let closed = false;
    const failing: ByteSink = {
      write: async () => { throw new Error('disk full'); },
      close: async () => { closed = true; },
    };
    const sink = writeBehindSink(failing);
    await sink.write(chunk(1)); // queued; fails in the background
    await new Promise((r) => setTimeout(r, 5));
    await expect(sink.write(chunk(2))).rejects.toThrow('disk full');
    await expect(sink.close()).rejects.toThrow('disk full');
    expect(closed).toBe(false);
  });

  it('flushes in the background every flushEveryBytes and waits for the flush before closing', async () => {
    const inner = memorySink();
    const flushes: number[] = [];
    let finishFlush: (() => void) | undefined;
    const sink = writeBehindSink(inner, {
      flushEveryBytes: 25,
      flush: () => new Promise<void>((resolve) => { flushes.push(inner.bytes().length); finishFlush = resolve; }),
    });
    for (let i = 0; i < 3; i++) await sink.write(chunk(i));
    await new Promise((r) => setTimeout(r, 5));
    expect(flushes).toEqual([30]); // after the third chunk; one flush at a time
    let closed = false;
    const closing = sink.close().then(() => { closed = true; });
    await new Promise((r) => setTimeout(r, 5));
    expect(closed).toBe(false);
    finishFlush!();
    await closing;
    expect(inner.closed).toBe(true);
  });

  it('reports a failed flush at close', async () => {
    const sink = writeBehindSink(memorySink(), { flushEveryBytes: 1, flush: async () => { throw new Error('sync failed'); } });
    await sink.write(chunk(1));
    await new Promise((r) => setTimeout(r, 5));
    await expect(sink.close()).rejects.toThrow('sync failed');
  });

  it('drops queued chunks on abort and aborts the inner sink', async () => {
    const g = gatedSink();
    const sink = writeBehindSink(g.sink);
    await sink.write(chunk(1));
    await sink.write(chunk(2));
    const aborting = sink.abort!(new Error('stop'));
    await g.open(); // the write under way completes
    await aborting;
    expect(g.written).toEqual([1]);
    expect(g.state()).toEqual({ closed: false, aborted: true, pending: 0 });
    await expect(sink.write(chunk(3))).rejects.toThrow(/closed or aborted/);
  });
});
