// A compute thread of @ggufkit/engine (a Node worker_thread or a browser module Worker).
// It instantiates the engine's WebAssembly module over the model's shared memory and then
// loops: wait for the job generation counter in the control block to change, run chunks of
// the job with its own scratch area, count itself done. Plain JavaScript with no imports
// from the package, so it runs unchanged from the sources and from the published files.
// The control block layout is defined in src/wasm/threads.ts.

const SEQ = 0, DONE = 1, JOB = 2, QUIT = 3, MAIN_WAITING = 4;

function loop(exports, ctrl, scratch, spinMs, seq) {
  // `seq` is the generation the pool had when it started this worker: reading SEQ here
  // instead could miss a first job published between our 'ready' message and this line
  let seen = seq;
  for (;;) {
    // spin briefly (jobs of one token follow each other within microseconds), then sleep
    if (Atomics.load(ctrl, SEQ) === seen) {
      const until = performance.now() + spinMs;
      let spins = 0;
      while (Atomics.load(ctrl, SEQ) === seen) {
        if ((++spins & 1023) === 0 && performance.now() > until) {
          Atomics.wait(ctrl, SEQ, seen);
        }
      }
    }
    seen = Atomics.load(ctrl, SEQ);
    if (Atomics.load(ctrl, QUIT) !== 0) return;
    exports.runJob(Atomics.load(ctrl, JOB), scratch);
    Atomics.add(ctrl, DONE, 1);
    if (Atomics.load(ctrl, MAIN_WAITING) !== 0) Atomics.notify(ctrl, DONE);
  }
}

async function start(init, post) {
  try {
    const instance = await WebAssembly.instantiate(init.module, { env: { memory: init.memory } });
    const ctrl = new Int32Array(init.memory.buffer, init.ctrl, 8);
    post({ ready: true });
    loop(instance.exports, ctrl, init.scratch, init.spinMs, init.seq);
  } catch (err) {
    post({ error: String(err && err.stack || err) });
  }
}

if (typeof process !== 'undefined' && process.versions && process.versions.node && typeof self === 'undefined') {
  const { parentPort, workerData } = await import('node:worker_threads');
  start(workerData, (m) => parentPort.postMessage(m));
} else {
  self.onmessage = (e) => start(e.data, (m) => self.postMessage(m));
}
