/**
 * A small static file server for crawler tests and the crawl benchmark: serves a folder on
 * 127.0.0.1 (or another loopback address), `/` and `dir/` from index.html, 404 otherwise, and
 * lets a test add dynamic routes (redirects, a page that never answers, a 10 MB body…).
 */
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.json': 'application/json',
  '.xml': 'application/xml', '.txt': 'text/plain; charset=utf-8', '.pdf': 'application/pdf', '.png': 'image/png',
  '.webp': 'image/webp', '.ico': 'image/x-icon', '.woff2': 'font/woff2',
};

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface TestSite {
  origin: string;
  port: number;
  /** Paths requested, in order (query strings included). */
  requests: string[];
  close(): Promise<void>;
}

export async function serveSite(root: string | null, opts: { host?: string; routes?: Record<string, Handler> } = {}): Promise<TestSite> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '/');
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const route = opts.routes?.[pathname];
    if (route) return route(req, res);
    if (!root) return notFound(res);
    const base = path.resolve(root);
    let file = path.join(base, pathname);
    if (!file.startsWith(base)) return notFound(res);
    try {
      if (statSync(file).isDirectory()) file = path.join(file, 'index.html');
      const size = statSync(file).size;
      res.writeHead(200, { 'content-type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream', 'content-length': size });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).pipe(res);
    } catch {
      notFound(res);
    }
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, opts.host ?? '127.0.0.1', resolve));
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    origin: `http://${host}:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function notFound(res: http.ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/html' });
  res.end('<h1>Not found</h1>');
}

/** The three real small-business websites in ../shared/fixtures/sites/. */
export const fixtureSites = new URL('../../../shared/fixtures/sites/', import.meta.url).pathname;
