/**
 * Runs every script in examples/ as a user would (`tsx examples/<name>.ts ...`) and checks
 * what it prints and writes against independent readers: `@huggingface/gguf` for the files,
 * `@huggingface/tokenizers` and llama.cpp's greedy tokens for generated text.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { gguf } from '@huggingface/gguf';
import { Tokenizer as HFTokenizer } from '@huggingface/tokenizers';
import { openGGUFFile, writeSplitGGUF } from '@ggufkit/gguf/node';
import { runExample, type ScriptResult } from './run-script.js';
import { describeIfPresent, exampleModel, modelsDir, repoRoot } from './shared-data.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-examples-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function ok(r: ScriptResult): string {
  if (r.code !== 0) throw new Error(`example exited with ${r.code}\n${r.stderr}`);
  return r.stdout;
}

/** The bytes of a GGUF file's tensor data section, located by @huggingface/gguf. */
async function dataSection(file: string): Promise<Buffer> {
  const parsed = await gguf(file, { allowLocalFile: true });
  return fs.readFileSync(file).subarray(Number(parsed.tensorDataOffset));
}

/** Serves the files of `dir` over HTTP with Range support (206 partial responses). */
async function serveDirectory(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const file = path.join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!file.startsWith(dir) || !fs.existsSync(file)) { res.writeHead(404).end(); return; }
    const bytes = fs.readFileSync(file);
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!m) {
      res.writeHead(200, { 'content-length': bytes.length, 'accept-ranges': 'bytes' });
      res.end(req.method === 'HEAD' ? undefined : bytes);
      return;
    }
    const start = Number(m[1]);
    const end = Math.min(Number(m[2]), bytes.length - 1);
    res.writeHead(206, { 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${bytes.length}` });
    res.end(bytes.subarray(start, end + 1));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

describe('examples/inspect.ts', () => {
  it('prints the architecture, file type and tensor count of the shipped model', async () => {
    const peer = await gguf(exampleModel, { allowLocalFile: true });
    const out = ok(await runExample('inspect'));
    expect(out).toMatch(new RegExp(`architecture: +${String(peer.metadata['general.architecture'])}\\n`));
    expect(out).toMatch(/file type: +Q4_K_M\n/);
    expect(out).toContain(`in ${peer.tensorInfos.length} tensors`);
    expect(out).toMatch(/tokenizer: +gpt2, 4096 tokens/);
  });

  it('reads a split model over HTTP with Range requests, fetching only the headers', async () => {
    const dir = path.join(tmp, 'served');
    fs.mkdirSync(dir);
    const file = await openGGUFFile(exampleModel);
    const { paths } = await writeSplitGGUF(file, path.join(dir, 'tl-bpe'), { maxTensors: 20 });
    await file.close();
    expect(paths.map((p) => path.basename(p))).toEqual(['tl-bpe-00001-of-00003.gguf', 'tl-bpe-00002-of-00003.gguf', 'tl-bpe-00003-of-00003.gguf']);
    const server = await serveDirectory(dir);
    try {
      const out = ok(await runExample('inspect', [`${server.url}/tl-bpe-00001-of-00003.gguf`]));
      expect(out).toMatch(/architecture: +llama\n/);
      expect(out).toMatch(/3 shard\(s\)/);
      expect(out).toContain('in 57 tensors');
      const m = /fetched: +(\d+) bytes in (\d+) HTTP requests \(of a (\d+)-byte model\)/.exec(out);
      expect(m).not.toBeNull();
      const total = paths.reduce((n, p) => n + fs.statSync(p).size, 0);
      expect(Number(m![3])).toBe(total);
      expect(Number(m![1])).toBeGreaterThan(0);
      expect(Number(m![1])).toBeLessThan(total / 4);
    } finally {
      await server.close();
    }
  });

  it('fails with a message naming a missing file', async () => {
    const r = await runExample('inspect', [path.join(tmp, 'missing.gguf')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('missing.gguf');
  });
});

describe('examples/edit-metadata.ts', () => {
  it('writes a file with the edited keys and the original tensor data', async () => {
    const out = path.join(tmp, 'edited.gguf');
    const stdout = ok(await runExample('edit-metadata', [exampleModel, out]));
    expect(stdout).toContain('general.name          = "tl-bpe (edited)"');
    const peer = await gguf(out, { allowLocalFile: true });
    const md = peer.metadata as unknown as Record<string, unknown>;
    expect(md['general.name']).toBe('tl-bpe (edited)');
    expect(md['general.license']).toBe('mit');
    expect(typeof md['example.edited_at']).toBe('bigint');
    expect(md['tokenizer.chat_template']).toBeUndefined();
    const original = await gguf(exampleModel, { allowLocalFile: true });
    expect(peer.tensorInfos.map((t) => [t.name, t.dtype, t.shape, t.offset])).toEqual(original.tensorInfos.map((t) => [t.name, t.dtype, t.shape, t.offset]));
    expect((await dataSection(out)).equals(await dataSection(exampleModel))).toBe(true);
  });
});

describe('examples/convert-quantize.ts', () => {
  const out = path.join(tmp, 'tl-bpe-Q4_K_M.gguf');
  let stdout = '';
  beforeAll(async () => {
    stdout = ok(await runExample('convert-quantize', [path.join(repoRoot, 'examples/models/tl-bpe-hf'), out, 'Q4_K_M']));
  });

  it('writes a Q4_K_M GGUF that @huggingface/gguf opens', async () => {
    expect(stdout).toContain('Q4_K_M (general.file_type 15)');
    const peer = await gguf(out, { allowLocalFile: true });
    const md = peer.metadata as unknown as Record<string, unknown>;
    expect(md['general.architecture']).toBe('llama');
    expect(md['general.file_type']).toBe(15);
    expect(peer.tensorInfos).toHaveLength(57);
    const config = JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples/models/tl-bpe-hf/config.json'), 'utf8'));
    expect(md['llama.block_count']).toBe(config.num_hidden_layers);
  });

  describeIfPresent(path.join(modelsDir, 'tl-bpe'), 'the llama.cpp Q4_K_M comparison of the convert example')('against llama.cpp', () => {
    it('has the tensor data llama-quantize wrote for Q4_K_M', async () => {
      const ref = path.join(modelsDir, 'tl-bpe/llama.cpp/tl-bpe-quantize-Q4_K_M.gguf');
      expect((await dataSection(out)).equals(await dataSection(ref))).toBe(true);
    });
  });
});

describe('examples/compare-quantizations.ts', () => {
  interface Report {
    tokens: number;
    reference: { file: string; bytes: number; perplexity: number };
    candidates: Array<{ file: string; bytes: number; bitsPerWeight: number; perplexity: number; meanKL: number; maxKL: number; top1: number }>;
  }

  it('compares an F16 conversion with the shipped Q4_K_M by default', async () => {
    const r: Report = JSON.parse(ok(await runExample('compare-quantizations', ['--json'])));
    expect(r.tokens).toBeGreaterThan(100);
    expect(r.candidates).toHaveLength(1);
    const c = r.candidates[0]!;
    expect(c.bytes).toBe(fs.statSync(exampleModel).size);
    expect(r.reference.bytes).toBeGreaterThan(3 * c.bytes); // 16 bits per weight vs about 5
    expect(Number.isFinite(c.meanKL)).toBe(true);
    expect(c.meanKL).toBeGreaterThan(0);
    expect(c.maxKL).toBeGreaterThanOrEqual(c.meanKL);
    expect(c.top1).toBeGreaterThanOrEqual(0);
    expect(c.top1).toBeLessThanOrEqual(1);
    expect(Number.isFinite(c.perplexity) && Number.isFinite(r.reference.perplexity)).toBe(true);
  });

  it('finds no divergence between a model and itself, and prints a table without --json', async () => {
    const r: Report = JSON.parse(ok(await runExample('compare-quantizations', [exampleModel, exampleModel, '--json'])));
    expect(r.candidates[0]!.meanKL).toBe(0);
    expect(r.candidates[0]!.top1).toBe(1);
    expect(r.candidates[0]!.perplexity).toBe(r.reference.perplexity);
    const table = ok(await runExample('compare-quantizations', [exampleModel, exampleModel]));
    expect(table).toContain('| tl-bpe-Q4_K_M.gguf | 4.16 | 4.97 |');
    expect(table).toContain('| 0.00000 | 0.0000 | 100.0% |');
  });

  describeIfPresent(path.join(modelsDir, 'tl-bpe'), 'the llama.cpp quantizations in the compare example')('on llama.cpp files', () => {
    it('ranks llama.cpp\'s Q8_0 closer to its F16 than its Q4_0', async () => {
      const d = path.join(modelsDir, 'tl-bpe/llama.cpp');
      const r: Report = JSON.parse(ok(await runExample('compare-quantizations', [
        path.join(d, 'tl-bpe-convert-f16.gguf'), path.join(d, 'tl-bpe-convert-q8_0.gguf'), path.join(d, 'tl-bpe-quantize-Q4_0.gguf'), '--json',
      ])));
      const [q8, q4] = r.candidates;
      expect(q8!.meanKL).toBeLessThan(q4!.meanKL);
      expect(q8!.top1).toBeGreaterThan(q4!.top1);
    });
  });
});

describe('examples/run-and-chat.ts', () => {
  it('streams a continuation with its speed and answers a chat turn', async () => {
    const out = ok(await runExample('run-and-chat', ['-n', '12']));
    expect(out).toMatch(/^model: llama, 4096 tokens, context 1024/);
    expect(out).toContain('--- completion ---\nA dictionary maps keys to values, and');
    const m = /\[(\d+) prompt tokens, (\d+) generated \((\w+)\), ([\d.]+) tokens\/s\]/.exec(out);
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThan(0);
    expect(Number(m![2])).toBeLessThanOrEqual(12);
    expect(out).toContain('--- chat ---');
    // tl-bpe's template, worked by hand; its BOS is left to the tokenizer
    expect(out).toContain('rendered prompt: "<|start_header_id|>user<|end_header_id|>\\n\\nHow do I sort the rows a query returns?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\\n\\n"');
    expect(out).toMatch(/\[stopped: (eog|maxTokens)\]/);
  });

  describeIfPresent(path.join(modelsDir, 'tl-bpe'), 'the llama.cpp greedy comparison of the run example')('on llama.cpp\'s F16 conversion', () => {
    it('prints llama.cpp\'s greedy continuation', async () => {
      const d = path.join(modelsDir, 'tl-bpe');
      const manifest = JSON.parse(fs.readFileSync(path.join(d, 'llama.cpp/logits/manifest.json'), 'utf8'));
      const prompt: string = manifest.prompts[0].text;
      const hf = new HFTokenizer(
        JSON.parse(fs.readFileSync(path.join(d, 'hf/tokenizer.json'), 'utf8')),
        JSON.parse(fs.readFileSync(path.join(d, 'hf/tokenizer_config.json'), 'utf8')),
      );
      const expected = hf.decode(manifest.files.F16.greedy24[0]);
      const out = ok(await runExample('run-and-chat', [path.join(d, 'llama.cpp/tl-bpe-convert-f16.gguf'), '-p', prompt, '-n', '24']));
      expect(out).toContain(`--- completion ---\n${prompt}${expected}\n[`);
    });
  });
});
