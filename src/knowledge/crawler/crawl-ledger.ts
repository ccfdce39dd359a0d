/**
 * What a crawl has kept and skipped, and the counts behind its stats. Each URL is recorded once
 * (the first verdict wins), and a page whose bytes equal a kept page's is a duplicate, not a page.
 */
import { createHash } from 'node:crypto';
import type { CrawlResult, CrawledPage, SkipReason, SkippedUrl } from './crawl-types.js';

export class CrawlLedger {
  readonly pages: CrawledPage[] = [];
  private readonly pageUrls = new Set<string>();
  private readonly skipped = new Map<string, SkippedUrl>();
  private readonly hashes = new Set<string>();
  private readonly started = Date.now();
  duplicates = 0;
  bytes = 0;
  rendered = 0;

  hasPage(url: string): boolean {
    return this.pageUrls.has(url);
  }

  keep(page: CrawledPage): void {
    if (this.pageUrls.has(page.url)) return;
    this.pageUrls.add(page.url);
    this.pages.push(page);
    if (page.rendered) this.rendered++;
  }

  skip(url: string, reason: SkipReason, detail?: string): void {
    if (!this.skipped.has(url)) this.skipped.set(url, detail ? { url, reason, detail } : { url, reason });
  }

  /** False for content identical to a page already kept (aliases, `?service=x` variants). */
  firstContent(body: Buffer | string): boolean {
    const hash = createHash('sha256').update(body).digest('hex');
    if (this.hashes.has(hash)) {
      this.duplicates++;
      return false;
    }
    this.hashes.add(hash);
    return true;
  }

  /** Adds to the byte count unless that would pass `max`; false then. */
  addBytes(n: number, max: number): boolean {
    if (this.bytes + n > max) return false;
    this.bytes += n;
    return true;
  }

  result(startUrl: string): CrawlResult {
    const skipped = [...this.skipped.values()];
    return {
      startUrl,
      pages: this.pages,
      skipped,
      stats: {
        pagesFetched: this.pages.length,
        pagesRendered: this.rendered,
        pagesSkipped: skipped.length,
        bytes: this.bytes,
        durationMs: Date.now() - this.started,
        duplicates: this.duplicates,
      },
    };
  }
}
