import { describe, expect, it } from 'vitest';
import type { CrawledPage } from '../knowledge/crawler/crawl-types.js';
import { extractFacts } from '../knowledge/extract/extract-facts.js';
import { fillTemplate, placeholderName } from './agent-from-url.js';
import { siteProfile } from './site-profile.js';

const page = (path: string, html: string): CrawledPage => ({
  url: `https://example.org${path}`,
  finalUrl: `https://example.org${path}`,
  status: 200,
  contentType: 'text/html',
  html,
  rendered: false,
  depth: path === '/' ? 0 : 1,
  bytes: html.length,
});
const profileOf = (...pages: CrawledPage[]) => siteProfile(pages, pages.flatMap((p) => extractFacts(p)), 'https://example.org/');

describe('siteProfile', () => {
  it('takes the JSON-LD business name and telephone over everything else', () => {
    const home = page(
      '/',
      `<html><head><title>Welcome | Totally Different</title><meta property="og:site_name" content="OG Name">
      <script type="application/ld+json">{"@context":"https://schema.org","@type":"Plumber","name":"Acme Pipes","telephone":"+1 (212) 555-0142"}</script></head>
      <body><p>Call (646) 555-0199 today.</p></body></html>`,
    );
    expect(profileOf(home)).toMatchObject({ name: 'Acme Pipes', nameSource: 'jsonld', phone: '+12125550142', phoneSource: 'jsonld', businessType: 'Plumber' });
  });

  it('falls back to og:site_name, then to the title segment the pages share, skipping template words', () => {
    expect(profileOf(page('/', '<html><head><title>Home</title><meta property="og:site_name" content="Rosa\'s Bakery"></head><body></body></html>'))).toMatchObject({
      name: "Rosa's Bakery",
      nameSource: 'og:site_name',
    });
    const titled = profileOf(
      page('/', '<html><head><title>Green Leaf Florist - Start Bootstrap Theme</title></head><body><p>Flowers.</p></body></html>'),
      page('/about.html', '<html><head><title>About Us | Green Leaf Florist</title></head><body><p>About.</p></body></html>'),
    );
    expect(titled).toMatchObject({ name: 'Green Leaf Florist', nameSource: 'title' });
  });

  it('picks the phone stated on the most pages, and never a template number over a real one', () => {
    const footer = '<footer><p>Phone: (303) 555-0187</p></footer>';
    const profile = profileOf(
      page('/', `<html><body><p>Hi.</p>${footer}</body></html>`),
      page('/a', `<html><body><p>A.</p>${footer}</body></html>`),
      page('/contact', '<html><body><p>Phone: <a href="tel:+15550000000">+1 (555) 000-0000</a></p><p>Phone: (720) 555-0101</p></body></html>'),
      page('/b', '<html><body><p>Call +1 (555) 000-0000</p></body></html>'),
      page('/c', '<html><body><p>Call +1 (555) 000-0000</p></body></html>'),
    );
    expect(profile.phone).toBe('+13035550187');
  });

  it('gives no name or phone when the site states none', () => {
    const profile = profileOf(page('/', '<html><head><title>Home</title></head><body><p>Hello there.</p></body></html>'));
    expect(profile.name).toBeUndefined();
    expect(profile.phone).toBeUndefined();
  });
});

describe('the agent template', () => {
  it('fills every placeholder and refuses to leave one unfilled', () => {
    expect(fillTemplate('Hi {{a}}, {{b}}.\n\n\n\nBye', { a: 'x', b: 'y' })).toBe('Hi x, y.\n\nBye');
    expect(() => fillTemplate('Hi {{a}} {{missing}}', { a: 'x' })).toThrow(/\{\{missing\}\}/);
  });

  it('names a new agent after the URL host until the site says better', () => {
    expect(placeholderName('https://www.flowmaster.example/contact')).toBe('flowmaster.example');
    expect(placeholderName('http://127.0.0.1:8080/')).toBe('127.0.0.1');
  });
});
