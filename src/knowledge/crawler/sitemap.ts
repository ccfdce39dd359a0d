/**
 * sitemap.xml: extra page URLs the links may not reach. Sources are robots.txt `Sitemap:` lines
 * and /sitemap.xml. Sitemap indexes are followed (bounded), gzipped sitemaps are inflated, and
 * plain-text sitemaps (one URL a line) are read too. URLs on another site are dropped: a site
 * served from a staging host often lists its production domain, which is not the site we crawl.
 */
import zlib from 'node:zlib';
import * as cheerio from 'cheerio';
import type { HttpClient } from './http-client.js';

const SITEMAP_MAX_BYTES = 10 * 1024 * 1024;
/** Sitemap documents read per crawl, index children included. */
const MAX_SITEMAPS = 10;

export interface SitemapOptions {
  timeoutMs: number;
  /** Stop once this many page URLs were collected. */
  maxUrls: number;
  signal?: AbortSignal;
  /** Whether a URL (a page or a child sitemap) belongs to the crawled site. */
  isOnSite(url: string): boolean;
  /** robots.txt may forbid a sitemap location too. */
  isAllowed(url: string): Promise<boolean>;
  onOffSite(url: string, detail: string): void;
}

export interface SitemapResult {
  urls: string[];
  /** Sitemaps read, and those that failed with why: for logs and tests. */
  read: string[];
  failed: Array<{ url: string; detail: string }>;
}

export async function collectSitemapUrls(candidates: string[], client: HttpClient, opts: SitemapOptions): Promise<SitemapResult> {
  const queue = [...new Set(candidates)];
  const seen = new Set<string>();
  const urls = new Set<string>();
  const result: SitemapResult = { urls: [], read: [], failed: [] };

  while (queue.length && result.read.length + result.failed.length < MAX_SITEMAPS && urls.size < opts.maxUrls) {
    const sitemapUrl = queue.shift()!;
    if (seen.has(sitemapUrl)) continue;
    seen.add(sitemapUrl);
    if (!opts.isOnSite(sitemapUrl)) {
      opts.onOffSite(sitemapUrl, 'sitemap on another site');
      continue;
    }
    if (!(await opts.isAllowed(sitemapUrl))) {
      result.failed.push({ url: sitemapUrl, detail: 'disallowed by robots.txt' });
      continue;
    }
    const res = await client.fetch({
      url: sitemapUrl,
      maxBytes: SITEMAP_MAX_BYTES,
      timeoutMs: opts.timeoutMs,
      maxRedirects: 5,
      signal: opts.signal,
      headers: { accept: 'application/xml,text/xml,text/plain,*/*;q=0.5' },
      beforeRedirect: (next) => (opts.isOnSite(next) ? null : { reason: 'off_site', detail: 'sitemap redirected off-site' }),
    });
    if (!res.ok || res.status < 200 || res.status >= 300) {
      result.failed.push({ url: sitemapUrl, detail: res.ok ? `HTTP ${res.status}` : `${res.reason}: ${res.detail}` });
      continue;
    }
    result.read.push(sitemapUrl);
    const { pages, sitemaps } = parseSitemap(inflate(res.body));
    for (const child of sitemaps) if (!seen.has(child)) queue.push(child);
    for (const page of pages) {
      if (urls.size >= opts.maxUrls) break;
      if (opts.isOnSite(page)) urls.add(page);
      else opts.onOffSite(page, 'listed in sitemap, on another site');
    }
  }
  result.urls = [...urls];
  return result;
}

function inflate(body: Buffer): string {
  if (body[0] === 0x1f && body[1] === 0x8b) {
    try {
      return zlib.gunzipSync(body, { maxOutputLength: SITEMAP_MAX_BYTES }).toString('utf8');
    } catch {
      return '';
    }
  }
  return body.toString('utf8');
}

/** Page URLs of a <urlset>, child sitemaps of a <sitemapindex>, or the lines of a text sitemap. */
export function parseSitemap(text: string): { pages: string[]; sitemaps: string[] } {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('<')) {
    const pages = trimmed
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => /^https?:\/\//i.test(l));
    return { pages, sitemaps: [] };
  }
  const $ = cheerio.load(text, { xml: true });
  const locs = (selector: string) =>
    $(selector)
      .toArray()
      .map((el) => $(el).text().trim())
      .filter((u) => /^https?:\/\//i.test(u));
  return { pages: locs('url > loc'), sitemaps: locs('sitemap > loc') };
}
