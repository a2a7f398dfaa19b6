/**
 * The body of a quantization worker. It runs inside the worker from its source text
 * (`Function.prototype.toString`), so it must not refer to anything outside itself: no
 * imports, no module-level names. Messages:
 * - `{ op: 'init', module }`: instantiate the quantizers' WebAssembly module; replies `{ op: 'ready' }`.
 * - `{ op: 'quantize', id, type, nrows, ncols, rowBytes, src, imatrix }`: replies `{ id, bytes }`.
 * - `{ op: 'dequantize', id, type, nblocks, typeSize, blockSize, src }`: replies `{ id, values }`.
 * Failures reply `{ id, error }`.
 */

/** How the worker body talks to its host (Node's `parentPort` or a Web Worker's `self`). */
export interface WorkerEndpoint {
  post(message: unknown, transfer: Transferable[]): void;
  listen(listener: (message: any) => void): void;
}

/** Runs the worker's message loop on `endpoint`. Self-contained on purpose (see the file comment). */
export function quantWorkerMain(endpoint: WorkerEndpoint): void {
  let kernels: any = null;
  let base = 0;
  endpoint.listen((msg: any) => {
    try {
      if (msg.op === 'init') {
        kernels = new WebAssembly.Instance(msg.module, {}).exports;
        base = Math.ceil(kernels.heapBase() / 64) * 64;
        endpoint.post({ op: 'ready' }, []);
        return;
      }
      if (!kernels) throw new Error('quantization worker used before init');
      const memory: WebAssembly.Memory = kernels.memory;
      if (msg.op === 'quantize') {
        const n = msg.nrows * msg.ncols;
        const imPtr = msg.imatrix ? base : 0;
        const srcPtr = base + (msg.imatrix ? Math.ceil((msg.ncols * 4) / 64) * 64 : 0);
        const dstPtr = srcPtr + Math.ceil((n * 4) / 64) * 64;
        const outBytes = msg.nrows * msg.rowBytes;
        const need = dstPtr + outBytes;
        if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
        if (msg.imatrix) new Float32Array(memory.buffer, imPtr, msg.ncols).set(msg.imatrix);
        new Float32Array(memory.buffer, srcPtr, n).set(msg.src);
        if (kernels.quantize(msg.type, srcPtr, dstPtr, msg.nrows, msg.ncols, imPtr) !== 0) throw new Error(`no fast quantizer for ggml type ${msg.type}`);
        const bytes = new Uint8Array(memory.buffer.slice(dstPtr, dstPtr + outBytes));
        endpoint.post({ id: msg.id, bytes }, [bytes.buffer]);
        return;
      }
      if (msg.op === 'dequantize') {
        const inBytes = msg.nblocks * msg.typeSize;
        const srcPtr = base;
        const dstPtr = srcPtr + Math.ceil(inBytes / 64) * 64;
        const need = dstPtr + msg.nblocks * msg.blockSize * 4;
        if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
        new Uint8Array(memory.buffer, srcPtr, inBytes).set(msg.src);
        if (kernels.dequantize(msg.type, srcPtr, dstPtr, msg.nblocks) !== 0) throw new Error(`no fast dequantizer for ggml type ${msg.type}`);
        const values = new Float32Array(memory.buffer.slice(dstPtr, need));
        endpoint.post({ id: msg.id, values }, [values.buffer]);
        return;
      }
      throw new Error(`unknown quantization worker message ${String(msg.op)}`);
    } catch (err) {
      endpoint.post({ id: msg.id, error: err instanceof Error ? err.message : String(err) }, []);
    }
  });
}

/**
 * The worker's source text for a Node `worker_threads` Worker (`{ eval: true }`) or a
 * Web Worker (through a Blob URL).
 */
export function quantWorkerScript(flavor: 'node' | 'web'): string {
  const endpoint =
    flavor === 'node'
      ? `{ post: (m, t) => require('node:worker_threads').parentPort.postMessage(m, t),
           listen: (f) => require('node:worker_threads').parentPort.on('message', f) }`
      : `{ post: (m, t) => self.postMessage(m, t), listen: (f) => self.addEventListener('message', (e) => f(e.data)) }`;
  return `'use strict';\n(${quantWorkerMain.toString()})(${endpoint});\n`;
}
