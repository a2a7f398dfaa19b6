/**
 * `setImmediate` for the worker, on a MessageChannel. The engine yields to the event loop
 * between generated tokens with `setImmediate` when there is one and `setTimeout(0)`
 * otherwise; browsers clamp timers nested more than five deep to 4 ms, which would cap
 * decoding of a small model at 250 tokens/s. Imported before the engine so that it sees it.
 */
const g = globalThis as { setImmediate?: (cb: () => void) => void };
if (typeof g.setImmediate !== 'function') {
  const channel = new MessageChannel();
  const queue: Array<() => void> = [];
  channel.port1.onmessage = () => queue.shift()?.();
  g.setImmediate = (cb) => {
    queue.push(cb);
    channel.port2.postMessage(null);
  };
}
