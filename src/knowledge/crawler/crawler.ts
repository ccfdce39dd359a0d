/**
 * crawlSite: breadth-first over one business's website, from the start URL plus its sitemap,
 * static fetches first and Chromium only for pages that need it. Bounded by pages, depth, bytes
 * and time; polite per host; every failure is recorded in `skipped` and none fails the crawl.
 * Only an abort through `signal` rejects (with the signal's reason).
 */
import { AddressGuard } from './address-guard.js';
import { CrawlLedger } from './crawl-ledger.js';
import type { CrawlOptions, CrawlResult, CrawledPage, PageRenderer, SkipReason } from './crawl-types.js';
import { Frontier, hostOf, type QueueItem } from './frontier.js';
import { HttpClient, type FetchSuccess, type Refusal } from './http-client.js';
import { analyseHtml, decodeHtml, headerRobots, looksBinary, markupDepth, MAX_MARKUP_DEPTH } from './page-analysis.js';
import { pdfToText } from './pdf.js';
import { loadRobots, type RobotsRules } from './robots.js';
import { collectSitemapUrls } from './sitemap.js';
import { isHashRoute, looksLikeFile, normaliseUrl, originOf, siteKey, withoutHash } from './url-policy.js';
import { DEFAULT_USER_AGENT, userAgentToken } from './user-agent.js';

const DEFAULTS = {
  maxPages: 50, maxDepth: 4, maxPageBytes: 5 * 1024 * 1024, maxTotalBytes: 50 * 1024 * 1024, timeBudgetMs: 90_000,
  pageTimeoutMs: 10_000, concurrency: 4, perHostConcurrency: 2, maxCrawlDelayMs: 5_000,
};
const MAX_REDIRECTS = 5;
const HTML_TYPE = /^(text\/html|application\/xhtml\+xml)\b/;
const PDF_TYPE = /^application\/(pdf|x-pdf)\b/;

export async function crawlSite(startUrl: string, options: CrawlOptions): Promise<CrawlResult> {
  return new Crawl(startUrl, options).run();
}

/** The crawl deadline passed: work in flight is cut and recorded as `budget`. */
class BudgetSpent extends Error {}

class Crawl {
  private readonly o: typeof DEFAULTS & CrawlOptions;
  private readonly ua: string;
  private readonly uaToken: string;
  private readonly client: HttpClient;
  private readonly renderer?: PageRenderer;
  private readonly control = new AbortController();
  private readonly frontier: Frontier;
  private readonly ledger = new CrawlLedger();
  /** Every normalised URL met (queued, fetched or skipped): each is considered once. */
  private readonly seen = new Set<string>();
  private readonly robots = new Map<string, Promise<RobotsRules>>();
  /** Site keys of the crawled site: the start URL's, and where the start URL redirected. */
  private readonly sites = new Set<string>();
  private active = 0;
  private stopReason?: string;

  constructor(private readonly startUrl: string, options: CrawlOptions) {
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.o = { ...DEFAULTS, ...given } as typeof DEFAULTS & CrawlOptions;
    this.ua = this.o.userAgent ?? DEFAULT_USER_AGENT;
    this.uaToken = userAgentToken(this.ua);
    this.renderer = this.o.renderer;
    this.client = new HttpClient(new AddressGuard(this.o), this.ua);
    this.frontier = new Frontier(this.o.perHostConcurrency);
  }

  async run(): Promise<CrawlResult> {
    const user = this.o.signal;
    user?.throwIfAborted();
    const onAbort = () => this.control.abort(user!.reason);
    user?.addEventListener('abort', onAbort, { once: true });
    const budget = setTimeout(() => {
      this.stop(`time budget of ${this.o.timeBudgetMs} ms spent`);
      this.control.abort(new BudgetSpent());
    }, this.o.timeBudgetMs);
    try {
      const start = normaliseUrl(this.startUrl, undefined, { keepHashRoutes: !!this.renderer });
      if (!start) {
        this.ledger.skip(this.startUrl, 'invalid_url', 'not an http(s) URL');
        return this.ledger.result(this.startUrl);
      }
      this.sites.add(siteKey(start));
      this.seen.add(start);
      // Through the frontier like every URL, so Crawl-delay counts from this first request.
      this.frontier.push({ url: start, depth: 0, render: isHashRoute(start) });
      const first = this.frontier.take();
      if ('item' in first) {
        await this.visit(first.item);
        this.frontier.finish(first.item);
      }
      user?.throwIfAborted();
      if (this.ledger.pages.length === 0) return this.ledger.result(this.startUrl); // the caller decides what a dead start means
      const sitemap = this.sitemapUrls(start).then((urls) => {
        for (const url of urls) this.enqueue(url, 1, 'sitemap.xml');
      });
      await this.drainQueue(sitemap);
      return this.ledger.result(this.startUrl);
    } finally {
      clearTimeout(budget);
      user?.removeEventListener('abort', onAbort);
      this.client.close();
    }
  }

  /** Runs the frontier until it is empty (sitemap included) or the crawl stops. */
  private drainQueue(sitemap: Promise<void>): Promise<void> {
    let sitemapDone = false;
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const pump = () => {
        clearTimeout(timer);
        if (this.o.signal?.aborted) {
          if (this.active === 0) reject(this.o.signal.reason);
          return;
        }
        if (this.ledger.pages.length >= this.o.maxPages) this.stop(`maxPages ${this.o.maxPages} reached`);
        while (!this.stopReason && this.active < this.o.concurrency && this.ledger.pages.length + this.active < this.o.maxPages) {
          const next = this.frontier.take();
          if ('waitMs' in next) {
            if (Number.isFinite(next.waitMs)) timer = setTimeout(pump, next.waitMs);
            break;
          }
          this.active++;
          void this.visit(next.item).finally(() => {
            this.active--;
            this.frontier.finish(next.item);
            pump();
          });
        }
        if (this.active === 0 && (this.stopReason || (this.frontier.size === 0 && sitemapDone))) {
          for (const item of this.frontier.drain()) this.ledger.skip(item.url, 'budget', this.stopReason);
          resolve();
        }
      };
      sitemap.catch(() => undefined).finally(() => {
        sitemapDone = true;
        pump();
      });
      this.control.signal.addEventListener('abort', pump, { once: true });
      pump();
    });
  }

  /** One URL: robots, fetch, maybe render, keep or skip. Never rejects except on a user abort. */
  private async visit(item: QueueItem): Promise<void> {
    try {
      const rules = await this.robotsFor(item.url);
      const refusal = rules.refusal(item.url);
      if (refusal) return this.ledger.skip(item.url, refusal.reason, refusal.detail);
      if (item.render) await this.renderRoute(item);
      else await this.fetchPage(item);
    } catch (err) {
      if (this.o.signal?.aborted) return; // drainQueue rejects once work in flight settles
      if (err instanceof BudgetSpent || this.control.signal.aborted) this.ledger.skip(item.url, 'budget', this.stopReason);
      else this.ledger.skip(item.url, 'network_error', `unexpected: ${(err as Error)?.message ?? String(err)}`);
    } finally {
      this.o.onProgress?.({ fetched: this.ledger.pages.length, queued: this.frontier.size + Math.max(0, this.active - 1), url: item.url });
    }
  }

  private async fetchPage(item: QueueItem): Promise<void> {
    const res = await this.client.fetch({
      url: withoutHash(item.url),
      maxBytes: this.o.maxPageBytes,
      timeoutMs: this.o.pageTimeoutMs,
      maxRedirects: MAX_REDIRECTS,
      signal: this.control.signal,
      // The start URL may redirect to another domain (apex → hosted site builder): that becomes the site.
      beforeRedirect: async (next) => {
        if (item.depth > 0 && !this.onSite(next)) return { reason: 'off_site', detail: `redirected to ${next}` };
        const known = normaliseUrl(next, undefined, { keepHashRoutes: false });
        if (known && known !== item.url && this.seen.has(known)) return { reason: 'budget', detail: `redirects to ${known}, crawled on its own`, duplicate: true };
        return (await this.robotsFor(next)).refusal(next);
      },
      acceptResponse: (status, headers) => acceptable(status, String(headers['content-type'] ?? '')),
    });
    if (!res.ok && res.duplicate) return void this.ledger.duplicates++;
    if (!res.ok) return this.ledger.skip(item.url, res.reason, res.detail);
    if (item.depth === 0) this.sites.add(siteKey(res.finalUrl));
    const finalUrl = normaliseUrl(res.finalUrl, undefined, { keepHashRoutes: false }) ?? res.finalUrl;
    if (finalUrl !== item.url && this.ledger.hasPage(finalUrl)) return void this.ledger.duplicates++; // redirect to a page we have
    this.seen.add(finalUrl);
    if (!this.countBytes(res.body.length)) return this.ledger.skip(item.url, 'budget', this.stopReason);
    if (!this.ledger.firstContent(res.body)) return;

    if (PDF_TYPE.test(res.contentType)) {
      const pdf = await pdfToText(res.body).catch((err: Error) => ({ error: err.message }));
      if ('error' in pdf) return this.ledger.skip(item.url, 'not_html', `unreadable PDF: ${pdf.error}`);
      return this.ledger.keep({ url: item.url, finalUrl: res.finalUrl, status: res.status, contentType: res.contentType, text: pdf.text, rendered: false, depth: item.depth, bytes: res.body.length });
    }
    if (!res.contentType && !/^\s*</.test(res.body.subarray(0, 512).toString('latin1').replace(/^\xef\xbb\xbf/, ''))) {
      return this.ledger.skip(item.url, 'not_html', 'no Content-Type, and not markup');
    }
    if (looksBinary(res.body, res.contentType)) return this.ledger.skip(item.url, 'not_html', `binary content, not HTML (served as ${res.contentType || 'no type'})`);
    await this.keepHtml(item, res, decodeHtml(res.body, res.contentType));
  }

  private async keepHtml(item: QueueItem, res: FetchSuccess, staticHtml: string): Promise<void> {
    if (tooDeep(staticHtml)) return this.ledger.skip(item.url, 'not_html', TOO_DEEP);
    const header = headerRobots(res.headers['x-robots-tag'], this.uaToken);
    let analysis = analyseHtml(staticHtml, res.finalUrl, this.uaToken);
    let links = analysis.links;
    const page: CrawledPage = { url: item.url, finalUrl: res.finalUrl, status: res.status, contentType: res.contentType, html: staticHtml, rendered: false, depth: item.depth, bytes: res.body.length };
    if (this.renderer && (this.o.renderMode === 'always' || analysis.needsBrowser) && !analysis.noindex && !header.noindex) {
      try {
        const out = await this.renderer.render(item.url, this.renderOptions());
        if (tooDeep(out.html)) return this.ledger.skip(item.url, 'not_html', TOO_DEEP); // a script can build any depth
        analysis = analyseHtml(out.html, out.finalUrl, this.uaToken);
        links = [...links, ...analysis.links];
        Object.assign(page, { html: out.html, finalUrl: out.finalUrl, rendered: true });
      } catch (err) {
        if (this.control.signal.aborted) throw err;
        page.renderError = `${(err as { reason?: string }).reason ?? 'error'}: ${(err as Error).message}`; // keep the static HTML
      }
    }
    if (analysis.noindex || header.noindex) return this.ledger.skip(item.url, 'robots', 'noindex');
    this.ledger.keep(page);
    if (!analysis.nofollow && !header.nofollow) for (const link of links) this.enqueue(link, item.depth + 1, item.url);
  }

  /** A hash route (`/#/about`): only Chromium can show it, so no static fetch. */
  private async renderRoute(item: QueueItem): Promise<void> {
    if (!this.renderer) return this.ledger.skip(item.url, 'not_html', 'hash route, and no browser to render it');
    let out: { html: string; finalUrl: string; status: number };
    try {
      out = await this.renderer.render(item.url, this.renderOptions());
    } catch (err) {
      if (this.control.signal.aborted) throw err;
      const reason = (err as { reason?: SkipReason }).reason ?? 'network_error';
      return this.ledger.skip(item.url, reason, (err as Error).message);
    }
    if (out.status >= 400) return this.ledger.skip(item.url, 'http_error', `HTTP ${out.status}`);
    const bytes = Buffer.byteLength(out.html);
    if (!this.countBytes(bytes)) return this.ledger.skip(item.url, 'budget', this.stopReason);
    if (!this.ledger.firstContent(out.html)) return; // a route the app does not know renders home
    if (tooDeep(out.html)) return this.ledger.skip(item.url, 'not_html', TOO_DEEP);
    const analysis = analyseHtml(out.html, out.finalUrl, this.uaToken);
    if (analysis.noindex) return this.ledger.skip(item.url, 'robots', 'noindex');
    this.ledger.keep({ url: item.url, finalUrl: out.finalUrl, status: out.status, contentType: 'text/html', html: out.html, rendered: true, depth: item.depth, bytes });
    if (!analysis.nofollow) for (const link of analysis.links) this.enqueue(link, item.depth + 1, item.url);
  }

  private renderOptions() {
    return { timeoutMs: this.o.pageTimeoutMs, allowPrivate: this.o.allowPrivate, signal: this.control.signal, resolve: this.o.resolve, allowAddresses: this.o.allowAddresses };
  }

  private enqueue(link: string, depth: number, from: string): void {
    if (depth > this.o.maxDepth) return; // not marked seen: it may turn up again closer to the start
    const url = normaliseUrl(link, undefined, { keepHashRoutes: !!this.renderer });
    if (!url || this.seen.has(url)) return;
    this.seen.add(url);
    if (!this.onSite(url)) return this.ledger.skip(url, 'off_site', `linked from ${from}`);
    if (looksLikeFile(url)) return this.ledger.skip(url, 'not_html', `a file link (from ${from}), not fetched`);
    this.frontier.push({ url, depth, render: isHashRoute(url) });
  }

  private async sitemapUrls(start: string): Promise<string[]> {
    const origins = [...new Set([originOf(start), ...this.ledger.pages.map((p) => originOf(p.finalUrl))])];
    const candidates: string[] = [];
    for (const origin of origins) candidates.push(...(await this.robotsFor(origin)).sitemaps, `${origin}/sitemap.xml`);
    const found = await collectSitemapUrls(candidates, this.client, {
      timeoutMs: this.o.pageTimeoutMs,
      maxUrls: Math.max(100, this.o.maxPages * 2),
      signal: this.control.signal,
      isOnSite: (url) => this.onSite(url),
      isAllowed: async (url) => (await this.robotsFor(url)).refusal(url) === null,
      onOffSite: (url, detail) => this.ledger.skip(url, 'off_site', detail),
    });
    return found.urls;
  }

  private robotsFor(url: string): Promise<RobotsRules> {
    const origin = originOf(url);
    let rules = this.robots.get(origin);
    if (!rules) {
      rules = loadRobots(origin, this.client, { userAgentToken: this.uaToken, timeoutMs: this.o.pageTimeoutMs, maxCrawlDelayMs: this.o.maxCrawlDelayMs, signal: this.control.signal });
      rules.then((r) => this.frontier.setRobots(hostOf(url), r.crawlDelayMs), () => this.robots.delete(origin));
      this.robots.set(origin, rules);
    }
    return rules;
  }

  private onSite(url: string): boolean {
    try {
      return this.sites.has(siteKey(url));
    } catch {
      return false;
    }
  }

  /** False (and the crawl stops) when the byte budget is spent. */
  private countBytes(n: number): boolean {
    if (this.ledger.addBytes(n, this.o.maxTotalBytes)) return true;
    this.stop(`maxTotalBytes ${this.o.maxTotalBytes} reached`);
    return false;
  }

  private stop(reason: string): void {
    this.stopReason ??= reason;
  }
}

/** Markup nested past what parsers handle in reasonable time (see MAX_MARKUP_DEPTH): never parsed. */
const tooDeep = (html: string) => markupDepth(html, MAX_MARKUP_DEPTH) > MAX_MARKUP_DEPTH;
const TOO_DEEP = `malformed HTML: elements nested more than ${MAX_MARKUP_DEPTH} deep`;

/** Status and Content-Type decide before the body is downloaded. A missing type is sniffed later as HTML. */
function acceptable(status: number, contentType: string): Refusal | null {
  if (status < 200 || status >= 300) return { reason: 'http_error', detail: `HTTP ${status}` };
  const type = contentType.trim().toLowerCase();
  if (type === '' || HTML_TYPE.test(type) || PDF_TYPE.test(type)) return null;
  return { reason: 'not_html', detail: `Content-Type ${type}` };
}
