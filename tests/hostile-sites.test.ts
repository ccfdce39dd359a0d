/**
 * Hostile websites, the cases tests/knowledge-crawler.test.ts does not already cover (there:
 * redirect loops and chains, a 10 MB page streamed or declared, a page that never answers, a
 * redirect to a name that resolves to loopback, non-HTML types, 5xx/404 robots.txt, budgets).
 * Here: endless pages, bytes that drip, compression bombs (gzip, deflate, brotli), markup that
 * parsers choke on (100,000 nested divs, tag soup, binary served as text/html), wrong types,
 * private addresses spelled every way, and robots.txt files that are huge, binary, bombs or
 * drips. Each ends as a skipped page with a clear reason, never a hang or a memory spike, and a
 * crawl job over such a site finishes within its bounds.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressGuard, crawlSite, type CrawlResult, type ResolveHost } from '../src/knowledge/crawler/index.js';
import { markupDepth } from '../src/knowledge/crawler/page-analysis.js';
import { createRng } from './helpers/fuzz.js';
import { startTestServer } from './helpers/test-server.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
interface Site {
  origin: string;
  port: number;
  requests: string[];
  close(): Promise<void>;
}

/** A site whose handler sees every request (prefix routes, raw sockets); each socket is closed with it. */
async function hostileSite(handler: Handler, host = '127.0.0.1'): Promise<Site> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '/');
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const TEXT = 'Flowmaster Plumbing fixes leaks, clears drains and replaces water heaters across the county. '.repeat(4);
const page = (body: string, status = 200, headers: http.OutgoingHttpHeaders = {}): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
  res.end(`<!doctype html><html><head><title>t</title></head><body>${body}<p>${TEXT}</p></body></html>`);
};
const send = (body: Buffer | string, headers: http.OutgoingHttpHeaders): Handler => (_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
};
const redirect = (location: string): Handler => (_req, res) => {
  res.writeHead(302, { location });
  res.end();
};
/** Headers at once, then one byte every 300 ms, forever: no idle timeout ever fires. */
const dripBody: Handler = (req, res) => {
  res.writeHead(200, { 'content-type': 'text/html' });
  res.write('<html><body>');
  const timer = setInterval(() => res.write('a'), 300);
  req.socket.on('close', () => clearInterval(timer));
};
/** Even the status line and headers arrive a few bytes at a time. */
const dripHeaders: Handler = (req) => {
  const socket = req.socket;
  socket.write('HTTP/1.1 200 OK\r\n');
  const timer = setInterval(() => socket.writable && socket.write('X-Drip: a\r\n'), 300);
  socket.on('close', () => clearInterval(timer));
};

/** `size` bytes of zeros through `make`'s compressor, streamed (never held whole). */
async function bomb(make: () => zlib.Gzip | zlib.Deflate | zlib.BrotliCompress, size: number): Promise<Buffer> {
  const z = make();
  const out: Buffer[] = [];
  z.on('data', (c: Buffer) => out.push(c));
  const chunk = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < size; written += chunk.length) if (!z.write(chunk)) await once(z, 'drain');
  z.end();
  await once(z, 'end');
  return Buffer.concat(out);
}

const reasonOf = (r: CrawlResult, url: string) => r.skipped.find((s) => s.url === url);
const MB = 1024 * 1024;

/** Peak RSS above the starting point while `work` runs. */
async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    const result = await work();
    return { result, peakMb: (Math.max(peak, process.memoryUsage().rss) - start) / MB };
  } finally {
    clearInterval(timer);
  }
}

let bombs: { gzip: Buffer; deflate: Buffer; br: Buffer };
beforeAll(async () => {
  // Each a few hundred KB at most that inflates to 128 MB.
  bombs = {
    gzip: await bomb(() => zlib.createGzip({ level: 9 }), 128 * MB),
    deflate: await bomb(() => zlib.createDeflate({ level: 9 }), 128 * MB),
    br: await bomb(() => zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } }), 128 * MB),
  };
  for (const b of Object.values(bombs)) expect(b.length).toBeLessThan(MB);
});

/** The hostile pages, each linked from the home page. */
function hostileRoutes(rng = createRng(7)): Record<string, Handler> {
  const words = '<p>Open Monday to Friday, 9am to 5pm. Call 317-585-8468.</p>';
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), rng.bytes(20_000)]);
  return {
    '/nested-divs': send(`<html><body>${'<div>'.repeat(100_000)}${words}${'</div>'.repeat(100_000)}</body></html>`, { 'content-type': 'text/html' }),
    '/tag-soup': send(`<html><body>${'<div><span><b><i><font><em><section>'.repeat(20_000)}${words}`, { 'content-type': 'text/html' }),
    '/binary-as-html': send(rng.bytes(300_000), { 'content-type': 'text/html; charset=utf-8' }),
    '/png-as-html': send(png, { 'content-type': 'text/html' }),
    '/binary-untyped': send(rng.bytes(5000), {}),
    '/html-as-png': send(`<html><body>${TEXT}</body></html>`, { 'content-type': 'image/png' }),
    '/html-as-pdf': send(`<html><body>${TEXT}</body></html>`, { 'content-type': 'application/pdf' }),
    '/gzip-bomb': send(bombs.gzip, { 'content-type': 'text/html', 'content-encoding': 'gzip' }),
    '/deflate-bomb': send(bombs.deflate, { 'content-type': 'text/html', 'content-encoding': 'deflate' }),
    '/brotli-bomb': send(bombs.br, { 'content-type': 'text/html', 'content-encoding': 'br' }),
    '/gzip-bomb-declared-small': send(bombs.gzip, { 'content-type': 'text/html', 'content-encoding': 'gzip', 'content-length': String(bombs.gzip.length) }),
    '/gzip-corrupt': send(Buffer.concat([bombs.gzip.subarray(0, 10), rng.bytes(5000)]), { 'content-type': 'text/html', 'content-encoding': 'gzip' }),
    '/stacked-encodings': send(zlib.brotliCompressSync(zlib.gzipSync(`<html><body>${TEXT}</body></html>`)), { 'content-type': 'text/html', 'content-encoding': 'gzip, br' }),
    '/drip-body': dripBody,
    '/drip-headers': dripHeaders,
    '/redirect-file': redirect('file:///etc/passwd'),
    '/redirect-javascript': redirect('javascript:alert(1)'),
    '/redirect-huge-location': redirect(`/${'x'.repeat(20_000)}`),
    // Fine, if odd: kept.
    '/bogus-charset': page('Unknown charset label, decoded as UTF-8: café.', 200, { 'content-type': 'text/html; charset=x-no-such-charset' }),
    '/deep-but-fine': page(`${'<div>'.repeat(100)}Nested a hundred deep${'</div>'.repeat(100)}`),
  };
}

describe('hostile pages on an otherwise ordinary site', () => {
  let site: Site;
  let result: CrawlResult;
  let peakMb: number;
  const at = (p: string) => site.origin + p;

  beforeAll(async () => {
    const routes = hostileRoutes();
    const home = page(Object.keys(routes).map((p) => `<a href="${p}">${p}</a>`).join(' '));
    site = await hostileSite((req, res) => (routes[new URL(req.url ?? '/', 'http://x').pathname] ?? (req.url === '/' ? home : page('not found', 404)))(req, res));
    ({ result, peakMb } = await peakRss(() => crawlSite(site.origin + '/', { allowPrivate: true, maxPageBytes: 2 * MB, pageTimeoutMs: 1500, timeBudgetMs: 20_000 })));
  });
  afterAll(() => site?.close());

  it('finishes within its per-page timeout, without a memory spike', () => {
    expect(result.stats.durationMs).toBeLessThan(14_000); // slow pages cost their 1.5 s timeout, not the 20 s budget
    expect(peakMb, 'RSS growth during the crawl (MB)').toBeLessThan(100); // a bomb inflated whole would be 128 MB
  });

  it('keeps the ordinary pages and only them', () => {
    expect(result.pages.map((p) => p.url.replace(site.origin, '')).sort()).toEqual(['/', '/bogus-charset', '/deep-but-fine']);
    expect(result.pages.find((p) => p.url === at('/bogus-charset'))!.html).toContain('café');
  });

  it('refuses markup nested past what parsers handle, quickly', () => {
    for (const p of ['/nested-divs', '/tag-soup']) expect(reasonOf(result, at(p)), p).toMatchObject({ reason: 'not_html', detail: expect.stringMatching(/nested more than \d+ deep/) });
  });

  it('refuses binary bodies whatever their Content-Type, and types that are not pages', () => {
    for (const p of ['/binary-as-html', '/png-as-html']) expect(reasonOf(result, at(p)), p).toMatchObject({ reason: 'not_html', detail: expect.stringMatching(/binary/) });
    expect(reasonOf(result, at('/binary-untyped'))).toMatchObject({ reason: 'not_html', detail: 'no Content-Type, and not markup' });
    expect(reasonOf(result, at('/html-as-png'))).toMatchObject({ reason: 'not_html', detail: 'Content-Type image/png' });
    expect(reasonOf(result, at('/html-as-pdf'))).toMatchObject({ reason: 'not_html', detail: expect.stringMatching(/unreadable PDF/) });
    // Encodings it does not undo are bytes, not a page.
    expect(reasonOf(result, at('/stacked-encodings'))?.reason).toBe('not_html');
  });

  it('cuts compression bombs off by their decoded size', () => {
    for (const p of ['/gzip-bomb', '/deflate-bomb', '/brotli-bomb', '/gzip-bomb-declared-small']) {
      expect(reasonOf(result, at(p)), p).toMatchObject({ reason: 'too_large', detail: `more than ${2 * MB} bytes` });
    }
    expect(reasonOf(result, at('/gzip-corrupt'))?.reason).toBe('network_error');
  });

  it('times out bodies and headers that drip a byte at a time', () => {
    expect(reasonOf(result, at('/drip-body'))).toMatchObject({ reason: 'timeout', detail: 'no complete answer within 1500 ms' });
    expect(reasonOf(result, at('/drip-headers'))?.reason).toBe('timeout');
  });

  it('refuses redirects to other schemes and Location headers past the header limit', () => {
    expect(reasonOf(result, at('/redirect-file'))).toMatchObject({ reason: 'invalid_url', detail: 'redirect to file:' });
    expect(reasonOf(result, at('/redirect-javascript'))).toMatchObject({ reason: 'invalid_url', detail: 'redirect to javascript:' });
    expect(reasonOf(result, at('/redirect-huge-location'))?.reason).toBe('network_error');
    expect(site.requests.some((r) => r.startsWith('/xxxx'))).toBe(false);
  });
});

describe('endless sites', () => {
  it('stops an endless site (every page links to new pages) at the page budget', async () => {
    let n = 0;
    const site = await hostileSite((req, res) => {
      const here = new URL(req.url ?? '/', 'http://x').pathname;
      if (here === '/robots.txt' || here === '/sitemap.xml') return page('none', 404)(req, res);
      // A few new pages per page, and one page with 20,000 links.
      const links = here === '/p/3' ? Array.from({ length: 20_000 }, (_, i) => `/wide/${i}`) : Array.from({ length: 5 }, () => `/p/${++n}`);
      page(links.map((l) => `<a href="${l}">more</a>`).join(''))(req, res);
    });
    try {
      const started = Date.now();
      const r = await crawlSite(site.origin + '/', { allowPrivate: true, maxPages: 15, maxDepth: 10_000, pageTimeoutMs: 2000 });
      expect(r.pages).toHaveLength(15);
      expect(Date.now() - started).toBeLessThan(20_000);
      // Pages fetched: the budget, plus at most the ones in flight when it was reached (and robots/sitemap).
      expect(site.requests.length).toBeLessThanOrEqual(15 + 4 + 2);
      expect(r.skipped.filter((s) => s.reason === 'budget').length).toBeGreaterThan(1000);
      expect(r.skipped.find((s) => s.reason === 'budget')!.detail).toMatch(/maxPages 15/);
    } finally {
      await site.close();
    }
  });

  it('stops an endless site at the time budget when each page is slow', async () => {
    let n = 0;
    const site = await hostileSite((req, res) => {
      setTimeout(() => page(`<a href="/slow/${++n}">next</a><a href="/slow/${++n}">next</a>`)(req, res), 150);
    });
    try {
      const r = await crawlSite(site.origin + '/', { allowPrivate: true, maxPages: 10_000, maxDepth: 10_000, timeBudgetMs: 1500 });
      expect(r.stats.durationMs).toBeLessThan(8000); // the site never ends; the 1.5 s budget does
      expect(r.pages.length).toBeGreaterThan(0);
      expect(r.skipped.some((s) => s.reason === 'budget' && /time budget/.test(s.detail ?? ''))).toBe(true);
    } finally {
      await site.close();
    }
  });
});

describe('hostile robots.txt', () => {
  let robots: Handler;
  let site: Site;
  beforeAll(async () => {
    site = await hostileSite((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/robots.txt') return robots(req, res);
      if (path === '/sitemap.xml') return page('none', 404)(req, res);
      page(path === '/' ? '<a href="/a">a</a>' : 'page a')(req, res);
    });
  });
  afterAll(() => site?.close());
  const crawl = () => crawlSite(site.origin + '/', { allowPrivate: true, pageTimeoutMs: 1500 });

  it('treats a robots.txt over 512 KiB as no robots.txt (RFC 9309 lets a crawler stop reading)', async () => {
    robots = send(`User-agent: *\n${'Disallow: /a\n'.repeat(300_000)}`, { 'content-type': 'text/plain' });
    const r = await crawl();
    expect(r.pages.map((p) => p.url.replace(site.origin, ''))).toEqual(['/', '/a']);
  });

  it('reads a binary robots.txt as no rules, without failing', async () => {
    robots = send(createRng(11).bytes(100_000), { 'content-type': 'text/plain' });
    const r = await crawl();
    expect(r.pages).toHaveLength(2);
  });

  it('cuts a gzip-bomb robots.txt off and reads it as none', async () => {
    robots = send(bombs.gzip, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
    const { result: r, peakMb } = await peakRss(crawl);
    expect(r.pages).toHaveLength(2);
    expect(peakMb).toBeLessThan(100);
  });

  it('gives up on a robots.txt that drips, and reports it (the site is unreachable: nothing fetched)', async () => {
    robots = dripBody;
    const started = Date.now();
    const r = await crawl();
    expect(Date.now() - started).toBeLessThan(10_000); // the drip never ends; the 1.5 s page timeout does
    expect(r.pages).toEqual([]);
    expect(r.skipped[0]).toMatchObject({ url: site.origin + '/', reason: 'timeout', detail: expect.stringMatching(/robots.txt could not be fetched/) });
  });

  it('honours a robots.txt of many wildcard rules in bounded time', async () => {
    robots = send(`User-agent: *\n${Array.from({ length: 5_000 }, (_, i) => `Disallow: /*never${i}*\n`).join('')}`, { 'content-type': 'text/plain' });
    const started = Date.now();
    const r = await crawl();
    expect(r.pages).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(10_000); // backtracking wildcards would take minutes
  });
});

describe('private addresses, however spelled', () => {
  // Every way WHATWG URL parsing lets one write a loopback, private or metadata address.
  const spellings = [
    'http://127.1/', 'http://0x7f.0.0.1/', 'http://0x7f000001/', 'http://2130706433/', 'http://017700000001/', 'http://0177.0.0.1/',
    'http://127.000.000.001/', 'http://0/', 'http://[::1]/', 'http://[::ffff:7f00:1]/', 'http://[0:0:0:0:0:ffff:127.0.0.1]/',
    'http://[::ffff:a9fe:a9fe]/', 'http://169.254.169.254/', 'http://0xa9fea9fe/', 'http://10.0.0.1/', 'http://[fd00::1]/',
    'http://100.64.0.1/', 'http://[fe80::1]/', 'http://LOCALHOST./',
  ];

  it('the guard refuses each spelling once the URL is parsed', () => {
    const guard = new AddressGuard({ allowPrivate: false });
    for (const raw of spellings) {
      const host = new URL(raw).hostname;
      if (/^[a-z]/i.test(host)) continue; // names are judged by what they resolve to (below)
      expect(() => guard.checkHost(host), `${raw} → ${host}`).toThrow(/does not fetch/);
    }
  });

  it('a public site redirecting to each of them is refused at the redirect, and nothing private is reached', async () => {
    // 127.0.0.2 stands for a public server (exempted); 127.0.0.1 for the private network.
    const inner = await hostileSite(page('private'));
    const routes = Object.fromEntries(spellings.map((s, i) => [`/r${i}`, redirect(s.replace(/\/$/, `:${inner.port}/secret`))]));
    const outer = await hostileSite(
      (req, res) => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        if (path === '/robots.txt' || path === '/sitemap.xml') return page('none', 404)(req, res);
        (routes[path] ?? page(Object.keys(routes).map((r) => `<a href="${r}">x</a>`).join('')))(req, res);
      },
      '127.0.0.2',
    );
    try {
      const resolve: ResolveHost = async (host) => (host === 'www.shop.test' ? [{ address: '127.0.0.2', family: 4 }] : host === 'localhost' ? [{ address: '127.0.0.1', family: 4 }] : []);
      const r = await crawlSite(`http://www.shop.test:${outer.port}/`, { allowPrivate: false, resolve, allowAddresses: ['127.0.0.2'], pageTimeoutMs: 1500 });
      for (const path of Object.keys(routes)) {
        expect(reasonOf(r, `http://www.shop.test:${outer.port}${path}`)?.reason, path).toMatch(/^(private_address|off_site)$/);
      }
      expect(inner.requests).toEqual([]);
    } finally {
      await outer.close();
      await inner.close();
    }
  });
});

describe('a crawl job over a hostile site', () => {
  it('finishes within its bounds, keeps the readable pages, and files no garbage', async () => {
    const routes = hostileRoutes(createRng(99));
    const home = page(`<h1>Flowmaster Plumbing</h1><p>Call us on 317-585-8468.</p>${Object.keys(routes).map((p) => `<a href="${p}">${p}</a>`).join(' ')}`);
    const site = await hostileSite((req, res) => (routes[new URL(req.url ?? '/', 'http://x').pathname] ?? (req.url === '/' ? home : page('not found', 404)))(req, res));
    const server = await startTestServer({ CRAWL_ALLOW_PRIVATE: 'true' });
    try {
      const tenant = await server.newTenant('Hostile');
      const agent = (await tenant.post('/api/agents', { name: 'Hostile', websiteUrl: `${site.origin}/` })).body;
      const started = Date.now();
      const { jobId } = (await tenant.post(`/api/agents/${agent.id}/recrawl`)).body;
      let job: { status: string; stats?: { pages?: number; skippedByReason?: Record<string, number> }; error?: string };
      do {
        await new Promise((r) => setTimeout(r, 200));
        job = (await tenant.get(`/api/jobs/${jobId}`)).body;
        // The drip pages hold a fetch for the default 10 s page timeout; nothing holds longer.
      } while ((job.status === 'queued' || job.status === 'running') && Date.now() - started < 25_000);
      expect(job.status, JSON.stringify(job)).toBe('succeeded');
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(job.stats!.pages).toBe(3);
      expect(job.stats!.skippedByReason).toMatchObject({ not_html: 8, too_large: 4, timeout: 2, invalid_url: 2 });
      const entries = Object.values((await tenant.get(`/api/agents/${agent.id}/knowledge`)).body.categories as Record<string, { content: string; title: string }[]>).flat();
      expect(entries.length).toBeGreaterThan(0);
      for (const e of entries) expect(`${e.title} ${e.content}`, 'knowledge made of binary').not.toMatch(/[\u0000-\u0008\u000e-\u001f\ufffd]/);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.stop();
      await site.close();
    }
  });
});

describe('markupDepth', () => {
  it('follows the parser closely enough on ordinary markup', () => {
    expect(markupDepth('<html><body><div><p>a<p>b<p>c</div></body></html>')).toBe(4);
    expect(markupDepth('<ul><li>a<li>b<li>c</ul>')).toBe(2);
    expect(markupDepth('<table><tr><td>a<td>b<tr><td>c</table>')).toBe(3);
    expect(markupDepth('<div><img src=x><br><input/><span/></div>')).toBe(1);
    expect(markupDepth('<script>"<div><div><div>"</script><style>div{}</style><!-- <div><div> -->')).toBe(0);
    expect(markupDepth('<div></span></p></div><div>')).toBe(1);
  });

  it('counts what really nests, and stops counting past the bound', () => {
    expect(markupDepth('<div>'.repeat(100_000), 512)).toBe(513);
    expect(markupDepth('<ul><li>'.repeat(1000))).toBe(2000);
    expect(markupDepth('<p>x'.repeat(100_000))).toBe(1);
    const started = performance.now();
    markupDepth('<p><button>' + '<span>'.repeat(500) + '<p></p>'.repeat(200_000), 512);
    expect(performance.now() - started).toBeLessThan(5000); // linear: a quadratic scan would take minutes
  });
});
