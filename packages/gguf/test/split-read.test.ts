import { GGUFFormatError, GGUFSourceError, bytesSource, openSplitGGUF, parseShardName, shardName, type ByteSource } from '@ggufkit/gguf';
import { openSplitGGUFFile } from '@ggufkit/gguf/node';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { T, buildGGUF, patternBytes, type BTensor } from './reader-builder.js';

const f32 = (name: string, n: number): BTensor => ({ name, ne: [n], type: 0, nbytes: 4 * n });

/** Three shards as gguf-split lays them out: metadata in the first, split.* keys in all. */
function shards(opts: { total?: number; noOverride?: number[]; countOverride?: number; dupe?: boolean } = {}): Uint8Array[] {
  const groups: BTensor[][] = [
    [f32('token_embd.weight', 8), f32('blk.0.attn_norm.weight', 4)],
    [f32('blk.0.ffn_up.weight', 16)],
    [f32('blk.1.ffn_up.weight', 12), f32(opts.dupe ? 'token_embd.weight' : 'output.weight', 3)],
  ];
  return groups.map((tensors, i) => buildGGUF({
    kv: [
      ...(i === 0 ? [['general.architecture', T.STRING, 'llama'] as const, ['general.name', T.STRING, 'split test'] as const] : []),
      ['split.no', T.UINT16, opts.noOverride?.[i] ?? i],
      ['split.count', T.UINT16, opts.countOverride ?? 3],
      ['split.tensors.count', T.INT32, opts.total ?? 5],
    ],
    tensors,
  }));
}

function writeShards(dir: string, files: Uint8Array[], prefix = 'model'): string[] {
  return files.map((b, i) => {
    const p = path.join(dir, shardName(prefix, i, files.length));
    fs.writeFileSync(p, b);
    return p;
  });
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ggufkit-split-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('split-read: naming', () => {
  it('parses and builds llama.cpp shard names', () => {
    expect(shardName('/m/llama', 0, 3)).toBe('/m/llama-00001-of-00003.gguf');
    expect(parseShardName('/m/llama-00002-of-00003.gguf')).toEqual({ prefix: '/m/llama', shard: 2, count: 3 });
    expect(parseShardName('/m/llama.gguf')).toBeUndefined();
  });
});

describe('split-read: one logical model', () => {
  async function check(model: Awaited<ReturnType<typeof openSplitGGUFFile>>) {
    expect(model.shards).toHaveLength(3);
    expect(model.getString('general.name')).toBe('split test');
    expect(model.tensors.map((t) => [t.name, t.shard])).toEqual([
      ['token_embd.weight', 0], ['blk.0.attn_norm.weight', 0], ['blk.0.ffn_up.weight', 1], ['blk.1.ffn_up.weight', 2], ['output.weight', 2],
    ]);
    // the builder fills tensor i of each shard with patternBytes(i, n)
    expect(await model.readTensorData('blk.0.ffn_up.weight')).toEqual(patternBytes(0, 64));
    expect(await model.readTensorData('output.weight')).toEqual(patternBytes(1, 12));
    expect(await model.readTensorRange('blk.1.ffn_up.weight', 4, 12)).toEqual(patternBytes(0, 48).subarray(4, 12));
    expect(() => model.tensor('nope')).toThrow(/no tensor named "nope" in any of the 3 shard\(s\)/);
    await model.close();
  }

  it('from the first shard path', async () => {
    const paths = writeShards(dir, shards());
    await check(await openSplitGGUFFile(paths[0]!));
  });

  it('from a later shard path', async () => {
    const paths = writeShards(dir, shards());
    await check(await openSplitGGUFFile(paths[2]!));
  });

  it('from an explicit list in any order', async () => {
    const paths = writeShards(dir, shards());
    await check(await openSplitGGUFFile([paths[2]!, paths[0]!, paths[1]!]));
  });

  it('from in-memory sources with a custom openShard', async () => {
    const files = shards();
    const byName = new Map(files.map((b, i) => [shardName('mem/m', i, 3), b]));
    const model = await openSplitGGUF(bytesSource(files[0]!, shardName('mem/m', 0, 3)), {
      openShard: (name) => bytesSource(byName.get(name)!, name),
    });
    await check(model);
  });

  it('over HTTP: siblings are derived from the URL path', async () => {
    const files = shards();
    const server = http.createServer((req, res) => {
      const m = /model-(\d{5})-of-00003\.gguf/.exec(req.url ?? '');
      const body = m ? files[Number(m[1]) - 1] : undefined;
      if (!body) return void res.writeHead(404).end();
      const r = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '')!;
      const start = Number(r[1]);
      const end = Math.min(Number(r[2]), body.length - 1);
      res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${body.length}` }).end(body.subarray(start, end + 1));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/repo/model`;
      await check(await openSplitGGUF(`${base}-00001-of-00003.gguf`));
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a file without split keys is a one-shard model', async () => {
    const p = path.join(dir, 'plain.gguf');
    fs.writeFileSync(p, buildGGUF({ kv: [['general.name', T.STRING, 'plain']], tensors: [f32('a', 2)] }));
    const model = await openSplitGGUFFile(p);
    expect(model.shards).toHaveLength(1);
    expect(model.tensors.map((t) => t.shard)).toEqual([0]);
    expect(await model.readTensorData('a')).toEqual(patternBytes(0, 8));
    await model.close();
  });
});

describe('split-read: validation', () => {
  it('a missing shard names the file that was expected', async () => {
    const paths = writeShards(dir, shards());
    fs.rmSync(paths[1]!);
    const e = await openSplitGGUFFile(paths[0]!).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GGUFSourceError);
    expect((e as Error).message).toContain(`${paths[1]}: cannot open shard 2 of 3`);
  });

  it('an explicit list with a shard missing', async () => {
    const paths = writeShards(dir, shards());
    await expect(openSplitGGUFFile([paths[0]!, paths[2]!])).rejects.toThrow(/split.no is 2 but 2 shard\(s\) were given/);
  });

  it('split.tensors.count must match the tensors found', async () => {
    const paths = writeShards(dir, shards({ total: 6 }));
    await expect(openSplitGGUFFile(paths[0]!)).rejects.toThrow(/split.tensors.count is 6 but the 3 shard\(s\) hold 5 tensors/);
  });

  it('split.no must match the position', async () => {
    const paths = writeShards(dir, shards({ noOverride: [0, 2, 2] }));
    const e = await openSplitGGUFFile(paths[0]!).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GGUFFormatError);
    expect((e as Error).message).toMatch(/model-00002-of-00003\.gguf: split\.no is 2, expected 1/);
    await expect(openSplitGGUFFile(paths)).rejects.toThrow(/two shards have split.no = 2/);
  });

  it('split.count out of range and duplicate tensors', async () => {
    await expect(openSplitGGUFFile(writeShards(dir, shards({ countOverride: 0 }))[0]!)).rejects.toThrow(/split.count is 0; expected 1 to 65535/);
    const d2 = fs.mkdtempSync(path.join(dir, 'b'));
    await expect(openSplitGGUFFile(writeShards(d2, shards({ dupe: true }))[0]!)).rejects.toThrow(/tensor "token_embd.weight" appears in shard 0 and shard 2/);
  });

  it('a split file whose name does not follow the pattern', async () => {
    const p = path.join(dir, 'renamed.gguf');
    fs.writeFileSync(p, shards()[0]!);
    await expect(openSplitGGUFFile(p)).rejects.toThrow(/has 3 shards but the name does not follow the -00001-of-00003.gguf pattern/);
  });

  it('a failed open leaves the caller\'s sources open and closes the ones it opened', async () => {
    const files = shards({ total: 9 });
    const closed: string[] = [];
    const src = (i: number): ByteSource => {
      const inner = bytesSource(files[i]!, shardName('m', i, 3));
      return { ...inner, close: async () => void closed.push(inner.name) };
    };
    await expect(openSplitGGUF([src(0), src(1), src(2)])).rejects.toThrow(GGUFFormatError);
    expect(closed).toEqual([]);
    await expect(openSplitGGUF(src(0), { openShard: (name) => src(Number(parseShardName(name)!.shard) - 1) })).rejects.toThrow(GGUFFormatError);
    expect(closed.sort()).toEqual([shardName('m', 1, 3), shardName('m', 2, 3)]);
  });
});
