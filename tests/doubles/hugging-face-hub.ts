import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';

/**
 * A stand-in for huggingface.co serving a local folder in the Hub's URL layout:
 * `GET /<org>/<repo>/resolve/<revision>/<path>` → the file at `<root>/<org>/<repo>/<path>`, with
 * `accept-ranges`, `Range` → 206, and for .onnx files the sha256 as the ETag (as the Hub does for
 * LFS files), so the real download code checks what it receives. Unknown files → 404 with the
 * Hub's `x-error-code: EntryNotFound`.
 */
export interface HubDouble {
  endpoint: string;
  requests: { path: string; range?: string }[];
  stop(): Promise<void>;
}

export async function startHubDouble(root: string): Promise<HubDouble> {
  const requests: HubDouble['requests'] = [];
  const server: Server = createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '').split('?')[0]!);
    requests.push({ path: url, range: req.headers.range });
    const m = /^\/([^/]+\/[^/]+)\/resolve\/[^/]+\/(.+)$/.exec(url);
    const file = m ? normalize(join(root, m[1]!, m[2]!)) : '';
    let size = -1;
    try {
      if (file.startsWith(root + sep)) size = statSync(file).isFile() ? statSync(file).size : -1;
    } catch {
      size = -1;
    }
    if (size < 0) {
      res.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end('Entry not found');
      return;
    }
    const body = readFileSync(file);
    const headers: Record<string, string> = { 'accept-ranges': 'bytes' };
    if (file.endsWith('.onnx')) headers.etag = `"${createHash('sha256').update(body).digest('hex')}"`;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (range) headers['content-range'] = `bytes ${start}-${size - 1}/${size}`;
    headers['content-length'] = String(size - start);
    res.writeHead(range ? 206 : 200, headers).end(body.subarray(start));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
