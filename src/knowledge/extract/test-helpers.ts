import { readFileSync } from 'node:fs';
import type { CrawledPage } from '../crawler/crawl-types.js';
import type { ExtractedFact } from './fact-types.js';

/** Test helpers: fixture pages as the crawler would hand them over, and site-level conflict lookup. */

export const SITES = new URL('../../../../shared/fixtures/sites/', import.meta.url);

export function htmlPage(url: string, html: string): CrawledPage {
  return { url, finalUrl: url, status: 200, contentType: 'text/html', html, rendered: false, depth: 0, bytes: Buffer.byteLength(html) };
}

/** A fixture file as a crawled page at https://<site>.test/<path>. */
export function fixturePage(site: string, path: string): CrawledPage {
  const html = readFileSync(new URL(`${site}/${path}`, SITES), 'utf8');
  return htmlPage(`https://${site}.test/${path}`, html);
}

/** Single-valued facts whose values disagree across (or within) pages: factKey → value → source URLs. */
export function conflicts(facts: ExtractedFact[]): Map<string, Map<string, string[]>> {
  const byKey = new Map<string, Map<string, string[]>>();
  for (const f of facts) {
    if (!f.factKey || !f.value) continue;
    const values = byKey.get(f.factKey) ?? new Map<string, string[]>();
    const urls = values.get(f.value) ?? [];
    if (!urls.includes(f.sourceUrl)) urls.push(f.sourceUrl);
    values.set(f.value, urls);
    byKey.set(f.factKey, values);
  }
  return new Map([...byKey].filter(([, values]) => values.size > 1));
}

export function find(facts: ExtractedFact[], predicate: (f: ExtractedFact) => boolean): ExtractedFact {
  const fact = facts.find(predicate);
  if (!fact) throw new Error(`no matching fact among:\n${facts.map((f) => `  [${f.category}] ${f.title}: ${f.content.slice(0, 80)}`).join('\n')}`);
  return fact;
}
