/**
 * Crawler policies in isolation: URL normalisation and same-site rules, the address guard's
 * ranges and lookup hook, page analysis (links, app shells, robots meta) and sitemap parsing.
 */
import { describe, expect, it } from 'vitest';
import { AddressGuard, forbiddenRange } from '../src/knowledge/crawler/address-guard.js';
import { analyseHtml, decodeHtml, headerRobots } from '../src/knowledge/crawler/page-analysis.js';
import { parseSitemap } from '../src/knowledge/crawler/sitemap.js';
import { isHashRoute, isSameSite, looksLikeFile, normaliseUrl, siteKey } from '../src/knowledge/crawler/url-policy.js';

describe('normaliseUrl', () => {
  it.each([
    ['HTTP://Example.COM:80/About', 'http://example.com/About'],
    ['https://example.com:443/', 'https://example.com/'],
    ['https://example.com:8443/x', 'https://example.com:8443/x'],
    ['https://example.com', 'https://example.com/'],
    ['https://example.com./a', 'https://example.com/a'],
    ['https://user:pw@example.com/a', 'https://example.com/a'],
    ['https://example.com/a?utm_source=x&utm_medium=y&fbclid=1&gclid=2&b=2&a=1', 'https://example.com/a?a=1&b=2'],
    ['https://example.com/a?utm_campaign=only', 'https://example.com/a'],
    ['https://example.com/index.html', 'https://example.com/'],
    ['https://example.com/about/INDEX.HTM', 'https://example.com/about/'],
    ['https://example.com/about.html#team', 'https://example.com/about.html'],
    ['https://example.com/#/about', 'https://example.com/#/about'],
    ['https://example.com/#!/contact', 'https://example.com/#!/contact'],
    ['https://example.com/#/', 'https://example.com/'],
    ['https://example.com/#!', 'https://example.com/'],
    ['https://example.com/a/../b/./c', 'https://example.com/b/c'],
  ])('%s → %s', (raw, expected) => {
    expect(normaliseUrl(raw)).toBe(expected);
  });

  it('resolves relative links and refuses what is not a web page', () => {
    expect(normaliseUrl('../about.html', 'https://example.com/services/x.html')).toBe('https://example.com/about.html');
    expect(normaliseUrl('#/menu', 'https://example.com/#/about')).toBe('https://example.com/#/menu');
    for (const raw of ['mailto:a@b.c', 'tel:+15550000000', 'javascript:void(0)', 'ftp://example.com/x', 'http://']) {
      expect(normaliseUrl(raw, 'https://example.com/')).toBeNull();
    }
  });

  it('drops hash routes when no browser can render them', () => {
    expect(normaliseUrl('https://example.com/#/about', undefined, { keepHashRoutes: false })).toBe('https://example.com/');
    expect(isHashRoute('https://example.com/#/about')).toBe(true);
    expect(isHashRoute('https://example.com/#about')).toBe(false);
  });

  it('recognises file links that are not pages (PDFs are pages)', () => {
    expect(looksLikeFile('https://example.com/logo.PNG')).toBe(true);
    expect(looksLikeFile('https://example.com/menu.pdf')).toBe(false);
    expect(looksLikeFile('https://example.com/about')).toBe(false);
  });
});

describe('same site', () => {
  it('is the registrable domain: www and apex, subdomains, schemes and ports are one site', () => {
    expect(isSameSite('https://www.example.com/', 'http://example.com/x')).toBe(true);
    expect(isSameSite('https://shop.example.co.uk/', 'https://example.co.uk/')).toBe(true);
    expect(isSameSite('https://example.com/', 'https://example.org/')).toBe(false);
    expect(isSameSite('https://example.com/', 'https://notexample.com/')).toBe(false);
  });

  it('treats private public suffixes (github.io) as separate sites', () => {
    expect(isSameSite('https://alice.github.io/', 'https://bob.github.io/')).toBe(false);
  });

  it('compares IP hosts and localhost exactly, port included', () => {
    expect(isSameSite('http://127.0.0.1:4000/', 'http://127.0.0.1:4000/a')).toBe(true);
    expect(isSameSite('http://127.0.0.1:4000/', 'http://127.0.0.1:4001/')).toBe(false);
    expect(isSameSite('http://10.0.0.1/', 'http://10.0.0.2/')).toBe(false);
    expect(isSameSite('http://localhost:4000/', 'http://127.0.0.1:4000/')).toBe(false);
    expect(siteKey('http://[::1]:8080/')).toBe('[::1]:8080');
  });
});

describe('address guard', () => {
  it.each([
    '127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '169.254.1.1',
    '100.64.0.1', '100.127.255.254', '224.0.0.1', '239.255.255.250', '255.255.255.255', '0.0.0.0', '240.0.0.1', '192.0.2.1',
    '::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'fe80::1%eth0', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1',
    '::ffff:169.254.169.254', '64:ff9b::a9fe:a9fe', '2002:7f00:1::1', '2001:db8::1', 'not-an-ip',
  ])('refuses %s', (address) => {
    expect(forbiddenRange(address)).not.toBeNull();
  });

  it.each(['8.8.8.8', '93.184.216.34', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2002:0808:0808::1'])(
    'allows public %s',
    (address) => {
      expect(forbiddenRange(address)).toBeNull();
    },
  );

  it('checks every resolved address in the lookup hook, and refuses a name mixing public and private answers', async () => {
    const answers: Record<string, Array<{ address: string; family: number }>> = {
      'public.test': [{ address: '93.184.216.34', family: 4 }],
      'mixed.test': [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.5', family: 4 }],
      'mapped.test': [{ address: '::ffff:127.0.0.1', family: 6 }],
    };
    const guard = new AddressGuard({ allowPrivate: false, resolve: async (h) => answers[h] ?? [] });
    const lookup = (host: string, all: boolean) =>
      new Promise<unknown>((resolve, reject) =>
        guard.lookup(host, { all } as never, ((err: Error | null, address: unknown) => (err ? reject(err) : resolve(address))) as never),
      );
    await expect(lookup('public.test', false)).resolves.toBe('93.184.216.34');
    await expect(lookup('public.test', true)).resolves.toEqual([{ address: '93.184.216.34', family: 4 }]);
    await expect(lookup('mixed.test', true)).rejects.toMatchObject({ code: 'EPRIVATEADDRESS' });
    await expect(lookup('mapped.test', false)).rejects.toMatchObject({ code: 'EPRIVATEADDRESS' });
    expect(() => guard.checkHost('[::1]')).toThrow(/loopback/);
    expect(() => guard.checkHost('169.254.169.254')).toThrow(/linkLocal/);
    expect(() => new AddressGuard({ allowPrivate: true }).checkHost('127.0.0.1')).not.toThrow();
    expect(() => new AddressGuard({ allowPrivate: false, allowAddresses: ['10.0.0.7'] }).checkHost('10.0.0.7')).not.toThrow();
  });
});

describe('page analysis', () => {
  const page = (body: string, head = '') => `<!doctype html><html><head>${head}</head><body>${body}</body></html>`;
  const text = 'Opening hours are Monday to Friday, nine to five. '.repeat(6);

  it('collects links from anchors, areas, frames and meta refresh, against <base>', () => {
    const a = analyseHtml(
      page(`<a href="about.html">A</a><area href="/map"><iframe src="embed.html"></iframe><p>${text}</p>`, '<base href="https://example.com/sub/"><meta http-equiv="refresh" content="5; url=/moved">'),
      'https://example.com/',
    );
    expect(a.links).toEqual(['https://example.com/sub/about.html', 'https://example.com/map', 'https://example.com/sub/embed.html', 'https://example.com/moved']);
    expect(a.needsBrowser).toBe(false);
  });

  it('spots JavaScript shells: empty mount points, noscript pleas, too little text', () => {
    expect(analyseHtml(page(`<div id="root"></div><p>${text}</p>`), 'https://e.com/').shellReason).toMatch(/mount point/);
    expect(analyseHtml(page(`<noscript>Please enable JavaScript to use this site.</noscript><p>${text}</p>`), 'https://e.com/').needsBrowser).toBe(true);
    expect(analyseHtml(page('<h1>Welcome</h1><script>var x = "' + 'y'.repeat(5000) + '"</script>'), 'https://e.com/').shellReason).toMatch(/characters/);
    expect(analyseHtml(page(`<div id="app"><p>${text}</p></div>`), 'https://e.com/').needsBrowser).toBe(false);
  });

  it('reads robots meta and X-Robots-Tag, for everyone or for our bot only', () => {
    expect(analyseHtml(page(text, '<meta name="robots" content="noindex, nofollow">'), 'https://e.com/')).toMatchObject({ noindex: true, nofollow: true });
    expect(analyseHtml(page(text, '<meta name="googlebot" content="noindex">'), 'https://e.com/').noindex).toBe(false);
    expect(analyseHtml(page(text, '<meta name="VoiceAgentBot" content="nofollow">'), 'https://e.com/').nofollow).toBe(true);
    expect(headerRobots('noindex')).toEqual({ noindex: true, nofollow: false });
    expect(headerRobots('googlebot: nofollow')).toEqual({ noindex: false, nofollow: false });
    expect(headerRobots(['voiceagentbot: none'])).toEqual({ noindex: true, nofollow: true });
  });

  it('decodes by the charset in the header, else <meta charset>', () => {
    const latin1 = Buffer.from('<meta charset="iso-8859-1"><p>Caf\xe9</p>', 'latin1');
    expect(decodeHtml(latin1, 'text/html')).toContain('Café');
    expect(decodeHtml(Buffer.from('<p>Café</p>'), 'text/html; charset=utf-8')).toContain('Café');
  });
});

describe('sitemaps', () => {
  it('reads url sets, sitemap indexes and text sitemaps', () => {
    const urlset = `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc> https://e.com/a </loc></url><url><loc>https://e.com/b</loc></url></urlset>`;
    expect(parseSitemap(urlset)).toEqual({ pages: ['https://e.com/a', 'https://e.com/b'], sitemaps: [] });
    const index = `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://e.com/s1.xml</loc></sitemap></sitemapindex>`;
    expect(parseSitemap(index)).toEqual({ pages: [], sitemaps: ['https://e.com/s1.xml'] });
    expect(parseSitemap('https://e.com/a\nnot a url\nhttps://e.com/b\n').pages).toEqual(['https://e.com/a', 'https://e.com/b']);
  });
});
