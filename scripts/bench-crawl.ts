/**
 * Crawler benchmark. Run: npx tsx scripts/bench-crawl.ts [--runs 5]
 * Serves the fixture websites (and the JavaScript-rendered test site) on 127.0.0.1 and measures
 * per site the crawl time static and, through Chromium, rendered; plus throughput in pages/second
 * on a generated 200-page site (static) and 24-page site (every page rendered). Medians of
 * `--runs` runs after one warm-up. Prints tables and writes data/bench/crawl.json.
 */
import type http from 'node:http';
import { fileURLToPath } from 'node:url';
import { ChromiumRenderer, crawlSite, findChromium, type CrawlOptions } from '../src/knowledge/crawler/index.js';
import { serveSite, type TestSite } from '../tests/helpers/static-site-server.js';
import { printTable, writeBenchJson, type Row } from './lib/bench-report.js';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Math.max(1, Number(process.argv[runsArg + 1]) || 5) : 5;
const SITES = fileURLToPath(new URL('../../shared/fixtures/sites/', import.meta.url));
const JS_SITE = fileURLToPath(new URL('../tests/fixtures-js-site/site/', import.meta.url));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Measure {
  pages: number;
  rendered: number;
  medianMs: number;
  bestMs: number;
}

/** Crawls `url` once to warm up, then RUNS times; the page count must not vary between runs. */
async function measure(url: string, options: CrawlOptions, runs = RUNS): Promise<Measure> {
  await crawlSite(url, options);
  const times: number[] = [];
  let pages = -1;
  let rendered = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = await crawlSite(url, options);
    times.push(performance.now() - t0);
    if (pages >= 0 && r.pages.length !== pages) throw new Error(`${url}: ${r.pages.length} pages, then ${pages}`);
    pages = r.pages.length;
    rendered = r.stats.pagesRendered;
  }
  return { pages, rendered, medianMs: median(times), bestMs: Math.min(...times) };
}

/** A generated site: `count` pages, each linking the next ten, with ~2 KB of text. */
function generatedSite(count: number): Record<string, (q: http.IncomingMessage, r: http.ServerResponse) => void> {
  const routes: Record<string, (q: http.IncomingMessage, r: http.ServerResponse) => void> = {};
  const text = 'We repair boilers, unblock drains and fit bathrooms across the county, seven days a week. '.repeat(24);
  for (let i = 0; i < count; i++) {
    const links = Array.from({ length: 10 }, (_, k) => `<a href="/p/${(i * 10 + k + 1) % count}">page ${k}</a>`).join(' ');
    routes[i === 0 ? '/' : `/p/${i}`] = (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><head><title>Page ${i}</title></head><body><h1>Page ${i}</h1><nav>${links}</nav><p>${text}</p></body></html>`);
    };
  }
  routes['/p/0'] = routes['/']!;
  return routes;
}

const servers: TestSite[] = [];
const serve = async (...args: Parameters<typeof serveSite>) => {
  const s = await serveSite(...args);
  servers.push(s);
  return s;
};

const siteRows: Row[] = [];
const throughputRows: Row[] = [];
const results: Record<string, unknown> = {};
const chromium = findChromium();
const renderer = chromium ? new ChromiumRenderer({ maxParallel: 2 }) : undefined;

try {
  // Chromium cold start: launch plus the first page.
  let coldStartMs: number | undefined;
  if (renderer) {
    const js = await serve(JS_SITE);
    const t0 = performance.now();
    await renderer.render(js.origin + '/', { timeoutMs: 30_000, allowPrivate: true });
    coldStartMs = performance.now() - t0;
  }

  for (const name of ['flowmaster-plumbing', 'wisdom-bites-dental', 'business-casual-coffee']) {
    const site = await serve(SITES + name);
    const url = site.origin + '/';
    const stat = await measure(url, { allowPrivate: true });
    const rend = renderer ? await measure(url, { allowPrivate: true, renderer, renderMode: 'always' }, Math.min(RUNS, 3)) : undefined;
    siteRows.push({
      site: name, pages: stat.pages, 'static ms': stat.medianMs, 'static best ms': stat.bestMs,
      'rendered ms': rend?.medianMs, 'rendered pages': rend?.rendered,
    });
    results[name] = { static: stat, renderedAlways: rend };
  }
  if (renderer) {
    const js = await serve(JS_SITE);
    const spa = await measure(js.origin + '/', { allowPrivate: true, renderer }, Math.min(RUNS, 3));
    siteRows.push({ site: 'js-site (hash routes, auto)', pages: spa.pages, 'static ms': undefined, 'static best ms': undefined, 'rendered ms': spa.medianMs, 'rendered pages': spa.rendered });
    results['js-site'] = spa;
  }

  const big = await serve(null, { routes: generatedSite(200) });
  const staticTp = await measure(big.origin + '/', { allowPrivate: true, maxPages: 200, maxDepth: 10 });
  throughputRows.push({ mode: 'static, concurrency 4 (2 per host)', pages: staticTp.pages, 'median ms': staticTp.medianMs, 'pages/s': (staticTp.pages * 1000) / staticTp.medianMs, 'best pages/s': (staticTp.pages * 1000) / staticTp.bestMs });
  results.staticThroughput = { ...staticTp, pagesPerSecond: (staticTp.pages * 1000) / staticTp.medianMs };

  if (renderer) {
    const small = await serve(null, { routes: generatedSite(24) });
    const renderTp = await measure(small.origin + '/', { allowPrivate: true, maxPages: 24, maxDepth: 10, renderer, renderMode: 'always' }, Math.min(RUNS, 3));
    throughputRows.push({ mode: 'rendered, 2 pages in parallel', pages: renderTp.pages, 'median ms': renderTp.medianMs, 'pages/s': (renderTp.pages * 1000) / renderTp.medianMs, 'best pages/s': (renderTp.pages * 1000) / renderTp.bestMs });
    results.renderedThroughput = { ...renderTp, pagesPerSecond: (renderTp.pages * 1000) / renderTp.medianMs };
    throughputRows.push({ mode: 'Chromium cold start (launch + 1 page)', pages: 1, 'median ms': coldStartMs });
    results.chromiumColdStartMs = coldStartMs;
  }

  printTable(`Crawl time per fixture site (median of ${RUNS} static, ${Math.min(RUNS, 3)} rendered runs)`, siteRows);
  printTable('Throughput', throughputRows);
  if (!renderer) console.log('\n(no Chromium found: rendered rows skipped; set CHROMIUM_PATH)');
  const file = writeBenchJson('crawl', { runs: RUNS, chromium: chromium ?? null, sites: siteRows, throughput: throughputRows, results });
  console.log(`\nwrote ${file}`);
} finally {
  await renderer?.close();
  for (const s of servers) await s.close();
}
