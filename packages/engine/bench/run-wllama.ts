/**
 * wllama (llama.cpp compiled to WebAssembly SIMD with pthreads) in Debian's headless
 * Chromium, driven by playwright-core. A localhost server sends the page, wllama's files and
 * the model with COOP/COEP headers so that the page is cross-origin isolated and wllama gets
 * its threads. Completions are timed in the page: prompt processing is a 1-token completion
 * of the long prompt, and decoding is the difference between a (tg + 1)-token and a 1-token
 * completion of the short prompt, divided by tg.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { repoRoot } from './make-model.js';
import { ensurePeers } from './peers.js';
import type { SpeedResult } from './speed.js';

const CHROMIUM = '/usr/bin/chromium';
/** wllama's browser build, from the peers installed on demand (see peers.ts). */
const wllamaDir = (): string => path.join(ensurePeers(), '@wllama/wllama/esm');

const PAGE = `<!doctype html><meta charset="utf-8"><title>wllama bench</title>
<script type="module">
import { Wllama } from '/wllama/index.js';
window.benchWllama = async ({ model, threads, ppText, shortText, tg, nCtx, avoid }) => {
  const w = new Wllama({ default: '/wllama/wasm/wllama.wasm' }, { suppressNativeLog: !window.benchDebug });
  await w.loadModelFromUrl(location.origin + model, { n_threads: threads, n_ctx: nCtx, n_batch: 512, n_gpu_layers: 0, useCache: false });
  const run = async (prompt, n) => {
    const t = performance.now();
    // random weights pick byte tokens whose text is not valid UTF-8, which the completion
    // API cannot return as JSON: those are biased away
    const logit_bias = Object.fromEntries(avoid.map((token) => [String(token), -1000]));
    const r = await w.createCompletion({ prompt, max_tokens: n, temperature: 0, cache_prompt: false, ignore_eos: true, logit_bias });
    return { ms: performance.now() - t, promptN: r.timings?.prompt_n, predictedN: r.timings?.predicted_n };
  };
  await run(shortText, 8);
  const pp = [await run(ppText, 1)];
  const one = await run(shortText, 1);
  const many = await run(shortText, tg + 1);
  const info = { multithread: w.isMultithread(), threads: w.getNumThreads() };
  await w.exit();
  return { pp, one, many, info, isolated: crossOriginIsolated };
};
window.benchReady = true;
</script>`;

/** Serves the page, wllama's files and the bench models, cross-origin isolated. */
function serve(models: Map<string, string>): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (process.env.BENCH_DEBUG) console.error(req.method, req.url, req.headers.range ?? '');
    const headers: Record<string, string> = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
    };
    if (url.pathname === '/') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end(PAGE);
      return;
    }
    let file: string | undefined;
    let type = 'application/octet-stream';
    if (url.pathname.startsWith('/wllama/')) {
      file = path.join(wllamaDir(), path.normalize(url.pathname.slice('/wllama/'.length)));
      if (!file.startsWith(wllamaDir())) file = undefined;
      if (file?.endsWith('.js')) type = 'text/javascript';
      if (file?.endsWith('.wasm')) type = 'application/wasm';
    } else if (url.pathname.startsWith('/model/')) {
      file = models.get(url.pathname.slice('/model/'.length));
    }
    if (!file || !fs.existsSync(file)) {
      res.writeHead(404, headers).end();
      return;
    }
    const size = fs.statSync(file).size;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]), end = range[2] ? Number(range[2]) : size - 1;
      res.writeHead(206, { ...headers, 'Content-Type': type, 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Accept-Ranges': 'bytes' });
      fs.createReadStream(file, { start, end }).pipe(res);
    } else {
      res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': size, 'Accept-Ranges': 'bytes' });
      if (req.method === 'HEAD') res.end();
      else fs.createReadStream(file).pipe(res);
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

interface Session {
  /** `avoid`: token ids the completions must not produce (byte tokens). */
  run(file: string, threads: number, ppText: string, shortText: string, tg: number, nCtx: number, avoid: number[]): Promise<SpeedResult>;
  close(): Promise<void>;
}

/** Starts Chromium and the server, or explains why wllama cannot run here. */
export async function startWllama(): Promise<Session | string> {
  if (!fs.existsSync(CHROMIUM)) return `${CHROMIUM} is absent (apt-get install -y chromium)`;
  if (!fs.existsSync(path.join(wllamaDir(), 'index.js'))) return '@wllama/wllama is not installed';
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    return 'playwright-core is not installed';
  }
  const models = new Map<string, string>();
  const server = await serve(models);
  const port = (server.address() as AddressInfo).port;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  // a fresh page per run: the model bytes a page downloaded count against the browser's
  // storage quota until the page is gone, and a second model in the same page exceeds it
  const openPage = async () => {
    const page = await browser.newPage();
    if (process.env.BENCH_DEBUG) {
      page.on('console', (m) => console.error('[page]', m.text().slice(0, 300)));
      await page.addInitScript('window.benchDebug = true');
    }
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction('window.benchReady === true');
    return page;
  };
  await (await openPage()).close();
  return {
    async run(file, threads, ppText, shortText, tg, nCtx, avoid) {
      const key = path.basename(file);
      models.set(key, file);
      const page = await openPage();
      const r = await page.evaluate((args) => (window as unknown as { benchWllama(a: unknown): Promise<WllamaRun> }).benchWllama(args),
        { model: `/model/${key}`, threads, ppText, shortText, tg, nCtx, avoid }).finally(() => page.close());
      if (!r.isolated) throw new Error('the wllama page is not cross-origin isolated');
      const ppMs = r.pp[0]!.ms;
      const decodeMs = r.many.ms - r.one.ms;
      const got = r.many.predictedN ?? tg + 1;
      if (got !== tg + 1) throw new Error(`wllama generated ${got} tokens instead of ${tg + 1}`);
      return {
        ppTokS: (r.pp[0]!.promptN ?? 0) / (ppMs / 1000),
        tgTokS: tg / (decodeMs / 1000),
        threads: r.info.threads,
        note: r.info.multithread || threads === 1 ? undefined : `wllama ran single-threaded when asked for ${threads} threads`,
      };
    },
    async close() {
      await browser.close();
      await new Promise((r) => server.close(r));
    },
  };
}

interface WllamaRun {
  pp: Array<{ ms: number; promptN?: number }>;
  one: { ms: number };
  many: { ms: number; predictedN?: number };
  info: { multithread: boolean; threads: number };
  isolated: boolean;
}
