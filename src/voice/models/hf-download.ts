/**
 * Downloads files of a model repo from Hugging Face (or a mirror with the same URL layout:
 * `${endpoint}/${repo}/resolve/${revision}/${path}`) into `${modelsDir}/${repo}/${path}`.
 *
 * - Streams into `<file>.part`; an interrupted download resumes with `Range: bytes=<part size>-`
 *   (206 appends; a 200 means the server ignored Range, so the part is restarted).
 * - Verifies the size and SHA-256 before renaming `.part` to the final name, so a final file
 *   always was complete and verified when it was placed. A final file is skipped on the next
 *   run, without a request, when its size (and hash, when the caller knows them) match.
 * - Checksum: the caller's `sha256`, else the one Hugging Face sends for LFS files in
 *   `x-linked-etag` (on its redirect to the CDN) or `etag` — used only when it is 64 hex digits,
 *   since small non-LFS files carry a git SHA-1 there instead, which we cannot check cheaply.
 * - Redirects are followed by hand (up to 10) so those headers on the first hop are seen, and
 *   so an Authorization header is not sent on to another origin (the CDN).
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize } from 'node:path';

export const DEFAULT_HF_ENDPOINT = 'https://huggingface.co';

/** One file of a repo; size and sha256 when known in advance (they make skipping exact). */
export interface HfFile {
  path: string;
  size?: number;
  sha256?: string;
}

export interface DownloadProgress {
  /** 'skip': already complete; 'start': request answered (fileTotal known if the server said). */
  event: 'skip' | 'start' | 'progress' | 'done';
  file: string;
  fileBytes: number;
  fileTotal: number | undefined;
  /** Over all files; `total` is undefined until every file's size is known. */
  bytes: number;
  total: number | undefined;
  fileIndex: number;
  fileCount: number;
}

export interface DownloadOptions {
  repo: string;
  files: ReadonlyArray<string | HfFile>;
  modelsDir: string;
  revision?: string;
  /** Mirror or air-gapped endpoint (HF_ENDPOINT); default https://huggingface.co. */
  endpoint?: string;
  /** For gated/private repos (HF_TOKEN); never sent to a redirect's other origin. */
  token?: string;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /** No response or no bytes for this long fails the file (default 30 s); the .part is kept. */
  idleTimeoutMs?: number;
}

export interface DownloadedFile {
  path: string;
  localPath: string;
  status: 'downloaded' | 'resumed' | 'skipped';
  size: number;
  sha256: string | undefined;
}

export type HfDownloadErrorCode = 'not_found' | 'http' | 'network' | 'timeout' | 'checksum' | 'size';

export class HfDownloadError extends Error {
  override name = 'HfDownloadError';
  constructor(readonly code: HfDownloadErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const SHA256 = /^[0-9a-f]{64}$/;

/** The sha256 in an etag header value, if it is one (`W/"…"` and quotes stripped). */
export function sha256FromEtag(value: string | null | undefined): string | undefined {
  const v = value?.trim().replace(/^W\//, '').replace(/^"|"$/g, '').toLowerCase();
  return v && SHA256.test(v) ? v : undefined;
}

export function fileUrl(endpoint: string, repo: string, revision: string, path: string): string {
  const enc = (s: string) => s.split('/').map(encodeURIComponent).join('/');
  return `${endpoint.replace(/\/+$/, '')}/${enc(repo)}/resolve/${encodeURIComponent(revision)}/${enc(path)}`;
}

/** Downloads the files one after another; throws on the first failure (completed files stay). */
export async function downloadRepoFiles(opts: DownloadOptions): Promise<DownloadedFile[]> {
  const files = opts.files.map((f) => (typeof f === 'string' ? { path: f } : f));
  const sizes: (number | undefined)[] = files.map((f) => f.size);
  const doneBytes: number[] = files.map(() => 0);
  const results: DownloadedFile[] = [];
  for (const [i, file] of files.entries()) {
    const report = (event: DownloadProgress['event'], fileBytes: number, fileTotal: number | undefined) => {
      sizes[i] = fileTotal ?? sizes[i];
      doneBytes[i] = fileBytes;
      const total = sizes.every((s) => s !== undefined) ? sizes.reduce<number>((a, s) => a + (s ?? 0), 0) : undefined;
      const bytes = doneBytes.reduce((a, b) => a + b, 0);
      opts.onProgress?.({ event, file: file.path, fileBytes, fileTotal, bytes, total, fileIndex: i, fileCount: files.length });
    };
    results.push(await downloadOne(opts, file, report));
  }
  return results;
}

type Report = (event: DownloadProgress['event'], fileBytes: number, fileTotal: number | undefined) => void;

async function downloadOne(opts: DownloadOptions, file: HfFile, report: Report): Promise<DownloadedFile> {
  const revision = opts.revision ?? 'main';
  const where = `${file.path} in ${opts.repo} at revision ${revision}`;
  const localPath = safeJoin(opts.modelsDir, opts.repo, file.path);
  const partPath = `${localPath}.part`;
  const expectedSha = file.sha256?.toLowerCase();
  opts.signal?.throwIfAborted();

  // A final file was verified before it was placed; re-check only what the caller knows.
  const existing = await sizeOf(localPath);
  if (existing !== undefined && (file.size === undefined || file.size === existing)) {
    if (expectedSha === undefined || (await hashFile(localPath)).digest('hex') === expectedSha) {
      report('skip', existing, existing);
      return { path: file.path, localPath, status: 'skipped', size: existing, sha256: expectedSha };
    }
  }
  await mkdir(dirname(localPath), { recursive: true });
  let partSize = (await sizeOf(partPath)) ?? 0;
  if (file.size !== undefined && partSize > file.size) partSize = await restart(partPath);

  const res = await request(opts, fileUrl(opts.endpoint ?? DEFAULT_HF_ENDPOINT, opts.repo, revision, file.path), partSize, where);
  try {
    if (res.status === 416 && partSize > 0) {
      // The part is as long as (or longer than) the file: verify what we have, or start over.
      const total = Number(/\/(\d+)$/.exec(res.response.headers.get('content-range') ?? '')?.[1] ?? NaN);
      await res.response.body?.cancel();
      if (total === partSize) return await finish(opts, file, report, { localPath, partPath, hash: await hashFile(partPath), size: partSize, total, sha: expectedSha ?? res.sha256, where, resumed: true });
      await restart(partPath);
      return await downloadOne(opts, file, report);
    }
    if (res.status === 206 && (partSize === 0 || contentRangeStart(res.response) !== partSize)) {
      // A range we did not ask for: drop the part and ask for the whole file.
      await res.response.body?.cancel();
      await restart(partPath);
      if (partSize === 0) throw new HfDownloadError('http', `${where}: unexpected partial content`);
      return await downloadOne(opts, file, report);
    }
    let resumed = false;
    let hash: Hash;
    if (res.status === 206) {
      resumed = true;
      hash = await hashFile(partPath); // the hash covers the whole file, so feed it the part first
      res.touch();
    } else {
      if (res.status !== 200) throw httpError(res.status, where);
      partSize = await restart(partPath); // fresh, or the server ignored Range
      hash = createHash('sha256');
    }
    const total = res.size ?? file.size;
    let done = partSize;
    report('start', done, total);
    // Each chunk is written before the next is read (no stream buffer), so whatever arrived
    // before an interruption is on disk for the next run to resume from.
    const out = await open(partPath, resumed ? 'a' : 'w');
    try {
      for await (const chunk of res.response.body ?? []) {
        res.touch();
        await out.write(chunk);
        hash.update(chunk);
        done += chunk.length;
        report('progress', done, total);
      }
    } finally {
      await out.close();
    }
    return await finish(opts, file, report, { localPath, partPath, hash, size: done, total, sha: expectedSha ?? res.sha256, where, resumed });
  } catch (err) {
    throw translate(err, opts.signal, res.timedOut(), `download of ${where} failed`);
  } finally {
    res.clear();
  }
}

interface Finished {
  localPath: string;
  partPath: string;
  hash: Hash;
  size: number;
  total: number | undefined;
  sha: string | undefined;
  where: string;
  resumed: boolean;
}

/** Verifies the .part (size, sha256) and only then renames it into place. */
async function finish(opts: DownloadOptions, file: HfFile, report: Report, f: Finished): Promise<DownloadedFile> {
  const actual = f.hash.digest('hex');
  const expectedSize = file.size ?? f.total;
  if (expectedSize !== undefined && f.size !== expectedSize) {
    // Short means interrupted (keep the part to resume); long means garbage (drop it).
    if (f.size > expectedSize) await rm(f.partPath, { force: true });
    throw new HfDownloadError('size', `${f.where}: got ${f.size} bytes, expected ${expectedSize}; run again to ${f.size < expectedSize ? 'resume' : 'retry'}`);
  }
  if (f.sha !== undefined && actual !== f.sha) {
    await rm(f.partPath, { force: true });
    throw new HfDownloadError('checksum', `${f.where} is corrupted: sha256 ${actual}, expected ${f.sha}; the partial file was deleted, run again to retry`);
  }
  opts.signal?.throwIfAborted();
  await rename(f.partPath, f.localPath);
  report('done', f.size, f.size);
  return { path: file.path, localPath: f.localPath, status: f.resumed ? 'resumed' : 'downloaded', size: f.size, sha256: f.sha ?? actual };
}

interface Answer {
  response: Response;
  status: number;
  size: number | undefined;
  sha256: string | undefined;
  touch(): void;
  timedOut(): boolean;
  clear(): void;
}

/** GET with Range, following redirects by hand; an idle timer aborts when no bytes arrive. */
async function request(opts: DownloadOptions, url: string, from: number, where: string): Promise<Answer> {
  const idleMs = opts.idleTimeoutMs ?? 30_000;
  const idle = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => ((timedOut = true), idle.abort(new Error(`no data for ${idleMs} ms`))), idleMs);
  };
  const signal = opts.signal ? AbortSignal.any([opts.signal, idle.signal]) : idle.signal;
  const origin = new URL(url).origin;
  let size: number | undefined;
  let sha256: string | undefined;
  touch();
  try {
    for (let hop = 0; hop <= 10; hop++) {
      const headers: Record<string, string> = { 'user-agent': 'voice-agent-server/model-download' };
      if (from > 0) headers.range = `bytes=${from}-`;
      if (opts.token && new URL(url).origin === origin) headers.authorization = `Bearer ${opts.token}`;
      const response = await fetch(url, { headers, redirect: 'manual', signal });
      // Hugging Face puts the LFS object's sha256 and size on its redirect, not on the CDN's answer.
      sha256 ??= sha256FromEtag(response.headers.get('x-linked-etag'));
      size ??= positive(response.headers.get('x-linked-size'));
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        url = new URL(location, url).toString();
        continue;
      }
      sha256 ??= sha256FromEtag(response.headers.get('etag'));
      if (response.status === 200) size ??= positive(response.headers.get('content-length'));
      if (response.status === 206) size ??= positive(/\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1]);
      if (response.status !== 200 && response.status !== 206 && response.status !== 416) {
        await response.body?.cancel();
        throw httpError(response.status, where);
      }
      return { response, status: response.status, size, sha256, touch, timedOut: () => timedOut, clear: () => clearTimeout(timer) };
    }
    throw new HfDownloadError('http', `${where}: too many redirects`);
  } catch (err) {
    clearTimeout(timer);
    throw translate(err, opts.signal, timedOut, `request for ${where} failed`);
  }
}

function httpError(status: number, where: string): HfDownloadError {
  if (status === 404) return new HfDownloadError('not_found', `file not found: ${where} (HTTP 404)`);
  if (status === 401 || status === 403)
    return new HfDownloadError('http', `access denied to ${where} (HTTP ${status}); a gated or private repo needs HF_TOKEN`);
  return new HfDownloadError('http', `${where}: unexpected HTTP ${status}`);
}

/** Our errors and the caller's abort pass through; the rest become network/timeout errors. */
function translate(err: unknown, signal: AbortSignal | undefined, timedOut: boolean, what: string): unknown {
  if (err instanceof HfDownloadError) return err;
  if (signal?.aborted) return signal.reason;
  const cause = err instanceof Error ? (err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err.message) : String(err);
  if (timedOut) return new HfDownloadError('timeout', `${what}: timed out (${cause}); run again to resume`, { cause: err });
  return new HfDownloadError('network', `${what}: ${cause}; run again to resume`, { cause: err });
}

function contentRangeStart(res: Response): number | undefined {
  const m = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
  return m ? Number(m[1]) : undefined;
}

function positive(v: string | null | undefined): number | undefined {
  const n = Number(v);
  return v != null && v !== '' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

async function restart(partPath: string): Promise<0> {
  await rm(partPath, { force: true });
  return 0;
}

async function hashFile(path: string): Promise<Hash> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash;
}

/** Repo and file paths come from a catalog, but never let one escape the models directory. */
function safeJoin(root: string, repo: string, path: string): string {
  for (const p of [repo, path]) {
    if (isAbsolute(p) || normalize(p).split(/[\\/]/).includes('..') || p.includes('\0')) throw new Error(`unsafe model path: ${p}`);
  }
  return join(root, repo, path);
}
