/**
 * `ggufkit convert --dry-run` (text and `--json`) and the conversion progress bar. A dry
 * run writes nothing and reports what a real run writes: checked against the files
 * llama.cpp wrote from the same checkpoint (shared fixtures, when present) and against the
 * shipped model's real conversion read back with @huggingface/gguf.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gguf } from '@huggingface/gguf';
import { ggmlTypeName } from '@ggufkit/tensor-layout';
import { runCli } from './run-cli.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const model = path.join(repoRoot, 'examples/models/tl-bpe-hf');
const shared = path.resolve(repoRoot, '../shared/models/tl-bpe');
const haveShared = fs.existsSync(shared);
if (!haveShared) console.warn(`convert --dry-run comparisons with llama.cpp's files skipped: ${shared} not found`);

interface DryRun {
  dryRun: true; architecture: string; outtype: string; fileType: number; parameterCount: number; metadataCount: number;
  tensors: { name: string; type: string; ne: number[]; bytes: number; file: number }[];
  tensorDataBytes: number; files: { path?: string; tensorCount: number; bytes: number }[]; totalBytes: number;
}

let tmp = '';
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-convert-dry-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function dryRunJson(dir: string, extra: string[]): Promise<DryRun> {
  const r = await runCli(['convert', dir, '--dry-run', '--json', ...extra]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as DryRun;
}

/** Tensors of a GGUF file as @huggingface/gguf reads them: name, type, shape, padded size (from the offsets). */
async function fileTensors(file: string): Promise<{ rows: [string, string, number[]][]; padded: number[]; kv: number }> {
  const { tensorInfos, metadata, tensorDataOffset } = await gguf(file, { allowLocalFile: true });
  const size = fs.statSync(file).size;
  const offsets = tensorInfos.map((t) => Number(t.offset));
  const ends = [...offsets.slice(1), size - Number(tensorDataOffset)];
  return {
    rows: tensorInfos.map((t) => [t.name, ggmlTypeName(t.dtype), t.shape.map(Number)]),
    padded: offsets.map((o, i) => ends[i]! - o),
    kv: Number(metadata.kv_count),
  };
}

const pad32 = (n: number) => Math.ceil(n / 32) * 32;

describe('convert --dry-run', () => {
  it('prints the tensor plan and the output size, and writes nothing', async () => {
    const outDir = path.join(tmp, 'nothing');
    fs.mkdirSync(outDir);
    const r = await runCli(['convert', model, '--dry-run', '-o', path.join(outDir, 'model.gguf'), '--outtype', 'Q4_K_M']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    // one line per tensor: name, type, [ne...], bytes
    expect(lines[0]).toMatch(/^output\.weight\s+Q6_K\s+\[256, 4096\]\s+860160$/);
    expect(lines.some((l) => /^blk\.0\.attn_norm\.weight\s+F32\s+\[256\]\s+1024$/.test(l))).toBe(true);
    expect(lines).toHaveLength(57 + 2);
    expect(lines[57]).toMatch(/^llama, 57 tensors, 6\.82M parameters, Q4_K_M: .* \d+ bytes .* in 1 file$/);
    expect(lines[58]).toMatch(/model\.gguf: 57 tensors, \d+ bytes$/);
    expect(fs.readdirSync(outDir)).toEqual([]);

    const split = await runCli(['convert', model, '--dry-run', '-o', path.join(outDir, 'model.gguf'), '--split-max-size', '3M']);
    expect(split.code).toBe(0);
    expect(split.stdout).toMatch(/in 5 shards\n/);
    expect(split.stdout).toMatch(/model-00005-of-00005\.gguf: \d+ tensors, \d+ bytes\n$/);
    expect(fs.readdirSync(outDir)).toEqual([]);
  });

  it.each([['f16', []], ['Q4_K_M', []], ['q8_0', ['--split-max-tensors', '25']]])(
    '--json reports what --outtype %s %j then writes', async (outtype, extra) => {
      const outDir = path.join(tmp, `json-${outtype}`);
      fs.mkdirSync(outDir);
      const out = path.join(outDir, 'model.gguf');
      const d = await dryRunJson(model, ['-o', out, '--outtype', outtype, ...extra]);
      expect(fs.readdirSync(outDir)).toEqual([]);
      const w = await runCli(['convert', model, '-o', out, '--outtype', outtype, ...extra]);
      expect(w.code).toBe(0);
      const written = fs.readdirSync(outDir).sort().map((f) => path.join(outDir, f));
      expect(d.files.map((f) => f.path)).toEqual(written);
      expect(d.files.map((f) => f.bytes)).toEqual(written.map((f) => fs.statSync(f).size));
      expect(d.totalBytes).toBe(written.reduce((s, f) => s + fs.statSync(f).size, 0));
      const rows: [string, string, number[]][] = [];
      const padded: number[] = [];
      for (const [i, f] of written.entries()) {
        const t = await fileTensors(f);
        expect(d.files[i]!.tensorCount).toBe(t.rows.length);
        expect(d.tensors.filter((x) => x.file === i).map((x) => x.name)).toEqual(t.rows.map((r) => r[0]));
        rows.push(...t.rows);
        padded.push(...t.padded);
      }
      expect(d.tensors.map((t) => [t.name, t.type, t.ne])).toEqual(rows);
      expect(d.tensors.map((t) => pad32(t.bytes))).toEqual(padded);
      expect(d.tensorDataBytes).toBe(d.tensors.reduce((s, t) => s + t.bytes, 0));
    });

  (haveShared ? it : it.skip).each([
    ['f16', 'tl-bpe-convert-f16.gguf'], ['q8_0', 'tl-bpe-convert-q8_0.gguf'], ['Q4_K_M', 'tl-bpe-quantize-Q4_K_M.gguf'],
  ])('--outtype %s matches llama.cpp\'s %s: tensors, sizes, key count', async (outtype, file) => {
    const ref = path.join(shared, 'llama.cpp', file);
    const d = await dryRunJson(path.join(shared, 'hf'), ['--outtype', outtype]);
    const t = await fileTensors(ref);
    expect(d.tensors.map((x) => [x.name, x.type, x.ne])).toEqual(t.rows);
    expect(d.tensors.map((x) => pad32(x.bytes))).toEqual(t.padded);
    expect(d.metadataCount).toBe(t.kv);
    expect(d.files).toEqual([{ tensorCount: t.rows.length, bytes: fs.statSync(ref).size }]);
    expect(d.totalBytes).toBe(fs.statSync(ref).size);
  });
});

describe('convert progress', () => {
  const saved = { isTTY: process.stderr.isTTY, CI: process.env.CI, columns: process.stderr.columns };
  afterEach(() => {
    (process.stderr as { isTTY?: boolean }).isTTY = saved.isTTY;
    (process.stderr as { columns?: number }).columns = saved.columns;
    if (saved.CI === undefined) delete process.env.CI;
    else process.env.CI = saved.CI;
  });

  it('prints nothing on stderr when stderr is not a terminal', async () => {
    (process.stderr as { isTTY?: boolean }).isTTY = false;
    const r = await runCli(['convert', model, '-o', path.join(tmp, 'quiet.gguf')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^wrote .*quiet\.gguf: llama, 57 tensors/);
  });

  it('draws tensor i of n, MB/s and ETA on a terminal, across shards', async () => {
    (process.stderr as { isTTY?: boolean }).isTTY = true;
    (process.stderr as { columns?: number }).columns = 160;
    delete process.env.CI;
    fs.mkdirSync(path.join(tmp, 'tty'));
    const ok = await runCli(['convert', model, '-o', path.join(tmp, 'tty', 'm.gguf'), '--split-max-tensors', '20']);
    expect(ok.code).toBe(0);
    const frames = ok.stderr.split(/\r|\u001b\[1G/).filter((s) => s.includes('tensor '));
    expect(frames.length).toBeGreaterThan(0);
    const last = frames[frames.length - 1]!;
    expect(last).toMatch(/100% \| tensor 57\/57 \| [\d.]+ MB \| [\d.]+ MB\/s \| ETA \d+s/);
    for (const f of frames) expect(f).toMatch(/tensor (\d+)\/57 .*MB\/s \| ETA/);
  });
});
