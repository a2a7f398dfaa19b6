/** Multi-threaded quantization over worker threads (Node) or Web Workers. */
export { QuantPool, type QuantPoolOptions } from './pool.js';
export { quantizeParallel, type QuantizeParallelOptions } from './quantize-parallel.js';
export {
  defaultThreadCount,
  defaultWorkerSpawner,
  nodeWorkerSpawner,
  webWorkerSpawner,
  type QuantWorkerPort,
  type QuantWorkerSpawner,
} from './spawn.js';
export { quantWorkerScript } from './worker-main.js';
