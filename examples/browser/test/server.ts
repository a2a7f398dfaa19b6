/**
 * A small static server for the demo: files from a few folders mounted at URL prefixes,
 * byte ranges (`Range: bytes=a-b`, `a-`, `-n`) answered with 206, and, when `isolated`,
 * the COOP/COEP headers that make the page cross-origin isolated (shared memory, threads).
 * Every request is logged so that a test can check how files were read.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface ServedRequest {
  readonly method: string;
  readonly path: string;
  readonly range: string | undefined;
  readonly status: number;
}

export interface StaticServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Every request answered so far. */
  readonly requests: ServedRequest[];
  close(): Promise<void>;
}

export interface StaticServerOptions {
  /** URL prefix (`/`, `/models/`) -> folder. */
  readonly mounts: Record<string, string>;
  /** Send `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`. */
  readonly isolated: boolean;
}

/** The file a URL path names, or undefined when it is outside every mount. */
function resolveFile(mounts: Record<string, string>, urlPath: string): string | undefined {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  for (const prefix of prefixes) {
    if (!urlPath.startsWith(prefix)) continue;
    const root = path.resolve(mounts[prefix]!);
    let rel = urlPath.slice(prefix.length);
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(root, rel);
    return file.startsWith(root + path.sep) ? file : undefined;
  }
  return undefined;
}

/** `[start, end]` (inclusive) of a single-range header, 'unsatisfiable', or undefined to send it all. */
function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return [Math.max(0, size - n), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return [start, end];
}

export function startStaticServer(opts: StaticServerOptions): Promise<StaticServer> {
  const requests: ServedRequest[] = [];
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const headers: Record<string, string | number> = {
      'Cache-Control': 'no-store',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Accept-Ranges': 'bytes',
    };
    if (opts.isolated) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    const reply = (status: number, extra: Record<string, string | number> = {}): void => {
      requests.push({ method: req.method ?? 'GET', path: urlPath, range: req.headers.range, status });
      res.writeHead(status, { ...headers, ...extra });
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(405, { Allow: 'GET, HEAD' });
      res.end();
      return;
    }
    const file = resolveFile(opts.mounts, urlPath);
    const stat = file ? fs.statSync(file, { throwIfNoEntry: false }) : undefined;
    if (!file || !stat?.isFile()) {
      reply(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    const type = MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    const range = parseRange(req.headers.range, stat.size);
    if (range === 'unsatisfiable') {
      reply(416, { 'Content-Range': `bytes */${stat.size}` });
      res.end();
      return;
    }
    const [start, end] = range ?? [0, stat.size - 1];
    if (range) reply(206, { 'Content-Type': type, 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${stat.size}` });
    else reply(200, { 'Content-Type': type, 'Content-Length': stat.size });
    if (req.method === 'HEAD' || stat.size === 0) res.end();
    else fs.createReadStream(file, { start, end }).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        origin: `http://127.0.0.1:${port}`,
        requests,
        close: () => new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
      });
    });
  });
}
