/**
 * Static fetcher on node:http/https rather than fetch(): the address guard must see (and pin) the
 * address each socket connects to, which http.request's `lookup` option gives us with no
 * dependency on the undici version bundled in Node; and we want manual redirects, a byte cap
 * enforced while streaming, and one deadline over all hops and the body.
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { SkipReason } from './crawl-types.js';
import { AddressGuard, AddressRefusedError, PRIVATE_ADDRESS } from './address-guard.js';

export interface FetchRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  maxBytes: number;
  /** One deadline for all redirect hops and the body. */
  timeoutMs: number;
  /** 0 returns a 3xx response as it is (the renderer lets Chromium follow it, hop by hop). */
  maxRedirects: number;
  signal?: AbortSignal;
  /** Vets each redirect target (off-site, robots.txt…) before it is requested. */
  beforeRedirect?: (url: string) => Promise<Refusal | null> | Refusal | null;
  /** Decides from status and headers whether the body is wanted; a refusal stops the download. */
  acceptResponse?: (status: number, headers: IncomingHttpHeaders) => Refusal | null;
}

export interface Refusal {
  reason: SkipReason;
  detail: string;
  /** The redirect leads to a URL the crawl already knows: not a failure, nothing to record. */
  duplicate?: boolean;
}

export interface FetchSuccess {
  ok: true;
  finalUrl: string;
  status: number;
  headers: IncomingHttpHeaders;
  contentType: string;
  /** Decoded (gunzipped) body. */
  body: Buffer;
  /** URLs redirected through, in order, the requested one first. */
  hops: string[];
}

export interface FetchFailure extends Refusal {
  ok: false;
  finalUrl: string;
  status?: number;
}

export type FetchOutcome = FetchSuccess | FetchFailure;

const REDIRECT = new Set([301, 302, 303, 307, 308]);

/** Error codes of failed TLS handshakes and certificate checks. */
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|EPROTO$)/;

/** Thrown inside the request to carry a classified failure out of the stream plumbing. */
class FetchError extends Error {
  constructor(readonly refusal: Refusal, readonly status?: number) {
    super(refusal.detail);
  }
}

export class HttpClient {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(readonly guard: AddressGuard, private readonly userAgent: string) {
    // Keep-alive pools per crawl; every new socket goes through guard.lookup.
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 8, lookup: guard.lookup } as http.AgentOptions);
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 8, lookup: guard.lookup } as https.AgentOptions);
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** Never rejects for network trouble (that is a FetchFailure); rejects only when `signal` aborts. */
  async fetch(req: FetchRequest): Promise<FetchOutcome> {
    const deadline = AbortSignal.timeout(req.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, deadline]) : deadline;
    const hops: string[] = [];
    const seen = new Set<string>();
    let url = req.url;
    let method = req.method ?? 'GET';
    let body = req.body;
    let headers = req.headers ?? {};
    for (;;) {
      hops.push(url);
      // Exact URLs: normalised ones would call `/` → `/index.html` a loop.
      seen.add(url.replace(/#.*$/, ''));
      let res: { status: number; headers: IncomingHttpHeaders; body?: Buffer };
      try {
        res = await this.once(url, method, headers, req, body, signal);
      } catch (err) {
        if (req.signal?.aborted) throw req.signal.reason;
        if (err instanceof FetchError) return { ok: false, finalUrl: url, status: err.status, ...err.refusal };
        return { ok: false, finalUrl: url, ...classify(err, deadline.aborted, req.timeoutMs) };
      }
      const location = res.headers.location;
      if (REDIRECT.has(res.status) && location && req.maxRedirects > 0) {
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          return { ok: false, finalUrl: url, status: res.status, reason: 'invalid_url', detail: `bad Location: ${location}` };
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          return { ok: false, finalUrl: url, status: res.status, reason: 'invalid_url', detail: `redirect to ${next.protocol}` };
        }
        next.hash = '';
        if (seen.has(next.href)) return { ok: false, finalUrl: next.href, status: res.status, reason: 'redirect_loop', detail: [...hops, next.href].join(' → ') };
        if (hops.length > req.maxRedirects) {
          return { ok: false, finalUrl: next.href, status: res.status, reason: 'too_many_redirects', detail: `more than ${req.maxRedirects} redirects` };
        }
        const refusal = await req.beforeRedirect?.(next.href);
        if (refusal) return { ok: false, finalUrl: next.href, status: res.status, ...refusal };
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        // Credentials a page sent stay with its origin, as browsers do across origins.
        if (next.origin !== new URL(url).origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !/^(cookie|authorization)$/i.test(k)));
        url = next.href;
        continue;
      }
      return {
        ok: true,
        finalUrl: url,
        status: res.status,
        headers: res.headers,
        contentType: String(res.headers['content-type'] ?? '').toLowerCase(),
        body: res.body ?? Buffer.alloc(0),
        hops,
      };
    }
  }

  /** One request/response. When following redirects, a 3xx with Location is answered without its body. */
  private once(url: string, method: string, extraHeaders: Record<string, string>, req: FetchRequest, body: Buffer | undefined, signal: AbortSignal) {
    const redirecting = req.maxRedirects > 0;
    return new Promise<{ status: number; headers: IncomingHttpHeaders; body?: Buffer }>((resolve, reject) => {
      const u = new URL(url);
      try {
        this.guard.checkHost(u.hostname);
      } catch (err) {
        reject(err);
        return;
      }
      const isHttps = u.protocol === 'https:';
      const headers: Record<string, string> = {
        'user-agent': this.userAgent,
        accept: 'text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.5',
        'accept-encoding': 'gzip, deflate, br',
        ...extraHeaders,
      };
      if (body) headers['content-length'] = String(body.length);
      const request = (isHttps ? https : http).request(u, {
        method,
        headers,
        agent: isHttps ? this.httpsAgent : this.httpAgent,
        lookup: this.guard.lookup,
        signal,
      });
      request.on('error', reject);
      request.on('response', (res) => {
        const status = res.statusCode ?? 0;
        if (redirecting && REDIRECT.has(status) && res.headers.location) {
          res.resume(); // drain the (small) redirect body so the socket can be reused
          resolve({ status, headers: res.headers });
          return;
        }
        const refusal = req.acceptResponse?.(status, res.headers);
        if (refusal) {
          request.destroy();
          reject(new FetchError(refusal, status));
          return;
        }
        const declared = Number(res.headers['content-length']);
        const encoded = res.headers['content-encoding'];
        if (!encoded && Number.isFinite(declared) && declared > req.maxBytes) {
          request.destroy();
          reject(new FetchError({ reason: 'too_large', detail: `Content-Length ${declared} > ${req.maxBytes} bytes` }, status));
          return;
        }
        readCapped(decoded(res, encoded), req.maxBytes, () => request.destroy()).then(
          (buf) => resolve({ status, headers: res.headers, body: buf }),
          (err: unknown) => reject(err instanceof FetchError ? new FetchError(err.refusal, status) : err),
        );
      });
      request.end(body);
    });
  }
}

function decoded(res: http.IncomingMessage, encoding: string | string[] | undefined): Readable {
  const enc = String(encoding ?? '').trim().toLowerCase();
  // Flush on partial input so a truncated but otherwise fine body still decodes what arrived.
  const opts = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  let stream: Readable = res;
  if (enc === 'gzip' || enc === 'x-gzip') stream = res.pipe(zlib.createGunzip(opts));
  else if (enc === 'deflate') stream = res.pipe(zlib.createInflate(opts));
  else if (enc === 'br') stream = res.pipe(zlib.createBrotliDecompress());
  if (stream !== res) res.on('error', (err) => stream.destroy(err));
  return stream;
}

/** Collects at most `maxBytes` (decoded, so a zip bomb is capped too); past it, stops the download. */
function readCapped(stream: Readable, maxBytes: number, stop: () => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    stream.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        stop();
        stream.destroy();
        reject(new FetchError({ reason: 'too_large', detail: `more than ${maxBytes} bytes` }));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks, total)));
    stream.on('error', reject);
    stream.on('close', () => reject(new Error('connection closed before the body ended')));
  });
}

function classify(err: unknown, timedOut: boolean, timeoutMs: number): Refusal {
  if (timedOut) return { reason: 'timeout', detail: `no complete answer within ${timeoutMs} ms` };
  if (err instanceof AddressRefusedError) return { reason: 'private_address', detail: err.message };
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  if (code === PRIVATE_ADDRESS) return { reason: 'private_address', detail: e.message };
  if (TLS_CODE.test(code) || /ssl|tls|certificate/i.test(e?.message ?? '')) return { reason: 'tls_error', detail: `${code} ${e.message}`.trim() };
  if (code === 'ETIMEDOUT') return { reason: 'timeout', detail: e.message };
  return { reason: 'network_error', detail: `${code} ${e?.message ?? String(err)}`.trim() };
}
