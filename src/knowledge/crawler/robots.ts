/**
 * robots.txt, per origin (RFC 9309 §2.3: rules apply to one scheme, host and port).
 *
 * How a failed fetch is read, per RFC 9309 §2.3.1:
 * - 2xx: parsed (the first 512 KiB; the RFC asks for at least 500 KiB).
 * - 4xx (404, 401, 403, 429…) "unavailable": no rules, everything allowed.
 * - 5xx "unreachable": everything disallowed for this crawl (the RFC allows the crawler to fall
 *   back to "allow" only after 30 days of errors, which a one-off crawl never reaches).
 * - network failures (refused, DNS, timeout, TLS, a private address): also unreachable, so
 *   disallowed; pages of that origin are then recorded under the fetch failure's own reason
 *   (`network_error`, `private_address`…), which tells the owner what is actually wrong.
 * - redirects are followed (up to 5, RFC: at least 5), even to another host, each hop guarded;
 *   more, a loop, or a non-text answer larger than 512 KiB count as unavailable.
 */
import robotsParserModule from 'robots-parser';
import type { SkipReason } from './crawl-types.js';
import type { HttpClient } from './http-client.js';
import { withoutHash } from './url-policy.js';

const ROBOTS_MAX_BYTES = 512 * 1024;

// robots-parser is CommonJS (`module.exports = fn`) while its typings declare a default export:
// take the function whichever way the loader hands it over.
type RobotsParser = (url: string, contents: string) => ReturnType<typeof robotsParserModule.default>;
const robotsParser: RobotsParser =
  typeof robotsParserModule === 'function' ? (robotsParserModule as RobotsParser) : robotsParserModule.default;

export interface RobotsRules {
  origin: string;
  /** null: allowed; otherwise why not. */
  refusal(url: string): { reason: SkipReason; detail: string } | null;
  /** Crawl-delay for our agent (or `*`), clamped to the cap; 0 when none. */
  crawlDelayMs: number;
  sitemaps: string[];
  /** How the fetch went, for logs and stats. */
  status: 'parsed' | 'unavailable' | 'unreachable';
}

export async function loadRobots(
  origin: string,
  client: HttpClient,
  opts: { userAgentToken: string; timeoutMs: number; maxCrawlDelayMs: number; signal?: AbortSignal },
): Promise<RobotsRules> {
  const robotsUrl = `${origin}/robots.txt`;
  const res = await client.fetch({ url: robotsUrl, maxBytes: ROBOTS_MAX_BYTES, timeoutMs: opts.timeoutMs, maxRedirects: 5, signal: opts.signal, headers: { accept: 'text/plain,*/*;q=0.5' } });

  if (!res.ok && ['too_large', 'redirect_loop', 'too_many_redirects', 'invalid_url'].includes(res.reason)) {
    // Not a robots.txt at all (an HTML catch-all page, a redirect maze): RFC 9309 §2.3.1.2 lets
    // the crawler treat it as unavailable, i.e. no rules.
    return allowAll(origin, 'unavailable');
  }
  if (!res.ok) {
    const why = { reason: res.reason, detail: `robots.txt could not be fetched (${res.reason}: ${res.detail})` };
    return { origin, refusal: () => why, crawlDelayMs: 0, sitemaps: [], status: 'unreachable' };
  }
  if (res.status >= 500) {
    const why = { reason: 'robots' as const, detail: `robots.txt answered ${res.status}: RFC 9309 treats the whole site as disallowed` };
    return { origin, refusal: () => why, crawlDelayMs: 0, sitemaps: [], status: 'unreachable' };
  }
  if (res.status >= 400 || res.status < 200 || res.status >= 300) return allowAll(origin, 'unavailable');

  const text = res.body.toString('utf8');
  const robots = robotsParser(robotsUrl, text);
  const delaySeconds = Number(robots.getCrawlDelay(opts.userAgentToken) ?? 0);
  const crawlDelayMs = Number.isFinite(delaySeconds) && delaySeconds > 0 ? Math.min(delaySeconds * 1000, opts.maxCrawlDelayMs) : 0;
  return {
    origin,
    status: 'parsed',
    crawlDelayMs,
    sitemaps: robots.getSitemaps(),
    refusal(url) {
      // robots-parser answers undefined for URLs of another origin; callers ask per origin.
      const allowed = robots.isAllowed(withoutHash(url), opts.userAgentToken);
      if (allowed === false) {
        const line = robots.getMatchingLineNumber(withoutHash(url), opts.userAgentToken);
        return { reason: 'robots', detail: `disallowed by robots.txt${line > 0 ? ` line ${line}` : ''}` };
      }
      return null;
    },
  };
}

function allowAll(origin: string, status: RobotsRules['status']): RobotsRules {
  return { origin, refusal: () => null, crawlDelayMs: 0, sitemaps: [], status };
}
