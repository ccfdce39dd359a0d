/**
 * The crawler against real local HTTP servers: the three fixture websites, a site full of edge
 * cases (robots.txt, loops, a 10 MB page, a page that never answers, redirect loops, non-HTML),
 * politeness, budgets and abort, and the address guard with allowPrivate off.
 */
import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlSite, type CrawlResult, type ResolveHost } from '../src/knowledge/crawler/index.js';
import { serveSite, type Handler, type TestSite } from './helpers/static-site-server.js';

const SITES = fileURLToPath(new URL('../../shared/fixtures/sites/', import.meta.url));

const paths = (r: CrawlResult, origin: string) => r.pages.map((p) => p.url.replace(origin, '')).sort();
const reasonOf = (r: CrawlResult, url: string) => r.skipped.find((s) => s.url === url)?.reason;

const html = (body: string) => (_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><body>${body}<p>${'Plenty of ordinary words on an ordinary page. '.repeat(6)}</p></body></html>`);
};
const redirect = (to: string, status = 302): Handler => (_req, res) => {
  res.writeHead(status, { location: to });
  res.end();
};

describe('fixture websites', () => {
  it('flowmaster-plumbing: all 7 pages, the home page once (/ and index.html are one page)', async () => {
    const site = await serveSite(SITES + 'flowmaster-plumbing');
    try {
      const r = await crawlSite(site.origin + '/', { allowPrivate: true });
      expect(paths(r, site.origin)).toEqual(['/', '/about.html', '/contact.html', '/cookies.html', '/privacy.html', '/services.html', '/terms.html']);
      expect(r.pages.every((p) => p.status === 200 && !p.rendered && p.html!.includes('</html>'))).toBe(true);
      expect(r.pages[0]).toMatchObject({ url: site.origin + '/', depth: 0 });
      expect(r.stats.pagesFetched).toBe(7);
      expect(site.requests.filter((p) => p === '/index.html')).toEqual([]);
    } finally {
      await site.close();
    }
  });

  it('wisdom-bites-dental: the 8 pages links reach; production sitemap URLs off-site; broken links recorded', async () => {
    const site = await serveSite(SITES + 'wisdom-bites-dental');
    try {
      const r = await crawlSite(site.origin + '/', { allowPrivate: true });
      // Of its 10 HTML files, directions.html and booking-success.html.html are linked from no reachable page.
      expect(paths(r, site.origin)).toEqual([
        '/', '/about.html', '/booking.html', '/contact.html', '/faq.html',
        '/services/cosmetic-dentistry.html', '/services/emergency-care.html', '/services/general-dentistry.html',
      ]);
      expect(site.requests).toContain('/robots.txt');
      expect(site.requests).toContain('/sitemap.xml');
      // robots.txt names the production sitemap, and the local sitemap lists production URLs: another site.
      expect(reasonOf(r, 'https://www.wisdombites-dental.com/sitemap.xml')).toBe('off_site');
      expect(reasonOf(r, 'https://www.wisdombites-dental.com/privacy-policy.html')).toBe('off_site');
      expect(site.requests.some((p) => p.includes('wisdombites'))).toBe(false);
      // faq.html links services pages relative to the root: a broken link, recorded, not fatal.
      expect(r.skipped.find((s) => s.url === `${site.origin}/cosmetic-dentistry.html`)).toMatchObject({ reason: 'http_error', detail: 'HTTP 404' });
      expect(reasonOf(r, 'https://facebook.com/')).toBe('off_site');
      // booking.html?service=x variants serve the same bytes: fetched, recognised, not kept twice.
      expect(r.stats.duplicates).toBeGreaterThan(0);
    } finally {
      await site.close();
    }
  });

  it('business-casual-coffee: 4 pages', async () => {
    const site = await serveSite(SITES + 'business-casual-coffee');
    try {
      const r = await crawlSite(site.origin, { allowPrivate: true });
      expect(paths(r, site.origin)).toEqual(['/', '/about.html', '/products.html', '/store.html']);
      expect(r.skipped).toEqual([]);
    } finally {
      await site.close();
    }
  });

  it('follows a home page that redirects to its own index.html (not a loop, not a duplicate)', async () => {
    const site = await serveSite(null, {
      routes: {
        '/': redirect('/index.html'),
        '/index.html': html('<a href="index.html">home</a> <a href="/about.html">about</a>'),
        '/about.html': html('<a href="/">home</a> about us'),
      },
    });
    try {
      const r = await crawlSite(site.origin + '/', { allowPrivate: true });
      expect(paths(r, site.origin)).toEqual(['/', '/about.html']);
      expect(r.pages[0]!.finalUrl).toBe(`${site.origin}/index.html`);
      expect(r.skipped).toEqual([]);
    } finally {
      await site.close();
    }
  });

  it('stops at maxPages and records what was left as budget; onProgress after each URL', async () => {
    const site = await serveSite(SITES + 'flowmaster-plumbing');
    try {
      const seen: string[] = [];
      const r = await crawlSite(site.origin + '/', { allowPrivate: true, maxPages: 3, onProgress: (p) => seen.push(p.url) });
      expect(r.pages).toHaveLength(3);
      expect(r.skipped.filter((s) => s.reason === 'budget').length).toBe(4);
      expect(r.skipped[0]!.detail).toMatch(/maxPages 3/);
      expect(seen).toHaveLength(3);
    } finally {
      await site.close();
    }
  });
});

describe('edge cases', () => {
  let site: TestSite;
  let result: CrawlResult;
  let bigWritten = 0;
  let bigClosedEarly = false;
  // A PDF with one line of text, made by hand (unpdf reads it offline).
  const pdf = makePdf('Price list: drain cleaning costs 95 dollars');

  beforeAll(async () => {
    const links = [
      '/a.html', '/index.html', '/?utm_source=newsletter&fbclid=abc', '/a.html#section', '/private/secret.html', '/bot-only.html',
      'http://other.example/page', 'http://localhost:PORT/', '/loop/a', '/deep/1', '/big-stream', '/big-declared', '/hang',
      '/redirect-loop/a', '/redirect-chain/0', '/redirect-to-a', '/download', '/feed', '/picture.jpg', '/error-500', '/doc.pdf',
      'https://127.0.0.1:PORT/secure', 'mailto:owner@example.com', 'tel:+15550100', '/gzipped.html',
    ];
    const routes: Record<string, Handler> = {
      '/robots.txt': (_q, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(
          'User-agent: *\nDisallow: /private/\n\nUser-agent: VoiceAgentBot\nDisallow: /private/\nDisallow: /bot-only.html\n' +
            `Sitemap: ${site.origin}/sitemap-index.xml\nSitemap: http://production.example/sitemap.xml\n`,
        );
      },
      // A sitemap index pointing at a gzipped sitemap that lists a page no link reaches.
      '/sitemap-index.xml': (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end(`<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>${site.origin}/sitemap-pages.xml.gz</loc></sitemap></sitemapindex>`);
      },
      '/sitemap-pages.xml.gz': (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/gzip' });
        res.end(zlib.gzipSync(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>${site.origin}/orphan.html</loc></url><url><loc>http://production.example/orphan.html</loc></url></urlset>`));
      },
      '/orphan.html': html('Only the sitemap knows this page.'),
      '/gzipped.html': (_q, res) => {
        res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
        res.end(zlib.gzipSync('<html><body><p>Compressed on the wire, emergency call-outs within the hour.</p></body></html>'));
      },
      '/': (req, res) => html(links.map((l) => `<a href="${l.replace('PORT', String(site.port))}">link</a>`).join(' '))(req, res),
      '/a.html': html('<h1>Page A</h1>'),
      '/private/secret.html': html('secret'),
      '/bot-only.html': html('not for us'),
      '/loop/a': html('<a href="/loop/b">b</a> loop A'),
      '/loop/b': html('<a href="/loop/a">a</a> loop B'),
      '/big-stream': (req, res) => {
        // 10 MB, chunked (no Content-Length), written only as fast as the client reads.
        res.writeHead(200, { 'content-type': 'text/html' });
        const chunk = Buffer.alloc(64 * 1024, 'x');
        res.on('close', () => (bigClosedEarly = bigWritten < 10 * 1024 * 1024));
        const pump = () => {
          while (bigWritten < 10 * 1024 * 1024) {
            bigWritten += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      },
      '/big-declared': (_q, res) => {
        res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(10 * 1024 * 1024) });
        res.write('<html>'); // and nothing more: the declared length alone is refused
      },
      '/hang': () => undefined, // never answers
      '/redirect-loop/a': redirect('/redirect-loop/b'),
      '/redirect-loop/b': redirect('/redirect-loop/a'),
      '/redirect-to-a': redirect('/a.html', 301),
      '/download': (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.alloc(100));
      },
      '/feed': (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        res.end('<rss/>');
      },
      '/error-500': (_q, res) => {
        res.writeHead(500);
        res.end('oops');
      },
      '/doc.pdf': (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/pdf' });
        res.end(pdf);
      },
    };
    for (let i = 1; i <= 10; i++) routes[`/deep/${i}`] = html(`<a href="/deep/${i + 1}">deeper</a> level ${i}`);
    for (let i = 0; i <= 10; i++) routes[`/redirect-chain/${i}`] = redirect(`/redirect-chain/${i + 1}`);
    site = await serveSite(null, { routes });
    result = await crawlSite(site.origin + '/', { allowPrivate: true, maxDepth: 3, maxPageBytes: 1024 * 1024, pageTimeoutMs: 1500 });
  });
  afterAll(() => site?.close());

  const at = (p: string) => site.origin + p;

  it('keeps the reachable pages, each once, and the PDF as text', () => {
    expect(paths(result, site.origin)).toEqual(['/', '/a.html', '/deep/1', '/deep/2', '/deep/3', '/doc.pdf', '/gzipped.html', '/loop/a', '/loop/b', '/orphan.html']);
    expect(result.pages.find((p) => p.url === at('/gzipped.html'))!.html).toContain('emergency call-outs within the hour');
    expect(result.pages.find((p) => p.url === at('/orphan.html'))!.depth).toBe(1);
    expect(result.pages.find((p) => p.url === at('/doc.pdf'))).toMatchObject({ text: 'Price list: drain cleaning costs 95 dollars', contentType: 'application/pdf' });
    expect(result.pages.find((p) => p.url === at('/doc.pdf'))!.html).toBeUndefined();
  });

  it('honours robots.txt, the group for our user agent included', () => {
    expect(result.skipped.find((s) => s.url === at('/private/secret.html'))).toMatchObject({ reason: 'robots', detail: expect.stringMatching(/robots.txt line/) });
    expect(reasonOf(result, at('/bot-only.html'))).toBe('robots');
    expect(site.requests).not.toContain('/private/secret.html');
    expect(site.requests).not.toContain('/bot-only.html');
  });

  it('does not follow off-site links (another domain, another port, another host name) or off-site sitemap entries', () => {
    expect(reasonOf(result, 'http://other.example/page')).toBe('off_site');
    expect(reasonOf(result, 'http://production.example/sitemap.xml')).toBe('off_site');
    expect(reasonOf(result, 'http://production.example/orphan.html')).toBe('off_site');
    expect(reasonOf(result, `http://localhost:${site.port}/`)).toBe('off_site');
  });

  it('terminates link loops and stops at maxDepth', () => {
    expect(site.requests.filter((p) => p === '/loop/a')).toHaveLength(1);
    expect(site.requests).not.toContain('/deep/4');
  });

  it('skips a 10 MB page as too_large without downloading it', () => {
    expect(result.skipped.find((s) => s.url === at('/big-stream'))).toMatchObject({ reason: 'too_large' });
    expect(bigClosedEarly).toBe(true);
    expect(bigWritten).toBeLessThan(6 * 1024 * 1024); // 1 MB cap plus what socket buffers took
    expect(result.skipped.find((s) => s.url === at('/big-declared'))).toMatchObject({ reason: 'too_large', detail: expect.stringMatching(/Content-Length/) });
  });

  it('records a page that never answers as timeout, and the rest of the crawl finishes', () => {
    expect(reasonOf(result, at('/hang'))).toBe('timeout');
    expect(result.stats.durationMs).toBeLessThan(15_000); // the hung page cost its 1.5 s timeout; without one the crawl never ends
  });

  it('classifies redirect loops, long redirect chains, errors, TLS failures and non-HTML', () => {
    expect(reasonOf(result, at('/redirect-loop/a'))).toBe('redirect_loop');
    expect(reasonOf(result, at('/redirect-chain/0'))).toBe('too_many_redirects');
    expect(site.requests).toContain('/redirect-chain/5');
    expect(site.requests).not.toContain('/redirect-chain/6');
    expect(result.skipped.find((s) => s.url === at('/error-500'))).toMatchObject({ reason: 'http_error', detail: 'HTTP 500' });
    expect(reasonOf(result, `https://127.0.0.1:${site.port}/secure`)).toBe('tls_error');
    expect(result.skipped.find((s) => s.url === at('/download'))).toMatchObject({ reason: 'not_html', detail: 'Content-Type application/octet-stream' });
    expect(reasonOf(result, at('/feed'))).toBe('not_html');
    expect(reasonOf(result, at('/picture.jpg'))).toBe('not_html');
    expect(site.requests).not.toContain('/picture.jpg'); // judged by its extension, never requested
  });

  it('normalises aliases away: index.html, tracking parameters, fragments, a redirect to a known page', () => {
    expect(site.requests.filter((p) => p === '/' || p.startsWith('/?') || p === '/index.html')).toEqual(['/']);
    expect(site.requests.filter((p) => p === '/a.html').length).toBe(1);
    expect(result.skipped.some((s) => s.url.includes('utm_') || s.url.includes('#'))).toBe(false);
  });
});

describe('politeness, budgets and abort', () => {
  it('spaces requests by Crawl-delay, clamped to maxCrawlDelayMs', async () => {
    const times: number[] = [];
    const page = (body: string): Handler => (req, res) => {
      times.push(Date.now());
      html(body)(req, res);
    };
    const site = await serveSite(null, {
      routes: {
        '/robots.txt': (_q, res) => res.end('User-agent: *\nCrawl-delay: 30\n'),
        '/': page('<a href="/1">1</a><a href="/2">2</a><a href="/3">3</a> home'),
        '/1': page('one'),
        '/2': page('two'),
        '/3': page('three'),
      },
    });
    try {
      const r = await crawlSite(site.origin + '/', { allowPrivate: true, maxCrawlDelayMs: 250 });
      expect(r.pages).toHaveLength(4);
      // 250 ms apart when sent. Arrival times jitter on a loaded machine (one late arrival shortens
      // the next gap), so the span of all four is checked: without the delay it would be ~1 ms.
      expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(3 * 250 * 0.8);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThan(20);
      // Clamped: the site's 30 s delay would make this crawl take 90 s.
      expect(r.stats.durationMs).toBeLessThan(20_000);
    } finally {
      await site.close();
    }
  });

  it('treats a 5xx robots.txt as disallow-all and a 404 robots.txt as allow-all (RFC 9309)', async () => {
    let robotsStatus = 503;
    const site = await serveSite(null, {
      routes: {
        '/robots.txt': (_q, res) => {
          res.writeHead(robotsStatus);
          res.end();
        },
        '/': html('home'),
      },
    });
    try {
      const down = await crawlSite(site.origin + '/', { allowPrivate: true });
      expect(down.pages).toHaveLength(0);
      expect(down.skipped[0]).toMatchObject({ reason: 'robots', detail: expect.stringMatching(/503/) });
      robotsStatus = 404;
      expect((await crawlSite(site.origin + '/', { allowPrivate: true })).pages).toHaveLength(1);
    } finally {
      await site.close();
    }
  });

  it('ends at the time budget, recording unfinished work as budget', async () => {
    const site = await serveSite(null, { routes: { '/': () => undefined } });
    try {
      const r = await crawlSite(site.origin + '/', { allowPrivate: true, timeBudgetMs: 400, pageTimeoutMs: 10_000 });
      expect(r.pages).toHaveLength(0);
      expect(r.skipped[0]).toMatchObject({ reason: 'budget', detail: expect.stringMatching(/time budget/) });
      expect(r.stats.durationMs).toBeLessThan(5000); // well short of the 10 s page timeout
    } finally {
      await site.close();
    }
  });

  it('rejects with the abort reason when the signal aborts', async () => {
    const site = await serveSite(SITES + 'flowmaster-plumbing');
    try {
      const controller = new AbortController();
      const crawl = crawlSite(site.origin + '/', { allowPrivate: true, signal: controller.signal, onProgress: () => controller.abort(new Error('cancelled by owner')) });
      await expect(crawl).rejects.toThrow('cancelled by owner');
    } finally {
      await site.close();
    }
  });

  it('reports an unusable start URL as invalid_url', async () => {
    const r = await crawlSite('ftp://example.com/', { allowPrivate: false });
    expect(r.pages).toEqual([]);
    expect(r.skipped).toEqual([{ url: 'ftp://example.com/', reason: 'invalid_url', detail: 'not an http(s) URL' }]);
  });
});

describe('address guard (allowPrivate: false)', () => {
  let site: TestSite;
  let inner: TestSite;

  beforeAll(async () => {
    // `inner` (127.0.0.1) stands for the private network; nothing may ever reach it.
    inner = await serveSite(null, { routes: { '/': html('loopback'), '/secret': html('instance metadata') } });
    // `site` stands for a public server: 127.0.0.2, exempted through allowAddresses.
    site = await serveSite(null, {
      host: '127.0.0.2',
      routes: {
        '/': html(`<a href="/go-internal">x</a><a href="/ok">ok</a>`),
        '/ok': html('fine'),
        '/go-internal': redirect(`http://internal.shop.test:${inner.port}/secret`),
        '/start-redirect': redirect(`http://127.0.0.1:${inner.port}/secret`),
      },
    });
  });
  afterAll(async () => {
    await site?.close();
    await inner?.close();
  });

  const names: Record<string, string> = { 'www.shop.test': '127.0.0.2', 'internal.shop.test': '127.0.0.1', 'evil.test': '127.0.0.1' };
  const resolve: ResolveHost = async (host) => (names[host] ? [{ address: names[host]!, family: 4 }] : []);
  const opts = () => ({ allowPrivate: false, resolve, allowAddresses: ['127.0.0.2'], pageTimeoutMs: 2000 });

  it.each(['http://127.0.0.1:PORT/', 'http://[::1]:PORT/', 'http://169.254.169.254/latest/meta-data/', 'http://[::ffff:127.0.0.1]:PORT/', 'http://0.0.0.0:PORT/'])(
    'refuses the literal start URL %s',
    async (raw) => {
      const url = raw.replace('PORT', String(inner.port));
      const r = await crawlSite(url, { allowPrivate: false });
      expect(r.pages).toEqual([]);
      expect(r.skipped).toHaveLength(1);
      expect(r.skipped[0]!.reason).toBe('private_address');
      expect(inner.requests).toEqual([]);
    },
  );

  it('refuses localhost (real DNS) and a public-looking name that resolves to loopback', async () => {
    const local = await crawlSite(`http://localhost:${inner.port}/`, { allowPrivate: false });
    expect(local.skipped[0]!.reason).toBe('private_address');
    const evil = await crawlSite(`http://evil.test:${inner.port}/`, opts());
    expect(evil.skipped[0]).toMatchObject({ reason: 'private_address', detail: expect.stringMatching(/127\.0\.0\.1 \(loopback\)/) });
    expect(inner.requests).toEqual([]);
  });

  it('checks every redirect hop: a redirect to a name resolving to 127.0.0.1 is refused', async () => {
    const r = await crawlSite(`http://www.shop.test:${site.port}/`, opts());
    expect(paths(r, `http://www.shop.test:${site.port}`)).toEqual(['/', '/ok']);
    expect(reasonOf(r, `http://www.shop.test:${site.port}/go-internal`)).toBe('private_address');
    expect(inner.requests).toEqual([]);
  });

  it('refuses a start URL that redirects to a literal 127.0.0.1', async () => {
    const r = await crawlSite(`http://www.shop.test:${site.port}/start-redirect`, opts());
    expect(r.pages).toEqual([]);
    expect(r.skipped[0]!.reason).toBe('private_address');
    expect(inner.requests).toEqual([]);
  });

  it('pins the checked address: a name that rebinds to loopback between lookups never reaches it', async () => {
    // Same port on 127.0.0.2 (allowed) and 127.0.0.1 (refused); the name alternates between them.
    const twin = await listenOn('127.0.0.1', site.port).catch(() => null);
    if (!twin) return; // port taken on 127.0.0.1: nothing to prove here
    try {
      let n = 0;
      const rebinding: ResolveHost = async () => [{ address: n++ % 2 === 0 ? '127.0.0.2' : '127.0.0.1', family: 4 }];
      const r = await crawlSite(`http://rebind.shop.test:${site.port}/`, { ...opts(), resolve: rebinding });
      expect(twin.hits).toBe(0);
      expect(n).toBeGreaterThanOrEqual(2); // a second lookup happened, answered 127.0.0.1, and was refused
      expect(r.skipped.some((s) => s.reason === 'private_address')).toBe(true);
    } finally {
      await twin.close();
    }
  });
});

async function listenOn(host: string, port: number): Promise<{ hits: number; close(): Promise<void> }> {
  const state = { hits: 0 };
  const server = http.createServer((_q, res) => {
    state.hits++;
    res.end('twin');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  expect((server.address() as AddressInfo).port).toBe(port);
  return {
    get hits() {
      return state.hits;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function makePdf(text: string): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${`BT /F1 18 Tf 72 700 Td (${text}) Tj ET`.length} >>\nstream\nBT /F1 18 Tf 72 700 Td (${text}) Tj ET\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
