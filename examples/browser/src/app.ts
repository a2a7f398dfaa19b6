/**
 * The demo page: open a GGUF file (file picker, drag and drop, or an http(s) URL read with
 * Range requests), show its metadata, tensors and where the bytes go, and generate text
 * with the WebAssembly engine in a Web Worker.
 *
 * The header is parsed here on the main thread (it never reads tensor data); the weights
 * are read by the worker, which loads them into the engine's memory.
 */
import type { GGUFFile } from '@ggufkit/gguf';
import { llamaFileTypeName } from '@ggufkit/tensor-layout';
import { layerColumnChart, typeBarChart, typeLegend } from './bar-charts.js';
import { formatBytes } from './format.js';
import { GenerationClient } from './generation-client.js';
import { openModelInput } from './open-input.js';
import type { GenerationStats, ModelInput } from './protocol.js';
import { renderMetadataTable, renderTensorTable } from './tables.js';
import { summarizeTensorBytes } from './tensor-summary.js';

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e as T;
}

const ui = {
  isolation: byId('isolation'),
  dropZone: byId('drop-zone'),
  file: byId<HTMLInputElement>('file'),
  urlForm: byId<HTMLFormElement>('url-form'),
  url: byId<HTMLInputElement>('url'),
  openStatus: byId('open-status'),
  fileView: byId('file-view'),
  summary: byId('summary'),
  chartTypes: byId('chart-types'),
  chartLayers: byId('chart-layers'),
  metadata: byId<HTMLTableElement>('metadata'),
  metadataCount: byId('metadata-count'),
  tensors: byId<HTMLTableElement>('tensors'),
  tensorCount: byId('tensor-count'),
  modelStatus: byId('model-status'),
  generateForm: byId<HTMLFormElement>('generate-form'),
  prompt: byId<HTMLTextAreaElement>('prompt'),
  maxTokens: byId<HTMLInputElement>('max-tokens'),
  temperature: byId<HTMLInputElement>('temperature'),
  seed: byId<HTMLInputElement>('seed'),
  threads: byId<HTMLInputElement>('threads'),
  generate: byId<HTMLButtonElement>('generate'),
  stop: byId<HTMLButtonElement>('stop'),
  output: byId('output'),
  genStats: byId('gen-stats'),
};

const cores = Math.max(1, navigator.hardwareConcurrency || 1);
const client = new GenerationClient();

/** The model shown, and the thread count it was loaded with in the worker. */
let current: { input: ModelInput; label: string; loadedThreads?: number } | undefined;
/** The worker's current request (loading or generating), so that a new file waits for it. */
let busy: Promise<unknown> = Promise.resolve();

function showIsolation(): void {
  if (crossOriginIsolated) {
    ui.isolation.textContent = `Cross-origin isolated: generation can use up to ${cores} threads (Web Workers sharing one WebAssembly memory).`;
    ui.threads.value = String(cores);
    ui.threads.max = String(cores);
  } else {
    ui.isolation.textContent = 'Not cross-origin isolated (the server sends no COOP/COEP headers): generation runs on one thread.';
    ui.threads.value = '1';
    ui.threads.max = '1';
    ui.threads.disabled = true;
  }
}

function setStatus(el: HTMLElement, text: string, state?: string, isError = false): void {
  el.textContent = text;
  el.classList.toggle('error', isError);
  if (state) el.dataset.state = state;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function addSummaryRow(term: string, value: string): void {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value;
  ui.summary.append(dt, dd);
}

function metadataString(file: GGUFFile, key: string): string | undefined {
  const e = file.get(key);
  return e && typeof e.value === 'string' ? e.value : undefined;
}

function renderFile(file: GGUFFile, label: string, size: number | undefined): void {
  const summary = summarizeTensorBytes(file.tensors);
  ui.summary.replaceChildren();
  ui.summary.dataset.tensors = String(file.tensors.length);
  ui.summary.dataset.metadata = String(file.metadata.length);
  addSummaryRow('source', label);
  if (size !== undefined) addSummaryRow('size', `${formatBytes(size)} (${size} bytes)`);
  addSummaryRow('GGUF version', String(file.version) + (file.bigEndian ? ' (big-endian)' : ''));
  const arch = metadataString(file, 'general.architecture');
  if (arch) addSummaryRow('architecture', arch);
  const name = metadataString(file, 'general.name');
  if (name) addSummaryRow('name', name);
  const ftype = file.get('general.file_type');
  if (ftype && typeof ftype.value === 'number') addSummaryRow('file type', llamaFileTypeName(ftype.value));
  addSummaryRow('metadata', `${file.metadata.length} entries`);
  addSummaryRow('tensors', `${file.tensors.length} (${formatBytes(summary.totalBytes)} of data)`);
  addSummaryRow('types', summary.byType.map((t) => `${t.type} ×${t.tensors}`).join(', '));
  addSummaryRow('data offset', `${file.dataOffset} (alignment ${file.alignment})`);

  ui.chartTypes.replaceChildren(typeBarChart(summary));
  ui.chartLayers.replaceChildren(layerColumnChart(summary), typeLegend(summary));
  renderMetadataTable(ui.metadata.tBodies[0]!, file.metadata);
  ui.metadataCount.textContent = `(${file.metadata.length})`;
  renderTensorTable(ui.tensors.tBodies[0]!, file.tensors);
  ui.tensorCount.textContent = `(${file.tensors.length})`;
  ui.fileView.hidden = false;
}

/** Opens a file or URL: header and tables first, then the weights in the worker. */
async function open(input: ModelInput, label: string): Promise<void> {
  client.stop();
  await busy.catch(() => undefined);
  setStatus(ui.openStatus, `Reading the header of ${label}…`, 'opening');
  let file: GGUFFile;
  try {
    file = await openModelInput(input);
  } catch (err) {
    setStatus(ui.openStatus, `Cannot open ${label}: ${errorText(err)}`, 'error', true);
    return;
  }
  try {
    renderFile(file, label, typeof input === 'string' ? file.fileSize : input.size);
  } finally {
    await file.close();
  }
  setStatus(ui.openStatus, `Opened ${label}.`, 'opened');
  current = { input, label };
  ui.output.dataset.state = 'idle';
  await loadInWorker();
}

async function loadInWorker(): Promise<void> {
  if (!current) return;
  const threads = Number(ui.threads.value);
  const model = current;
  ui.generate.disabled = true;
  setStatus(ui.modelStatus, 'Loading the weights…', 'loading');
  client.onProgress = (loaded, total) => setStatus(ui.modelStatus, `Loading the weights… ${Math.round((100 * loaded) / Math.max(1, total))}%`);
  const loading = client.load(model.input, threads);
  busy = loading;
  try {
    const m = await loading;
    model.loadedThreads = threads;
    ui.modelStatus.dataset.threads = String(m.threads);
    setStatus(ui.modelStatus,
      `${m.architecture} model ready on ${m.threads} thread${m.threads === 1 ? '' : 's'}` +
      `${m.isolated ? '' : ' (page not cross-origin isolated)'}: ${formatBytes(m.memoryBytes)} of WebAssembly memory, ` +
      `loaded in ${Math.round(m.loadMs)} ms.`, 'ready');
    ui.generate.disabled = false;
  } catch (err) {
    setStatus(ui.modelStatus, `The engine cannot run this model: ${errorText(err)}`, 'error', true);
  }
}

function readNumber(input: HTMLInputElement, what: string, ok: (n: number) => boolean): number {
  const n = Number(input.value);
  if (input.value.trim() === '' || !ok(n)) throw new RangeError(`${what} is not valid: "${input.value}"`);
  return n;
}

function speedText(tps: number | undefined): string {
  return tps === undefined ? '– tokens/s' : `${tps.toFixed(1)} tokens/s`;
}

/** Why generation ended, in words. */
const STOP_REASONS: Record<string, string> = {
  eog: 'end-of-generation token',
  maxTokens: 'max tokens',
  context: 'context full',
  stopped: 'Stop button',
};

function showDone(s: GenerationStats, threads: number): void {
  ui.output.dataset.state = 'done';
  ui.output.dataset.tokens = s.tokens.join(',');
  ui.output.dataset.stopReason = s.stopReason;
  if (s.tokensPerSecond !== undefined) ui.genStats.dataset.tokensPerSecond = s.tokensPerSecond.toFixed(2);
  ui.genStats.textContent = `${s.tokens.length} tokens · ${speedText(s.tokensPerSecond)} · ` +
    `prompt ${s.promptTokens} tokens, first token after ${Math.round(s.firstTokenMs)} ms · ` +
    `${threads} thread${threads === 1 ? '' : 's'} · ended by ${STOP_REASONS[s.stopReason] ?? s.stopReason}`;
}

async function generate(): Promise<void> {
  if (!current) return;
  let params;
  try {
    params = {
      prompt: ui.prompt.value,
      maxTokens: readNumber(ui.maxTokens, 'max tokens', (n) => Number.isInteger(n) && n >= 1),
      temperature: readNumber(ui.temperature, 'temperature', (n) => Number.isFinite(n) && n >= 0),
      seed: readNumber(ui.seed, 'seed', (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32),
    };
    readNumber(ui.threads, 'threads', (n) => Number.isInteger(n) && n >= 1);
  } catch (err) {
    setStatus(ui.genStats, errorText(err), undefined, true);
    return;
  }
  if (current.loadedThreads !== Number(ui.threads.value)) await loadInWorker();
  if (current.loadedThreads === undefined) return;
  const threads = Number(ui.modelStatus.dataset.threads);
  ui.generate.disabled = true;
  ui.stop.disabled = false;
  const generated = ui.output.querySelector<HTMLElement>('.generated')!;
  ui.output.querySelector<HTMLElement>('.prompt')!.textContent = params.prompt;
  generated.textContent = '';
  ui.output.dataset.state = 'running';
  delete ui.output.dataset.tokens;
  delete ui.output.dataset.stopReason;
  delete ui.genStats.dataset.tokensPerSecond;
  setStatus(ui.genStats, 'Processing the prompt…');
  client.onToken = (t) => {
    generated.append(t.text);
    ui.output.scrollTop = ui.output.scrollHeight;
    ui.genStats.textContent = `${t.count} tokens · ${speedText(t.tokensPerSecond)}`;
  };
  const run = client.generate(params);
  busy = run;
  try {
    showDone(await run, threads);
  } catch (err) {
    ui.output.dataset.state = 'error';
    setStatus(ui.genStats, `Generation failed: ${errorText(err)}`, undefined, true);
  } finally {
    ui.generate.disabled = false;
    ui.stop.disabled = true;
  }
}

function wireOpening(): void {
  ui.file.addEventListener('change', () => {
    const f = ui.file.files?.[0];
    if (f) void open(f, f.name);
  });
  ui.urlForm.addEventListener('submit', (e) => {
    e.preventDefault();
    let url: string;
    try {
      url = new URL(ui.url.value.trim(), location.href).href;
    } catch {
      setStatus(ui.openStatus, `Not a URL: "${ui.url.value}"`, 'error', true);
      return;
    }
    void open(url, url);
  });
  // the whole page accepts a dropped file; the zone shows where
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    ui.dropZone.classList.add('over');
  });
  document.addEventListener('dragleave', (e) => {
    if (e.relatedTarget === null) ui.dropZone.classList.remove('over');
  });
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    ui.dropZone.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) void open(f, f.name);
  });
}

showIsolation();
wireOpening();
ui.generateForm.addEventListener('submit', (e) => {
  e.preventDefault();
  void generate();
});
ui.stop.addEventListener('click', () => client.stop());
// `?model=<url>` opens a model at once
const fromQuery = new URLSearchParams(location.search).get('model');
if (fromQuery) {
  ui.url.value = fromQuery;
  ui.urlForm.requestSubmit();
}
