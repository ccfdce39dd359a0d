/**
 * JavaScript-rendered pages through the system Chromium (one browser shared by every test here):
 * a hash-routed single-page app whose text arrives as JSON at runtime, forced rendering of a
 * static site, the address guard on requests the page makes, and a render that times out.
 */
import type http from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromiumRenderer, crawlSite, findChromium, type ResolveHost } from '../src/knowledge/crawler/index.js';
import { serveSite, type TestSite } from './helpers/static-site-server.js';

const JS_SITE = fileURLToPath(new URL('./fixtures-js-site/site/', import.meta.url));
const SITES = fileURLToPath(new URL('../../shared/fixtures/sites/', import.meta.url));

const shell = (script: string) => (_q: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end(`<!doctype html><html><body><div id="root"></div><script>${script}</script></body></html>`);
};

describe.skipIf(!findChromium())('rendering in Chromium', () => {
  let renderer: ChromiumRenderer;
  let spa: TestSite;

  beforeAll(async () => {
    renderer = new ChromiumRenderer({ maxParallel: 2 });
    spa = await serveSite(JS_SITE);
  });
  afterAll(async () => {
    await renderer?.close();
    await spa?.close();
  });

  it('crawls a hash-routed app: the shell is rendered, each #/route is a page, the JSON text is found', async () => {
    const r = await crawlSite(spa.origin + '/', { allowPrivate: true, renderer });
    const byPath = Object.fromEntries(r.pages.map((p) => [p.url.replace(spa.origin, ''), p]));
    expect(Object.keys(byPath).sort()).toEqual(['/', '/#!/contact', '/#/about', '/#/menu']);
    expect(r.pages.every((p) => p.rendered)).toBe(true);
    expect(r.stats.pagesRendered).toBe(4);
    expect(byPath['/']!.html).toContain('Our sourdough loaves come out of the oven at 6 am every day');
    expect(byPath['/#/menu']!.html).toContain('Gluten-free loaves are baked on Thursdays only');
    expect(byPath['/#/about']!.html).toContain('Founded in 1987 by Maren and Tomas Lind');
    expect(byPath['/#!/contact']!.html).toContain('Closed on Mondays');
    expect(byPath['/#/about']!.finalUrl).toBe(`${spa.origin}/#/about`);
    // The Instagram link in the rendered footer is off-site; the logo image was never requested.
    expect(r.skipped).toEqual([expect.objectContaining({ url: 'https://www.instagram.com/harborlightsbakery', reason: 'off_site' })]);
    expect(spa.requests).toContain('/content.json');
    expect(spa.requests).not.toContain('/logo.png');
  });

  it('without a renderer, keeps the empty shell as it is', async () => {
    const r = await crawlSite(spa.origin + '/', { allowPrivate: true });
    expect(r.pages).toHaveLength(1);
    expect(r.pages[0]).toMatchObject({ rendered: false });
    expect(r.pages[0]!.html).toContain('<div id="app"></div>');
  });

  it('renders every page of a static site with renderMode "always"', async () => {
    const site = await serveSite(SITES + 'business-casual-coffee');
    try {
      const r = await crawlSite(site.origin + '/', { allowPrivate: true, renderer, renderMode: 'always' });
      expect(r.pages).toHaveLength(4);
      expect(r.pages.every((p) => p.rendered && p.html!.includes('</html>'))).toBe(true);
    } finally {
      await site.close();
    }
  });

  it('applies the address guard and the same-site rule to what the page requests', async () => {
    // spa.guard.test resolves to 127.0.0.2 (exempted: the "public" server); internal.guard.test to 127.0.0.1.
    const inner = await serveSite(null, { routes: { '/secret': shell('') } });
    const names: Record<string, string> = { 'spa.guard.test': '127.0.0.2', 'internal.guard.test': '127.0.0.1' };
    const resolve: ResolveHost = async (h) => (names[h] ? [{ address: names[h]!, family: 4 }] : []);
    const tries = ['/leak', `http://internal.guard.test:${inner.port}/secret`, `http://127.0.0.1:${inner.port}/secret`];
    const page = shell(`
      const out = [];
      Promise.all(${JSON.stringify(tries)}.map((u, i) => fetch(u).then(r => r.text()).then(() => out[i] = 'loaded', () => out[i] = 'blocked')))
        .then(() => { document.getElementById('root').textContent = 'results: ' + out.join(','); });
    `);
    const app = await serveSite(null, {
      host: '127.0.0.2',
      routes: {
        '/': page,
        '/leak': (_q, res) => {
          res.writeHead(302, { location: `http://internal.guard.test:${inner.port}/secret` });
          res.end();
        },
      },
    });
    try {
      const r = await crawlSite(`http://spa.guard.test:${app.port}/`, { allowPrivate: false, resolve, allowAddresses: ['127.0.0.2'], renderer });
      expect(r.pages).toHaveLength(1);
      expect(r.pages[0]!.rendered).toBe(true);
      expect(r.pages[0]!.html).toContain('results: blocked,blocked,blocked');
      expect(inner.requests).toEqual([]);
      expect(app.requests).toContain('/leak');
    } finally {
      await app.close();
      await inner.close();
    }
  });

  it('shuts Chromium down when idle and relaunches it on the next render', async () => {
    const idle = new ChromiumRenderer({ idleCloseMs: 100 });
    try {
      const first = await idle.render(spa.origin + '/#/menu', { timeoutMs: 10_000, allowPrivate: true });
      expect(first.html).toContain('Country sourdough');
      await new Promise((r) => setTimeout(r, 400));
      expect((idle as unknown as { browser?: unknown }).browser).toBeUndefined();
      const again = await idle.render(spa.origin + '/#/about', { timeoutMs: 10_000, allowPrivate: true });
      expect(again.html).toContain('Ellery Valley mill');
    } finally {
      await idle.close();
    }
  });

  it('keeps the static HTML when rendering times out', async () => {
    let served = 0;
    const site = await serveSite(null, {
      routes: {
        // The static fetch gets the shell; the browser's own request for it is never answered.
        '/': (req, res) => (served++ === 0 ? shell('')(req, res) : undefined),
      },
    });
    try {
      const r = await crawlSite(site.origin + '/', { allowPrivate: true, renderer, pageTimeoutMs: 1500 });
      expect(r.pages).toHaveLength(1);
      expect(r.pages[0]).toMatchObject({ rendered: false, renderError: expect.stringMatching(/^timeout/) });
    } finally {
      await site.close();
    }
  });
});
