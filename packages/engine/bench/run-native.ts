/**
 * Native llama.cpp through node-llama-cpp's prebuilt linux-x64 binaries (CPU only; the
 * package is never allowed to download or compile anything).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensurePeers } from './peers.js';
import type { SpeedResult } from './speed.js';

/** The small part of node-llama-cpp's API the benchmark uses (the package is installed on demand, without types here). */
interface LlamaSequence {
  evaluateWithoutGeneratingNewTokens(tokens: number[]): Promise<void>;
  clearHistory(): Promise<void>;
  evaluate(tokens: number[], opts: { temperature: number; yieldEogToken: boolean }): AsyncIterable<number>;
}
interface LlamaContext { getSequence(): LlamaSequence; dispose(): Promise<void> }
interface LlamaModel {
  createContext(opts: { threads: number; contextSize: number; batchSize: number }): Promise<LlamaContext>;
  dispose(): Promise<void>;
}
interface Llama { loadModel(opts: { modelPath: string; gpuLayers: number }): Promise<LlamaModel>; dispose(): Promise<void> }
interface NodeLlamaCpp { getLlama(opts: Record<string, unknown>): Promise<Llama> }

let llama: Promise<Llama> | undefined;

/** Loads node-llama-cpp, or explains why it cannot run here. */
export async function nativeAvailable(): Promise<string | undefined> {
  try {
    const entry = path.join(ensurePeers(), 'node-llama-cpp/dist/index.js');
    const { getLlama } = (await import(pathToFileURL(entry).href)) as NodeLlamaCpp;
    llama ??= getLlama({ gpu: false, build: 'never', usePrebuiltBinaries: true, skipDownload: true, maxThreads: 0, logLevel: 'error' });
    await llama;
    return undefined;
  } catch (err) {
    llama = undefined;
    return `node-llama-cpp unavailable: ${(err as Error).message.split('\n')[0]}`;
  }
}

export async function benchNative(file: string, threads: number, pp: number[], short: number[], tg: number): Promise<SpeedResult> {
  const l = await llama!;
  const model = await l.loadModel({ modelPath: file, gpuLayers: 0 });
  try {
    const ctx = await model.createContext({ threads, contextSize: pp.length + tg + 64, batchSize: 512 });
    try {
      const seq = ctx.getSequence();
      const tokens = (ids: number[]): number[] => ids;
      await seq.evaluateWithoutGeneratingNewTokens(tokens(pp.slice(0, 64)));
      await seq.clearHistory();
      const t = performance.now();
      await seq.evaluateWithoutGeneratingNewTokens(tokens(pp));
      const ppSeconds = (performance.now() - t) / 1000;
      await seq.clearHistory();
      const stamps: number[] = [];
      for await (const _tok of seq.evaluate(tokens(short), { temperature: 0, yieldEogToken: true })) {
        stamps.push(performance.now());
        if (stamps.length === tg + 1) break;
      }
      if (stamps.length !== tg + 1) throw new Error(`node-llama-cpp stopped after ${stamps.length} tokens`);
      return { ppTokS: pp.length / ppSeconds, tgTokS: tg / ((stamps[tg]! - stamps[0]!) / 1000), threads };
    } finally {
      await ctx.dispose();
    }
  } finally {
    await model.dispose();
  }
}

export async function closeNative(): Promise<void> {
  if (llama) await (await llama).dispose();
  llama = undefined;
}
