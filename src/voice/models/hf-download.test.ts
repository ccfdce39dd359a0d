import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { downloadRepoFiles, fileUrl, HfDownloadError, sha256FromEtag, type DownloadProgress } from './hf-download.js';

const REPO = 'org/tiny-model';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Served {
  body: Buffer;
  /** Serve through a redirect to /cdn/ with x-linked-etag/x-linked-size, as HF does for LFS files. */
  lfs?: boolean;
  /** The sha256 as an `etag` on the answer itself. */
  etagSha?: boolean;
  /** First request only: send this many bytes, then kill the connection. */
  killAfter?: number;
  /** Send these bytes instead of body (same length): a corrupted transfer. */
  corrupt?: Buffer;
  ignoreRange?: boolean;
  /** Send the first 64 KiB, then stall without ending. */
  stall?: boolean;
}

/** A Hugging Face look-alike: /<repo>/resolve/<rev>/<path>, LFS redirects to /cdn/, Range support. */
class FakeHub {
  files = new Map<string, Served>();
  requests: { url: string; range: string | undefined; auth: string | undefined }[] = [];
  private servers: Server[] = [];
  endpoint = '';
  /** Another origin, as HF's CDN is: the token must not be sent there. */
  cdn = '';

  async start(): Promise<void> {
    for (let i = 0; i < 2; i++) {
      const server = createServer((req, res) => this.handle(req, res));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      this.servers.push(server);
    }
    [this.endpoint, this.cdn] = this.servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`) as [string, string];
  }

  async stop(): Promise<void> {
    for (const s of this.servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = decodeURIComponent(req.url ?? '');
    this.requests.push({ url, range: req.headers.range, auth: req.headers.authorization });
    const cdn = url.startsWith('/cdn/');
    const path = cdn ? url.slice('/cdn/'.length) : url.slice(`/${REPO}/resolve/main/`.length);
    const file = this.files.get(path);
    if (!file || (!cdn && !url.startsWith(`/${REPO}/resolve/main/`))) {
      res.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end('Entry not found');
      return;
    }
    if (file.lfs && !cdn) {
      res.writeHead(302, { location: `${this.cdn}/cdn/${path}`, 'x-linked-etag': `"${sha(file.body)}"`, 'x-linked-size': String(file.body.length) }).end();
      return;
    }
    const data = file.corrupt ?? file.body;
    const headers: Record<string, string> = { 'accept-ranges': 'bytes' };
    if (file.etagSha) headers.etag = `"${sha(file.body)}"`;
    else headers.etag = `"${'a'.repeat(40)}"`; // a git SHA-1, as for small non-LFS files: not a checksum
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    let start = 0;
    if (m && !file.ignoreRange) {
      start = Number(m[1]);
      headers['content-range'] = `bytes ${start}-${data.length - 1}/${data.length}`;
    }
    headers['content-length'] = String(data.length - start);
    res.writeHead(start > 0 || (m && !file.ignoreRange) ? 206 : 200, headers);
    const rest = data.subarray(start);
    if (file.killAfter !== undefined) {
      const n = file.killAfter;
      delete file.killAfter;
      // Kill a moment later: fetch drops chunks it has queued but not handed out when the socket errors.
      res.write(rest.subarray(0, n), () => setTimeout(() => res.socket?.destroy(), 250));
    } else if (file.stall) res.write(rest.subarray(0, 64 * 1024));
    else res.end(rest);
  }
}

let hub: FakeHub;
let dir: string;
beforeEach(async () => {
  hub = new FakeHub();
  await hub.start();
  dir = mkdtempSync(join(tmpdir(), 'hf-download-'));
});
afterEach(async () => {
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
});

const opts = () => ({ repo: REPO, modelsDir: dir, endpoint: hub.endpoint });
const local = (path: string) => join(dir, REPO, path);

describe('downloadRepoFiles', () => {
  it('downloads fresh files (one via redirect, checksum from x-linked-etag) with progress', async () => {
    const config = Buffer.from('{"model_type":"whisper"}');
    const model = randomBytes(300 * 1024);
    const tokenizer = randomBytes(200 * 1024);
    hub.files.set('config.json', { body: config });
    hub.files.set('onnx/model.onnx', { body: model, lfs: true });
    hub.files.set('tokenizer.json', { body: tokenizer, etagSha: true });
    const events: DownloadProgress[] = [];
    const results = await downloadRepoFiles({ ...opts(), token: 'hf_secret', files: ['config.json', 'onnx/model.onnx', 'tokenizer.json'], onProgress: (p) => events.push(p) });

    expect(results.map((r) => r.status)).toEqual(['downloaded', 'downloaded', 'downloaded']);
    expect(readFileSync(local('onnx/model.onnx')).equals(model)).toBe(true);
    expect(readFileSync(local('tokenizer.json')).equals(tokenizer)).toBe(true);
    expect(results[1]!.sha256).toBe(sha(model));
    expect(existsSync(local('onnx/model.onnx.part'))).toBe(false);
    // The redirect was followed; the token went to the hub but not on to the CDN's origin.
    expect(hub.requests.find((r) => r.url === `/${REPO}/resolve/main/onnx/model.onnx`)?.auth).toBe('Bearer hf_secret');
    expect(hub.requests.find((r) => r.url === '/cdn/onnx/model.onnx')?.auth).toBeUndefined();
    const done = events.filter((e) => e.event === 'done');
    expect(done.map((e) => e.file)).toEqual(['config.json', 'onnx/model.onnx', 'tokenizer.json']);
    expect(events.filter((e) => e.event === 'progress' && e.file === 'onnx/model.onnx').at(-1)).toMatchObject({ fileBytes: model.length, fileTotal: model.length });
    const total = config.length + model.length + tokenizer.length;
    expect(events.at(-1)).toMatchObject({ bytes: total, total, fileIndex: 2, fileCount: 3 });
    // Overall bytes never go backwards.
    for (let i = 1; i < events.length; i++) expect(events[i]!.bytes).toBeGreaterThanOrEqual(events[i - 1]!.bytes);
  });

  it('resumes an interrupted download with a Range request', async () => {
    const body = randomBytes(400 * 1024);
    hub.files.set('onnx/model.onnx', { body, lfs: true, killAfter: 150 * 1024 });
    const first = downloadRepoFiles({ ...opts(), files: ['onnx/model.onnx'] });
    await expect(first).rejects.toMatchObject({ code: 'network', message: expect.stringContaining('run again to resume') });
    const partSize = statSync(local('onnx/model.onnx.part')).size;
    expect(partSize).toBeGreaterThan(0);
    expect(partSize).toBeLessThan(body.length);
    expect(existsSync(local('onnx/model.onnx'))).toBe(false);

    hub.requests = [];
    const [result] = await downloadRepoFiles({ ...opts(), files: ['onnx/model.onnx'] });
    expect(result).toMatchObject({ status: 'resumed', size: body.length, sha256: sha(body) });
    expect(hub.requests.find((r) => r.url.startsWith('/cdn/'))?.range).toBe(`bytes=${partSize}-`);
    const final = readFileSync(local('onnx/model.onnx'));
    expect(final.equals(body)).toBe(true);
    expect(existsSync(local('onnx/model.onnx.part'))).toBe(false);
  });

  it('restarts when the server ignores Range and answers 200', async () => {
    const body = randomBytes(200 * 1024);
    hub.files.set('model.bin', { body, etagSha: true, ignoreRange: true });
    // What an interrupted download leaves (written directly: how much of a killed transfer reaches
    // the disk depends on timing, and a busy CI machine once left nothing to resume).
    mkdirSync(dirname(local('model.bin')), { recursive: true });
    writeFileSync(local('model.bin.part'), body.subarray(0, 50 * 1024));
    const [result] = await downloadRepoFiles({ ...opts(), files: ['model.bin'] });
    expect(hub.requests.at(-1)?.range).toMatch(/^bytes=\d+-$/);
    expect(result!.status).toBe('downloaded');
    expect(readFileSync(local('model.bin')).equals(body)).toBe(true);
  });

  it('rejects a corrupted file (x-linked-etag) and leaves neither final nor partial file', async () => {
    const body = randomBytes(100 * 1024);
    const corrupt = randomBytes(body.length);
    hub.files.set('onnx/model.onnx', { body, lfs: true, corrupt });
    const err = await downloadRepoFiles({ ...opts(), files: ['onnx/model.onnx'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HfDownloadError);
    expect((err as HfDownloadError).code).toBe('checksum');
    expect((err as Error).message).toContain('onnx/model.onnx');
    expect((err as Error).message).toContain(sha(body));
    expect((err as Error).message).toContain(sha(corrupt));
    expect(existsSync(local('onnx/model.onnx'))).toBe(false);
    expect(existsSync(local('onnx/model.onnx.part'))).toBe(false);
  });

  it('rejects a file that does not match the checksum the caller gave', async () => {
    hub.files.set('config.json', { body: Buffer.from('{"tampered":true}') });
    const expected = sha(Buffer.from('{"original":true}'));
    await expect(downloadRepoFiles({ ...opts(), files: [{ path: 'config.json', sha256: expected }] })).rejects.toMatchObject({
      code: 'checksum',
      message: expect.stringContaining(expected),
    });
    expect(existsSync(local('config.json'))).toBe(false);
  });

  it('says which file is missing on a 404', async () => {
    await expect(downloadRepoFiles({ ...opts(), files: ['nope/missing.bin'] })).rejects.toMatchObject({
      code: 'not_found',
      message: `file not found: nope/missing.bin in ${REPO} at revision main (HTTP 404)`,
    });
  });

  it('skips already complete files without a request', async () => {
    const body = randomBytes(64 * 1024);
    hub.files.set('onnx/model.onnx', { body, lfs: true });
    hub.files.set('config.json', { body: Buffer.from('{}') });
    await downloadRepoFiles({ ...opts(), files: ['onnx/model.onnx', 'config.json'] });
    hub.requests = [];
    const events: DownloadProgress[] = [];
    const again = await downloadRepoFiles({
      ...opts(),
      files: [{ path: 'onnx/model.onnx', size: body.length, sha256: sha(body) }, 'config.json'],
      onProgress: (p) => events.push(p),
    });
    expect(again.map((r) => r.status)).toEqual(['skipped', 'skipped']);
    expect(hub.requests).toEqual([]);
    expect(events.map((e) => e.event)).toEqual(['skip', 'skip']);
    expect(events.at(-1)).toMatchObject({ bytes: body.length + 2, total: body.length + 2 });
  });

  it('stops on abort, keeping the part for a later resume', async () => {
    hub.files.set('big.bin', { body: randomBytes(512 * 1024), stall: true });
    const ac = new AbortController();
    const run = downloadRepoFiles({ ...opts(), files: ['big.bin'], signal: ac.signal, onProgress: (p) => p.event === 'progress' && ac.abort() });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(existsSync(local('big.bin'))).toBe(false);
  });

  it('times out when the server stalls', async () => {
    hub.files.set('big.bin', { body: randomBytes(512 * 1024), stall: true });
    await expect(downloadRepoFiles({ ...opts(), files: ['big.bin'], idleTimeoutMs: 200 })).rejects.toMatchObject({ code: 'timeout' });
  });

  it('fails clearly when the endpoint cannot be reached', async () => {
    await expect(downloadRepoFiles({ ...opts(), endpoint: 'http://127.0.0.1:1', files: ['config.json'] })).rejects.toMatchObject({
      code: 'network',
      message: expect.stringContaining(`request for config.json in ${REPO} at revision main failed`),
    });
  });
});

describe('helpers', () => {
  it('builds Hugging Face URLs', () => {
    expect(fileUrl('https://hf-mirror.com/', 'onnx-community/whisper-base.en', 'main', 'onnx/encoder_model_quantized.onnx')).toBe(
      'https://hf-mirror.com/onnx-community/whisper-base.en/resolve/main/onnx/encoder_model_quantized.onnx',
    );
    expect(fileUrl('https://huggingface.co', 'a/b', 'refs/pr/1', 'c.json')).toBe('https://huggingface.co/a/b/resolve/refs%2Fpr%2F1/c.json');
  });

  it('takes only 64-hex etags as sha256', () => {
    const h = 'ab'.repeat(32);
    expect(sha256FromEtag(`"${h}"`)).toBe(h);
    expect(sha256FromEtag(`W/"${h.toUpperCase()}"`)).toBe(h);
    expect(sha256FromEtag(`"${'a'.repeat(40)}"`)).toBeUndefined();
    expect(sha256FromEtag(null)).toBeUndefined();
  });

  it('refuses paths that leave the models directory', async () => {
    await expect(downloadRepoFiles({ ...opts(), files: ['../../etc/passwd'] })).rejects.toThrow(/unsafe model path/);
  });
});
