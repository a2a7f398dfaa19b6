/**
 * End-to-end check of the browser demo in headless Chromium (`npm run test:browser`).
 *
 * Builds the demo, serves it on localhost, and drives Debian's Chromium with
 * playwright-core through two runs of the shipped model `examples/models/tl-bpe-Q4_K_M.gguf`:
 *  1. a cross-origin isolated page that opens the model by URL (HTTP Range requests) and
 *     generates on several threads;
 *  2. a page without COOP/COEP that opens it through the file input and generates on one
 *     thread; a dropped file is opened there too.
 * Each run checks the page's metadata and tensor tables and charts against what
 * `@ggufkit/gguf` reads in Node, and that the greedy continuation of a fixed prompt has the
 * same tokens and text as `@ggufkit/engine/node` gives here. Leaves a screenshot in
 * `examples/browser/screenshot.png`. Exits with code 1 on any failed check.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { openGGUFFile } from '@ggufkit/gguf/node';
import { loadModelFile } from '@ggufkit/engine/node';
import { buildBrowserDemo } from '../build.js';
import { startStaticServer, type StaticServer } from './server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const demoDir = path.resolve(here, '..');
const repoRoot = path.resolve(demoDir, '../..');
const modelsDir = path.join(repoRoot, 'examples/models');
const MODEL = 'tl-bpe-Q4_K_M.gguf';
const modelPath = path.join(modelsDir, MODEL);
const screenshotPath = path.join(demoDir, 'screenshot.png');

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync'];

const PROMPT = 'The quick brown fox';
const MAX_TOKENS = 24;
const SEED = 1234;
/** Loading and generating on a busy machine can take a while. */
const WAIT_MS = 180_000;

let failures = 0;

function check(what: string, ok: boolean, detail = ''): boolean {
  if (!ok) failures++;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? `: ${detail}` : ''}`);
  return ok;
}

/** What Node reads and generates: the expectations of every page run. */
interface Reference {
  architecture: string;
  metadataCount: number;
  tensorCount: number;
  blockCount: number;
  types: Map<number, number>;
  tensorBytes: number;
  tokens: number[];
  text: string;
}

async function nodeReference(): Promise<Reference> {
  const file = await openGGUFFile(modelPath);
  const types = new Map<number, number>();
  let tensorBytes = 0;
  for (const t of file.tensors) {
    types.set(t.type, (types.get(t.type) ?? 0) + t.byteLength);
    tensorBytes += t.byteLength;
  }
  const architecture = file.getString('general.architecture');
  const ref = {
    architecture,
    metadataCount: file.metadata.length,
    tensorCount: file.tensors.length,
    blockCount: file.getNumber(`${architecture}.block_count`),
    types,
    tensorBytes,
  };
  await file.close();
  const model = await loadModelFile(modelPath);
  try {
    const r = await model.generate(PROMPT, { maxTokens: MAX_TOKENS, temperature: 0 });
    return { ...ref, tokens: r.tokens, text: r.text };
  } finally {
    model.dispose();
  }
}

/** Waits for `selector` with one of `states` in `data-state`; returns the state reached. */
async function waitForState(page: Page, selector: string, states: string[]): Promise<string> {
  const any = states.map((s) => `${selector}[data-state="${s}"]`).join(', ');
  const el = await page.waitForSelector(any, { timeout: WAIT_MS });
  return (await el.getAttribute('data-state')) ?? '';
}

/** Checks the header view (summary, charts, tables) against Node's reading. */
async function checkFileView(page: Page, ref: Reference, how: string): Promise<boolean> {
  const opened = await waitForState(page, '#open-status', ['opened', 'error']);
  if (!check(`${how}: the page opened the model`, opened === 'opened', await page.textContent('#open-status') ?? '')) return false;
  const arch = await page.textContent('#metadata tr[data-key="general.architecture"] td.value');
  check(`${how}: metadata table general.architecture = ${ref.architecture}`, arch === ref.architecture, `page shows ${JSON.stringify(arch)}`);
  check(`${how}: architecture is llama`, arch === 'llama');
  const metadataRows = await page.locator('#metadata tbody tr').count();
  check(`${how}: metadata table has ${ref.metadataCount} rows (Node's count)`, metadataRows === ref.metadataCount, `page has ${metadataRows}`);
  const tensorRows = await page.locator('#tensors tbody tr').count();
  check(`${how}: tensor table has ${ref.tensorCount} rows (Node's tensor count)`, tensorRows === ref.tensorCount, `page has ${tensorRows}`);
  const summaryTensors = Number(await page.getAttribute('#summary', 'data-tensors'));
  check(`${how}: summary tensor count = ${ref.tensorCount}`, summaryTensors === ref.tensorCount, `page says ${summaryTensors}`);
  const bars = await page.$$eval('#chart-types g.bar', (gs) => gs.map((g) => Number(g.getAttribute('data-bytes'))));
  check(`${how}: type chart has one bar per tensor type (${ref.types.size})`, bars.length === ref.types.size, `page has ${bars.length}`);
  const barBytes = bars.reduce((s, b) => s + b, 0);
  check(`${how}: type chart bars add up to the tensor bytes (${ref.tensorBytes})`, barBytes === ref.tensorBytes, `page adds up to ${barBytes}`);
  const columns = await page.locator('#chart-layers g.column').count();
  check(`${how}: layer chart has ${ref.blockCount} blocks + other`, columns === ref.blockCount + 1, `page has ${columns}`);
  return true;
}

interface GenerationOutcome {
  threads: number;
  tokensPerSecond: number | undefined;
  stats: string;
}

/** Waits for the model in the worker, generates greedily and compares with Node. */
async function checkGeneration(page: Page, ref: Reference, how: string, expectThreads: (n: number) => boolean, threadsNote: string): Promise<GenerationOutcome | undefined> {
  const state = await waitForState(page, '#model-status', ['ready', 'error']);
  if (!check(`${how}: the worker loaded the model`, state === 'ready', await page.textContent('#model-status') ?? '')) return undefined;
  const threads = Number(await page.getAttribute('#model-status', 'data-threads'));
  check(`${how}: the engine runs on ${threadsNote}`, expectThreads(threads), `${threads} thread(s)`);
  await page.fill('#prompt', PROMPT);
  await page.fill('#max-tokens', String(MAX_TOKENS));
  await page.fill('#temperature', '0');
  await page.fill('#seed', String(SEED));
  await page.click('#generate');
  const done = await waitForState(page, '#output', ['done', 'error']);
  const stats = (await page.textContent('#gen-stats')) ?? '';
  if (!check(`${how}: generation finished`, done === 'done', stats)) return undefined;
  const tokens = ((await page.getAttribute('#output', 'data-tokens')) ?? '').split(',').filter((s) => s !== '').map(Number);
  check(`${how}: greedy tokens of ${JSON.stringify(PROMPT)} (${MAX_TOKENS}) equal Node's`, JSON.stringify(tokens) === JSON.stringify(ref.tokens),
    `page [${tokens.join(',')}] vs Node [${ref.tokens.join(',')}]`);
  const text = await page.textContent('#output .generated');
  check(`${how}: streamed text equals Node's`, text === ref.text, `page ${JSON.stringify(text)} vs Node ${JSON.stringify(ref.text)}`);
  const tps = await page.getAttribute('#gen-stats', 'data-tokens-per-second');
  console.log(`       ${how}: ${stats}`);
  return { threads, tokensPerSecond: tps === null ? undefined : Number(tps), stats };
}

/** Starts a long sampled generation, presses Stop once tokens stream in, and checks it ended early. */
async function checkStop(page: Page): Promise<void> {
  const long = 1000;
  await page.fill('#max-tokens', String(long));
  await page.fill('#temperature', '0.8');
  await page.click('#generate');
  await page.waitForFunction(() => (document.querySelector('#output .generated')?.textContent ?? '').length > 0, undefined, { timeout: WAIT_MS });
  const streaming = await page.getAttribute('#output', 'data-state');
  await page.click('#stop');
  await waitForState(page, '#output', ['done', 'error']);
  const reason = await page.getAttribute('#output', 'data-stop-reason');
  const n = ((await page.getAttribute('#output', 'data-tokens')) ?? '').split(',').filter((x) => x !== '').length;
  check('run 2: tokens stream in before generation ends', streaming === 'running', `output state ${streaming}`);
  check('run 2: Stop ends a running generation early', reason === 'stopped' && n > 0 && n < long, `${n} tokens, ended by ${reason}`);
}

async function openPage(context: BrowserContext, url: string, errors: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  return page;
}

async function main(): Promise<void> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install -y chromium)`);
  console.log('building examples/browser/dist');
  await buildBrowserDemo({ quiet: true });

  console.log(`Node reference: ${MODEL}, greedy continuation of ${JSON.stringify(PROMPT)}, ${MAX_TOKENS} tokens`);
  const ref = await nodeReference();
  console.log(`  ${ref.metadataCount} metadata entries, ${ref.tensorCount} tensors, tokens [${ref.tokens.join(',')}] ${JSON.stringify(ref.text)}`);

  const mounts = { '/': path.join(demoDir, 'dist'), '/models/': modelsDir };
  const servers: StaticServer[] = [];
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-chromium-'));
  let context: BrowserContext | undefined;
  const speeds: string[] = [];
  try {
    const isolated = await startStaticServer({ mounts, isolated: true });
    servers.push(isolated);
    const plain = await startStaticServer({ mounts, isolated: false });
    servers.push(plain);
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 1040 },
    });

    console.log(`run 1: cross-origin isolated page (${isolated.origin}), model by URL, threads`);
    const errors1: string[] = [];
    const page1 = await openPage(context, `${isolated.origin}/`, errors1);
    const cores = await page1.evaluate(() => navigator.hardwareConcurrency);
    check('run 1: the page is cross-origin isolated', await page1.evaluate(() => crossOriginIsolated));
    await page1.fill('#url', `${isolated.origin}/models/${MODEL}`);
    await page1.click('#open-url');
    const run1 = await checkFileView(page1, ref, 'run 1') && await checkGeneration(page1, ref, 'run 1', (n) => n === cores && (cores === 1 || n > 1), `navigator.hardwareConcurrency = ${cores} threads`);
    if (run1) speeds.push(`isolated, ${run1.threads} threads: ${run1.tokensPerSecond?.toFixed(1)} tokens/s`);
    const modelReads = isolated.requests.filter((r) => r.path === `/models/${MODEL}` && r.method === 'GET');
    check('run 1: the model was read with Range requests only (206)', modelReads.length > 0 && modelReads.every((r) => r.range && r.status === 206),
      `${modelReads.length} GETs: ${[...new Set(modelReads.map((r) => r.status))].join(', ')}`);
    // Chromium runs relaxed SIMD, so the worker takes that build of the shared-memory kernels
    const wasmServed = isolated.requests.some((r) => r.path === '/engine/engine-threads-relaxed.wasm' && r.status === 200);
    check('run 1: the worker fetched the shared-memory relaxed-SIMD kernels', wasmServed);
    await page1.screenshot({ path: screenshotPath });
    console.log(`  screenshot: ${path.relative(process.cwd(), screenshotPath)}`);
    check('run 1: no page errors', errors1.length === 0, errors1.join(' | '));

    console.log(`run 2: page without COOP/COEP (${plain.origin}), model through the file input, one thread`);
    const errors2: string[] = [];
    const page2 = await openPage(context, `${plain.origin}/`, errors2);
    check('run 2: the page is not cross-origin isolated', !(await page2.evaluate(() => crossOriginIsolated)));
    await page2.setInputFiles('#file', modelPath);
    const run2 = await checkFileView(page2, ref, 'run 2') && await checkGeneration(page2, ref, 'run 2', (n) => n === 1, 'one thread');
    if (run2) speeds.push(`not isolated, 1 thread: ${run2.tokensPerSecond?.toFixed(1)} tokens/s`);
    check('run 2: the model was not fetched (read from the File)', !plain.requests.some((r) => r.path.startsWith('/models/')));
    if (run2) await checkStop(page2);

    console.log('run 2b: a file dropped on the page');
    await page2.evaluate(async (url) => {
      const blob = await (await fetch(url)).blob();
      const dt = new DataTransfer();
      dt.items.add(new File([blob], 'dropped.gguf'));
      document.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, `/models/${MODEL}`);
    await page2.waitForFunction(() => document.querySelector('#open-status')?.textContent === 'Opened dropped.gguf.', undefined, { timeout: WAIT_MS });
    await checkFileView(page2, ref, 'run 2b');
    await waitForState(page2, '#model-status', ['ready', 'error']);
    check('run 2b: the worker loaded the dropped model', (await page2.getAttribute('#model-status', 'data-state')) === 'ready');
    check('run 2: no page errors', errors2.length === 0, errors2.join(' | '));
  } finally {
    await context?.close();
    for (const s of servers) await s.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  console.log(speeds.length ? `decoding speed shown by the page: ${speeds.join('; ')}` : '');
  console.log(failures === 0 ? 'browser demo: all checks passed' : `browser demo: ${failures} check(s) failed`);
  process.exitCode = failures === 0 ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
