/** A page the crawler fetched (or rendered) and kept. */
export interface CrawledPage {
  /** The normalised URL the page is known by (hash routes of single-page apps included). */
  url: string;
  /** Where the last redirect landed. */
  finalUrl: string;
  status: number;
  contentType: string;
  /** HTML as fetched, or as rendered by Chromium when `rendered`. Absent for PDFs. */
  html?: string;
  /** Plain text, for documents that are not HTML (PDFs). */
  text?: string;
  rendered: boolean;
  depth: number;
  bytes: number;
  /** Set when the page looked JavaScript-rendered but Chromium failed: `html` is the static HTML. */
  renderError?: string;
}

export type SkipReason =
  | 'robots'
  | 'off_site'
  | 'private_address'
  | 'http_error'
  | 'timeout'
  | 'too_large'
  | 'not_html'
  | 'redirect_loop'
  | 'too_many_redirects'
  | 'tls_error'
  | 'network_error'
  | 'budget'
  /** Not a URL, or a scheme other than http(s) (a start URL, or a redirect to one). */
  | 'invalid_url';

export interface SkippedUrl {
  url: string;
  reason: SkipReason;
  detail?: string;
}

export interface CrawlStats {
  pagesFetched: number;
  pagesRendered: number;
  pagesSkipped: number;
  bytes: number;
  durationMs: number;
  /** URLs fetched whose content was identical to a page already kept (e.g. `?service=x` variants). */
  duplicates?: number;
}

export interface CrawlResult {
  startUrl: string;
  pages: CrawledPage[];
  skipped: SkippedUrl[];
  stats: CrawlStats;
}

/** Resolves a host name to addresses; the default is dns.lookup. Tests inject their own. */
export type ResolveHost = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export interface CrawlOptions {
  /** Allow loopback and private addresses (tests, intranets). Off by default: CRAWL_ALLOW_PRIVATE. */
  allowPrivate: boolean;
  maxPages?: number; // default 50
  maxDepth?: number; // default 4
  maxPageBytes?: number; // default 5 MB
  maxTotalBytes?: number; // default 50 MB
  timeBudgetMs?: number; // default 90 s
  pageTimeoutMs?: number; // default 10 s
  concurrency?: number; // default 4
  /** Requests in flight to one host at a time; default 2 (1 while robots.txt sets a Crawl-delay). */
  perHostConcurrency?: number;
  /** Longest robots.txt Crawl-delay honoured; longer ones are clamped to it. Default 5 s. */
  maxCrawlDelayMs?: number;
  /** Chromium for JavaScript-rendered pages; without it, static fetches only. */
  renderer?: PageRenderer;
  /** `auto` (default) renders only pages that look JavaScript-rendered; `always` renders every HTML page. */
  renderMode?: 'auto' | 'always';
  userAgent?: string;
  signal?: AbortSignal;
  onProgress?: (progress: { fetched: number; queued: number; url: string }) => void;
  /** Host name resolution (default dns.lookup); every answer still passes the address guard. */
  resolve?: ResolveHost;
  /** Addresses exempt from the private-address guard (one intranet host), exact IPs. */
  allowAddresses?: string[];
}

export interface RenderOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  signal?: AbortSignal;
  /** As in CrawlOptions: the guard applies to every request the page makes. */
  resolve?: ResolveHost;
  allowAddresses?: string[];
}

/** Renders a page in a real browser (one shared Chromium, pages in parallel within a bound). */
export interface PageRenderer {
  render(url: string, options: RenderOptions): Promise<{ html: string; finalUrl: string; status: number }>;
  close(): Promise<void>;
}
