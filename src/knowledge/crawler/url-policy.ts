/**
 * URL policy: one canonical spelling per page (so a page is fetched once), and what counts as
 * "the same site" (so the crawler stays on the business's own website).
 */
import { getDomain } from 'tldts';
import ipaddr from 'ipaddr.js';

/** Query parameters that only track a click; they never change what a page says. */
const TRACKING_PARAMS = new Set([
  'fbclid', 'gclid', 'gclsrc', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'yclid', 'twclid', 'ttclid',
  'igshid', 'mc_cid', 'mc_eid', '_ga', '_gl', '_hsenc', '_hsmi', 'mkt_tok', 'oly_anon_id', 'oly_enc_id',
  'vero_id', 'srsltid',
]);
const TRACKING_PREFIXES = ['utm_', 'pk_', 'mtm_'];

/**
 * A directory index is served at the directory URL by every mainstream server and static host, so
 * `/about/index.html` is spelled `/about/`. Without this the home page (linked as both `/` and
 * `index.html` on most small sites) would be crawled twice. Content-hash de-duplication in the
 * crawler catches the rarer aliases this misses.
 */
const DIRECTORY_INDEX = /\/index\.html?$/i;

/** `#/about` and `#!/about`: client-side routes of a single-page app, i.e. distinct pages. */
const HASH_ROUTE = /^#!?\/./;

/** Links to these are files, not pages: skipped without a request. */
const NON_PAGE_EXTENSION =
  /\.(?:jpe?g|png|gif|webp|avif|svg|ico|bmp|tiff?|css|js|mjs|map|json|xml|rss|atom|txt|csv|zip|gz|tgz|rar|7z|tar|dmg|exe|msi|apk|iso|mp3|wav|ogg|m4a|flac|mp4|m4v|mov|avi|wmv|webm|mkv|woff2?|ttf|otf|eot|docx?|xlsx?|pptx?|ics|vcf)$/i;

export interface NormaliseOptions {
  /** Keep `#/route` fragments (default true). Off when no browser can render them. */
  keepHashRoutes?: boolean;
}

/**
 * The canonical form of an http(s) URL, or null for anything else (mailto:, tel:, javascript:,
 * unparsable). Lower-case host without a trailing dot, no default port, no credentials, no
 * tracking parameters, remaining parameters sorted, no `index.html`, no fragment unless it is a
 * hash route.
 */
export function normaliseUrl(raw: string, base?: string | URL, options: NormaliseOptions = {}): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim(), base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  // WHATWG URL already lower-cases the host, drops default ports and resolves dot segments.
  if (url.hostname.endsWith('.')) url.hostname = url.hostname.replace(/\.+$/, '');
  if (!url.hostname) return null;
  url.username = '';
  url.password = '';
  url.pathname = url.pathname.replace(DIRECTORY_INDEX, '/');

  const params = [...url.searchParams].filter(([key]) => !isTrackingParam(key));
  params.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  url.search = params.length ? new URLSearchParams(params).toString() : '';

  const keepHash = (options.keepHashRoutes ?? true) && HASH_ROUTE.test(url.hash);
  url.hash = keepHash ? url.hash : '';
  return url.href;
}

function isTrackingParam(key: string): boolean {
  const k = key.toLowerCase();
  return TRACKING_PARAMS.has(k) || TRACKING_PREFIXES.some((p) => k.startsWith(p));
}

export function isHashRoute(url: string): boolean {
  const i = url.indexOf('#');
  return i >= 0 && HASH_ROUTE.test(url.slice(i));
}

/** The URL without its fragment: what goes over the wire (and what robots.txt rules see). */
export function withoutHash(url: string): string {
  const i = url.indexOf('#');
  return i >= 0 ? url.slice(0, i) : url;
}

/** `scheme://host[:port]`: robots.txt and politeness are per origin (RFC 9309 §2.3). */
export function originOf(url: string): string {
  return new URL(url).origin;
}

export function looksLikeFile(url: string): boolean {
  try {
    return NON_PAGE_EXTENSION.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

/** A bare IP host, brackets removed for IPv6; null for names. */
export function ipLiteral(hostname: string): string | null {
  const h = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(h) ? h : null;
}

/**
 * What "the same site" is keyed on: the registrable domain (www.example.com and example.com are
 * one site; private PSL suffixes such as github.io count, so two GitHub Pages sites are not one).
 * Hosts without one (IP addresses, localhost, intranet names) are keyed on host and port exactly,
 * so two local fixture servers on 127.0.0.1 are two sites.
 */
export function siteKey(url: string | URL): string {
  const u = typeof url === 'string' ? new URL(url) : url;
  const host = u.hostname;
  const domain = ipLiteral(host) ? null : getDomain(host, { allowPrivateDomains: true });
  if (domain) return domain;
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return `${host}:${port}`;
}

export function isSameSite(a: string | URL, b: string | URL): boolean {
  try {
    return siteKey(a) === siteKey(b);
  } catch {
    return false;
  }
}
