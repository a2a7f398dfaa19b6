import { GGUFSourceError, httpSource, openGGUF, toHuggingFaceShape, type GGUFFile } from '@ggufkit/gguf';
import { openGGUFFile } from '@ggufkit/gguf/node';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exampleModel } from './reader-fixtures.js';

const model = fs.readFileSync(exampleModel);

interface Served {
  url: string;
  requests: Array<{ method: string; range: string | undefined; auth: string | undefined }>;
  /** Bytes of body the server managed to write (for streaming servers). */
  written: number;
  close(): Promise<void>;
}

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse, s: Served) => void): Promise<Served> {
  const server = http.createServer();
  const s: Served = {
    url: '',
    requests: [],
    written: 0,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  server.on('request', (req, res) => {
    s.requests.push({ method: req.method!, range: req.headers.range, auth: req.headers.authorization });
    handler(req, res, s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/models/tl-bpe-Q4_K_M.gguf`;
  return s;
}

/** A well-behaved server: HEAD, and GET with a single byte range answered 206. */
function rangeHandler(body: Uint8Array) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'Content-Length': body.length, 'Accept-Ranges': 'bytes' }).end();
      return;
    }
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!m) {
      res.writeHead(200, { 'Content-Length': body.length }).end(body);
      return;
    }
    const start = Number(m[1]);
    const end = Math.min(Number(m[2]), body.length - 1);
    if (start >= body.length) {
      res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
      return;
    }
    res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${body.length}`, 'Content-Length': end - start + 1 });
    res.end(body.subarray(start, end + 1));
  };
}

/** Streams `total` bytes (the model, then zeros) in 64 KiB chunks with backpressure, ignoring Range. */
function ignoringHandler(total: number) {
  return (req: http.IncomingMessage, res: http.ServerResponse, s: Served) => {
    res.writeHead(200, { 'Content-Length': total });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    let pos = 0;
    const zeros = new Uint8Array(65536);
    const pump = () => {
      while (pos < total && !res.destroyed) {
        const n = Math.min(65536, total - pos);
        const chunk = pos < model.length ? model.subarray(pos, Math.min(pos + n, model.length)) : zeros.subarray(0, n);
        pos += chunk.length;
        s.written += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      if (pos >= total) res.end();
    };
    res.on('close', () => undefined);
    pump();
  };
}

async function local(): Promise<GGUFFile> {
  return openGGUFFile(exampleModel);
}

describe('http source: a server with Range support', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve(rangeHandler(model));
  });
  afterAll(() => s.close());
  beforeEach(() => {
    s.requests.length = 0;
  });

  it('parses the header with one request and equals the local parse', async () => {
    const f = await openGGUF(s.url);
    const l = await local();
    try {
      expect(toHuggingFaceShape(f)).toEqual(toHuggingFaceShape(l));
      expect(f.fileSize).toBe(model.length);
      expect(s.requests).toEqual([{ method: 'GET', range: `bytes=0-${(1 << 20) - 1}`, auth: undefined }]);
    } finally {
      await l.close();
    }
  });

  it('a small initial window grows by doubling: few requests', async () => {
    const f = await openGGUF(new URL(s.url), { initialReadBytes: 4096 });
    // 4 KiB doubling to past the ~128 KiB header: 4, 8, 16, 32, 64, 128, 256 KiB windows
    expect(s.requests.length).toBeLessThanOrEqual(7);
    expect(s.requests.every((r) => r.method === 'GET')).toBe(true);
    expect(f.tensors.length).toBe(57);
  });

  it('reads tensor data and ranges with exactly the byte ranges asked for', async () => {
    const f = await openGGUF(s.url);
    const t = f.tensors[5]!;
    s.requests.length = 0;
    const data = await f.readTensorData(t);
    const start = f.dataOffset + t.offset;
    expect(data).toEqual(new Uint8Array(model.subarray(start, start + t.byteLength)));
    const part = await f.readTensorRange(t, 100, 300);
    expect(part).toEqual(data.subarray(100, 300));
    expect(s.requests.map((r) => r.range)).toEqual([`bytes=${start}-${start + t.byteLength - 1}`, `bytes=${start + 100}-${start + 299}`]);
  });

  it('size() uses HEAD; reads past the end are short reads; headers are sent', async () => {
    const src = httpSource(s.url, { headers: { Authorization: 'Bearer t0k', Range: 'bytes=5-6' } });
    expect(await src.size()).toBe(model.length);
    expect(s.requests[0]!.method).toBe('HEAD');
    expect(await src.read(0, 4)).toEqual(new Uint8Array([0x47, 0x47, 0x55, 0x46]));
    expect(s.requests[1]).toEqual({ method: 'GET', range: 'bytes=0-3', auth: 'Bearer t0k' });
    await expect(src.read(model.length - 2, 4)).rejects.toThrow(/short read: expected 4 bytes, got 2/);
    const fresh = httpSource(s.url);
    await expect(fresh.read(model.length + 10, 4)).rejects.toThrow(GGUFSourceError);
    expect(await fresh.readAtMost!(model.length - 3, 10)).toEqual(new Uint8Array(model.subarray(model.length - 3)));
  });
});

describe('http source: a server that ignores Range', () => {
  const total = model.length + 64 * 1024 * 1024;
  let s: Served;
  beforeAll(async () => {
    s = await serve(ignoringHandler(total));
  });
  afterAll(() => s.close());
  beforeEach(() => {
    s.requests.length = 0;
    s.written = 0;
  });

  it('streams only what it needs, cancels the rest, and warns once', async () => {
    const warnings: string[] = [];
    const src = httpSource(s.url, { onWarning: (m) => warnings.push(m) });
    const f = await openGGUF(src);
    expect(f.tensors.length).toBe(57);
    expect(f.fileSize).toBe(total);
    const t = f.tensors[2]!;
    const data = await f.readTensorData(t);
    const start = f.dataOffset + t.offset;
    expect(data).toEqual(new Uint8Array(model.subarray(start, start + t.byteLength)));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ignores HTTP Range requests/);
    // the 68 MB body was abandoned early
    await new Promise((r) => setTimeout(r, 50));
    expect(s.written).toBeLessThan(24 * 1024 * 1024);
  });

  it('refuses to stream past maxIgnoredRangeBytes, naming the URL', async () => {
    const src = httpSource(s.url, { onWarning: () => undefined, maxIgnoredRangeBytes: 2 * 1024 * 1024 });
    const f = await openGGUF(src);
    const far = f.tensors.find((t) => f.dataOffset + t.offset > 3 * 1024 * 1024)!;
    await expect(f.readTensorData(far)).rejects.toThrow(GGUFSourceError);
    await expect(f.readTensorData(far)).rejects.toThrow(/127\.0\.0\.1.*ignores Range requests; reading \d+ bytes at offset \d+ would download/);
  });

  it('fails clearly when ignoredRange is "error"', async () => {
    const e = await openGGUF(httpSource(s.url, { ignoredRange: 'error' })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GGUFSourceError);
    expect((e as Error).message).toMatch(/http:\/\/127\.0\.0\.1:\d+\/models\/tl-bpe-Q4_K_M\.gguf at offset 0: the server ignored the Range request/);
  });
});

describe('http source: broken servers', () => {
  it('a body shorter than its Content-Range is a short read naming URL, offset, expected and got', async () => {
    const s = await serve((req, res) => {
      const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '')!;
      const start = Number(m[1]);
      const end = Math.min(Number(m[2]), model.length - 1);
      const half = Math.floor((end - start + 1) / 2);
      res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${model.length}`, 'Content-Length': half });
      res.end(model.subarray(start, start + half));
    });
    try {
      const src = httpSource(s.url);
      const e = await src.read(1000, 200).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(GGUFSourceError);
      expect((e as GGUFSourceError).offset).toBe(1000);
      expect((e as Error).message).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/models\/tl-bpe-Q4_K_M\.gguf at offset 1000: short read: expected 200 bytes, got 100/);
      await expect(openGGUF(s.url)).rejects.toThrow(/short read: expected 1048576 bytes, got 524288|short read/);
    } finally {
      await s.close();
    }
  });

  it('a connection that drops mid-body is a short read', async () => {
    const s = await serve((req, res) => {
      res.writeHead(206, { 'Content-Range': `bytes 0-999/${model.length}`, 'Content-Length': 1000 });
      res.write(model.subarray(0, 300));
      setTimeout(() => res.socket?.destroy(), 20);
    });
    try {
      const e = await httpSource(s.url).read(0, 1000).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(GGUFSourceError);
      expect((e as Error).message).toMatch(/at offset 0: short read: expected 1000 bytes, got 300/);
    } finally {
      await s.close();
    }
  });

  it('HTTP 500 and 404 are GGUFSourceErrors with the status', async () => {
    for (const status of [500, 404]) {
      const s = await serve((_req, res) => {
        res.writeHead(status).end('nope');
      });
      try {
        const e = await openGGUF(s.url).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(GGUFSourceError);
        expect((e as Error).message).toMatch(new RegExp(`127\\.0\\.0\\.1:\\d+/models/tl-bpe-Q4_K_M\\.gguf at offset 0: HTTP ${status} .*for GET bytes=0-1048575`));
        await expect(httpSource(s.url).size()).rejects.toThrow(new RegExp(`HTTP ${status}`));
      } finally {
        await s.close();
      }
    }
  });

  it('an unreachable server', async () => {
    const s = await serve((_req, res) => res.end());
    const url = s.url;
    await s.close();
    await expect(openGGUF(url)).rejects.toThrow(GGUFSourceError);
  });

  it('query strings (tokens) stay out of messages', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(403).end();
    });
    try {
      const e = await openGGUF(`${s.url}?token=secret`).catch((x: unknown) => x);
      expect((e as Error).message).toMatch(/tl-bpe-Q4_K_M\.gguf\?… at offset 0: HTTP 403/);
      expect((e as Error).message).not.toMatch(/secret/);
    } finally {
      await s.close();
    }
  });
});
