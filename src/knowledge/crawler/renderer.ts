/**
 * PageRenderer on Debian's Chromium through Playwright (never a downloaded browser). One browser,
 * launched on first use and shared; each page gets its own context (no cookies or storage shared
 * between renders) and at most `maxParallel` render at once (2 suits a 2-core box).
 *
 * Chromium never touches the network itself: every request the page makes is routed, checked
 * (same site only; images, fonts and media refused) and then fetched by our own HttpClient, so
 * the address guard and its DNS pinning apply to the browser exactly as to static fetches. A
 * redirect is never handed back to Chromium (it would follow it natively, unrouted): the main
 * document's redirects become new navigations (so the page knows its real URL), and
 * subresources' redirects are followed by HttpClient, hop by hop, guarded.
 */
import { existsSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import type { Browser, Page, Route, Request } from 'playwright';
import { AddressGuard } from './address-guard.js';
import type { PageRenderer, RenderOptions, SkipReason } from './crawl-types.js';
import { HttpClient, type Refusal } from './http-client.js';
import { Limiter } from './limiter.js';
import { isSameSite } from './url-policy.js';
import { DEFAULT_USER_AGENT } from './user-agent.js';

const LAUNCH_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];
/** Not needed for text, and the bulk of a page's bytes. */
const BLOCKED_TYPES = new Set(['image', 'media', 'font', 'texttrack', 'eventsource', 'manifest', 'ping', 'beacon', 'websocket']);
const REDIRECT = new Set([301, 302, 303, 307, 308]);
const MAX_NAVIGATION_REDIRECTS = 5;
/** Less visible text than this after the network went quiet: the app has not drawn its content yet. */
const EMPTY_PAGE_CHARS = 50;
/** Request headers not forwarded: the client sets its own transport headers. */
const DROP_REQUEST = new Set(['host', 'connection', 'content-length', 'accept-encoding', 'keep-alive', 'upgrade', 'te', 'transfer-encoding']);
/** Response headers not handed back: the body is already decoded and re-framed. */
const DROP_RESPONSE = new Set(['content-encoding', 'content-length', 'transfer-encoding', 'connection', 'keep-alive']);

export interface ChromiumRendererOptions {
  /** Default: $CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser. */
  executablePath?: string;
  /** Pages rendered at once (default 2). */
  maxParallel?: number;
  userAgent?: string;
  /** Largest response one request of a page may load (default 5 MB). */
  maxResourceBytes?: number;
  /** After `load`, the longest wait for the network to go quiet (default 5 s; within the page timeout). */
  idleTimeoutMs?: number;
  /** How long no request of the page may be in flight to call the network quiet (default 300 ms). */
  quietMs?: number;
  /** Extra wait for a page still empty once the network is quiet (default 2 s). */
  contentWaitMs?: number;
  /** Chromium is shut down after this long without renders (default 60 s) and relaunched on demand. */
  idleCloseMs?: number;
}

type Context = Awaited<ReturnType<Browser['newContext']>>;
/** Requests of one render in flight, and when the last one started or ended. */
interface NetworkActivity {
  pending: number;
  last: number;
}

/** A render failure with the crawler's reason for it. */
export class RenderError extends Error {
  constructor(readonly reason: SkipReason, detail: string) {
    super(detail);
  }
}

export function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p): p is string => !!p && existsSync(p));
}

export class ChromiumRenderer implements PageRenderer {
  private browser?: Promise<Browser>;
  /** A context with a blank page made ahead of time: opening a page costs a renderer process (~0.2-0.3 s). */
  private spare?: Promise<{ context: Context; page: Page } | undefined>;
  private readonly limiter: Limiter;
  private readonly userAgent: string;
  private closed = false;
  /** Renders started and not finished (waiting for a slot included). */
  private inUse = 0;
  private idleTimer?: NodeJS.Timeout;

  constructor(private readonly options: ChromiumRendererOptions = {}) {
    this.limiter = new Limiter(options.maxParallel ?? 2);
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  }

  private launch(): Promise<Browser> {
    if (this.closed) return Promise.reject(new RenderError('network_error', 'renderer closed'));
    if (!this.browser) {
      const executablePath = this.options.executablePath ?? findChromium();
      if (!executablePath) return Promise.reject(new RenderError('network_error', 'no Chromium found (set CHROMIUM_PATH)'));
      // Playwright is loaded on first use: it costs ~1 s of start-up, and most sites never need a browser.
      const launching = import('playwright').then(({ chromium }) => chromium.launch({ executablePath, headless: true, args: LAUNCH_ARGS, timeout: 30_000 }));
      this.browser = launching;
      launching.then(
        // A crashed browser is relaunched by the next render.
        (b) => b.on('disconnected', () => this.browser === launching && (this.browser = undefined)),
        () => this.browser === launching && (this.browser = undefined),
      );
    }
    return this.browser;
  }

  async render(url: string, opts: RenderOptions): Promise<{ html: string; finalUrl: string; status: number }> {
    this.inUse++;
    clearTimeout(this.idleTimer);
    try {
      return await this.renderInSlot(url, opts);
    } finally {
      if (--this.inUse === 0 && !this.closed) {
        // A server renders in bursts (one crawl at a time); between them, give the memory back.
        this.idleTimer = setTimeout(() => this.inUse === 0 && void this.shutDown(), this.options.idleCloseMs ?? 60_000);
        this.idleTimer.unref();
      }
    }
  }

  private async renderInSlot(url: string, opts: RenderOptions): Promise<{ html: string; finalUrl: string; status: number }> {
    const release = await this.limiter.acquire(opts.signal);
    const deadline = Date.now() + opts.timeoutMs;
    const remaining = () => Math.max(1, deadline - Date.now());
    const client = new HttpClient(new AddressGuard(opts), this.userAgent);
    let context: Context | undefined;
    const onAbort = () => void context?.close().catch(() => undefined);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const fresh = await this.takePage();
      context = fresh.context;
      const page = fresh.page;
      opts.signal?.throwIfAborted();

      const nav: { failure?: Refusal; redirect?: string } = {};
      const net: NetworkActivity = { pending: 0, last: Date.now() };
      await context.route('**/*', (route, request) => this.handle(route, request, page, url, client, nav, net, remaining, opts.signal));

      let target = url;
      const visited = new Set<string>();
      let response: Awaited<ReturnType<Page['goto']>> = null;
      for (let hop = 0; ; hop++) {
        visited.add(target.replace(/#.*$/, ''));
        nav.failure = undefined;
        nav.redirect = undefined;
        try {
          // DOMContentLoaded: the app's scripts have run; a hanging subresource must not cost the page.
          response = await page.goto(target, { waitUntil: 'domcontentloaded', timeout: remaining() });
          break;
        } catch (err) {
          opts.signal?.throwIfAborted();
          const redirect = nav.redirect as string | undefined;
          if (redirect) {
            const next = new URL(redirect, target);
            if (!next.hash) next.hash = new URL(target).hash; // a fragment survives redirects, as in browsers
            if (visited.has(next.href.replace(/#.*$/, ''))) throw new RenderError('redirect_loop', `${target} → ${next.href}`);
            if (hop >= MAX_NAVIGATION_REDIRECTS) throw new RenderError('too_many_redirects', `more than ${MAX_NAVIGATION_REDIRECTS} redirects`);
            target = next.href;
            continue;
          }
          const failure = nav.failure as Refusal | undefined; // set by the route handler meanwhile
          if (failure) throw new RenderError(failure.reason, failure.detail);
          if (Date.now() >= deadline || /timeout/i.test(String(err))) throw new RenderError('timeout', `not loaded within ${opts.timeoutMs} ms`);
          throw new RenderError('network_error', String((err as Error).message ?? err).split('\n')[0]!);
        }
      }
      // Content fetched after load (a JSON the app asks for) is what we are here for. Both waits
      // are bounded, keeping a little time to serialise the DOM. Every request passes through our
      // route handler, so "quiet" is measured there, with a shorter window than Playwright's
      // fixed 500 ms `networkidle`.
      const settleBy = Date.now() + Math.max(1, Math.min(this.options.idleTimeoutMs ?? 5000, remaining() - 250));
      await page.waitForLoadState('load', { timeout: Math.max(1, settleBy - Date.now()) }).catch(() => undefined);
      await quiet(net, this.options.quietMs ?? 300, settleBy, opts.signal);
      // An app that waits on a timer before asking for its content looks quiet meanwhile: while
      // the page is still empty (a blank shell, a "Loading…"), give it a little longer.
      const textBy = Math.min(settleBy, Date.now() + (this.options.contentWaitMs ?? 2000));
      while (Date.now() < textBy && !opts.signal?.aborted && (await visibleText(page)) < EMPTY_PAGE_CHARS) {
        await new Promise((r) => setTimeout(r, 100));
        await quiet(net, this.options.quietMs ?? 300, textBy, opts.signal);
      }
      opts.signal?.throwIfAborted();
      return { html: await page.content(), finalUrl: page.url(), status: response?.status() ?? 200 };
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      if (err instanceof RenderError) throw err;
      throw new RenderError('network_error', `render failed: ${String((err as Error)?.message ?? err).split('\n')[0]}`);
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      await context?.close().catch(() => undefined);
      client.close();
      release();
    }
  }

  /** A context and blank page: the spare if one is ready, and a new spare starts for the next render. */
  private async takePage(): Promise<{ context: Context; page: Page }> {
    // Claimed synchronously, so two renders starting together never share one spare page.
    const claimed = this.spare;
    this.spare = undefined;
    const browser = await this.launch();
    const spare = await claimed;
    if (!this.spare && !this.closed) this.spare = this.newPage(browser).catch(() => undefined);
    if (spare && spare.context.browser() === browser && browser.isConnected()) return spare;
    await spare?.context.close().catch(() => undefined);
    return this.newPage(browser);
  }

  private async newPage(browser: Browser): Promise<{ context: Context; page: Page }> {
    const context = await browser.newContext({ userAgent: this.userAgent, serviceWorkers: 'block', acceptDownloads: false, viewport: { width: 1280, height: 900 } });
    try {
      await context.routeWebSocket(/.*/, (ws) => ws.close());
      const page = await context.newPage();
      context.on('page', (popup) => popup !== page && void popup.close().catch(() => undefined));
      return { context, page };
    } catch (err) {
      await context.close().catch(() => undefined);
      throw err;
    }
  }

  /** Every request of the page: refuse, or fetch it ourselves and fulfil. */
  private async handle(
    route: Route, request: Request, page: Page, pageUrl: string, client: HttpClient,
    nav: { failure?: Refusal; redirect?: string }, net: NetworkActivity, remaining: () => number, signal?: AbortSignal,
  ): Promise<void> {
    net.pending++;
    net.last = Date.now();
    try {
      let isMain = false;
      try {
        isMain = request.isNavigationRequest() && request.frame() === page.mainFrame();
      } catch {
        // requests of service workers have no frame; they are blocked anyway
      }
      const reqUrl = request.url();
      if (BLOCKED_TYPES.has(request.resourceType()) && !isMain) return await route.abort('blockedbyclient');
      if (!/^https?:/i.test(reqUrl)) return await route.abort('blockedbyclient');
      if (!isSameSite(reqUrl, pageUrl)) {
        if (isMain) nav.failure = { reason: 'off_site', detail: `navigated to ${reqUrl}` };
        return await route.abort('blockedbyclient');
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(await request.allHeaders())) if (!DROP_REQUEST.has(k) && !k.startsWith(':')) headers[k] = v;
      const res = await client.fetch({
        url: reqUrl,
        method: request.method(),
        headers,
        body: request.postDataBuffer() ?? undefined,
        maxBytes: this.options.maxResourceBytes ?? 5 * 1024 * 1024,
        timeoutMs: remaining(),
        maxRedirects: isMain ? 0 : 5,
        signal,
        beforeRedirect: (next) => (isSameSite(next, pageUrl) ? null : { reason: 'off_site', detail: `redirected to ${next}` }),
      });
      if (!res.ok) {
        if (isMain) nav.failure = res;
        return await route.abort(res.reason === 'timeout' ? 'timedout' : res.reason === 'private_address' || res.reason === 'off_site' ? 'accessdenied' : 'failed');
      }
      if (isMain && REDIRECT.has(res.status) && res.headers.location) {
        nav.redirect = res.headers.location;
        return await route.abort('aborted');
      }
      await route.fulfill({ status: res.status, headers: responseHeaders(res.headers), body: res.body });
    } catch {
      // The context closed mid-request (render finished, aborted or timed out): nothing to answer.
      await route.abort('aborted').catch(() => undefined);
    } finally {
      net.pending--;
      net.last = Date.now();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    await this.shutDown();
  }

  /** Closes the spare and the browser; detached first, so a render starting now launches anew. */
  private async shutDown(): Promise<void> {
    const spare = this.spare;
    const browser = this.browser;
    this.spare = undefined;
    this.browser = undefined;
    await (await spare)?.context.close().catch(() => undefined);
    await (await browser?.catch(() => undefined))?.close().catch(() => undefined);
  }
}

function visibleText(page: Page): Promise<number> {
  // A string, evaluated in the page: this project compiles without the DOM library.
  return page.evaluate<number>("(document.body ? document.body.innerText : '').replace(/\\s+/g, ' ').trim().length").catch(() => 0);
}

/** Resolves once no request has been in flight for `quietMs`, or at `until`. */
async function quiet(net: NetworkActivity, quietMs: number, until: number, signal?: AbortSignal): Promise<void> {
  for (;;) {
    const now = Date.now();
    if (now >= until || signal?.aborted) return;
    const idleFor = net.pending === 0 ? now - net.last : 0;
    if (idleFor >= quietMs) return;
    await new Promise((r) => setTimeout(r, Math.min(quietMs - idleFor || 50, until - now, 50)));
  }
}

function responseHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || DROP_RESPONSE.has(k)) continue;
    // Playwright takes several Set-Cookie values joined by newlines.
    out[k] = Array.isArray(v) ? v.join(k === 'set-cookie' ? '\n' : ', ') : v;
  }
  return out;
}
