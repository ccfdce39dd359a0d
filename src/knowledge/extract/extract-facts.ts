import * as cheerio from 'cheerio';
import type { Element } from 'domhandler';
import type { CrawledPage } from '../crawler/crawl-types.js';
import { collectBlocks, type Block } from './blocks.js';
import type { Candidate, CandidateKind } from './candidate.js';
import { categorize, pageContext, type PageContext } from './categorize.js';
import { findContacts } from './contact.js';
import { findMainRoot, removeJunk, stripBoilerplate } from './dom-cleanup.js';
import { findEvents } from './events.js';
import { findFaqs } from './faq.js';
import type { ExtractedFact } from './fact-types.js';
import { findFounding } from './founding.js';
import { findHours } from './hours-find.js';
import { findPrices } from './prices.js';
import { schemaCandidates } from './schema-facts.js';
import { buildSections } from './sections.js';
import { jsonLdNodes, microdataNodes } from './structured-data.js';
import { cleanTitle, collapse, fold } from './text.js';

/**
 * extractFacts(page): one crawled page → categorised facts. The order of work matters:
 * structured data is read before scripts are dropped; contact details, hours and the founding
 * year are read from the whole page (footer included); FAQ pairs, hours lists, price items and
 * dated items are taken out of the main content before what is left becomes content sections,
 * so nothing is said twice.
 */

/** An extracted fact with the kind of extractor and the categoriser's reason, for debugging. */
export interface DetailedFact extends ExtractedFact {
  kind: CandidateKind;
  reason: string;
}

/** Text beyond this is not read: a page that long is a dump, and the first part carries the business. */
const MAX_TEXT_CHARS = 400_000;
const MAX_FACTS = 300;

export function extractFacts(page: CrawledPage): ExtractedFact[] {
  return extractFactsDetailed(page).map(({ kind: _kind, reason: _reason, ...fact }) => fact);
}

export function extractFactsDetailed(page: CrawledPage): DetailedFact[] {
  if (page.status >= 400) return [];
  if (page.html) return fromHtml(page.url, page.html);
  if (page.text) return fromText(page.url, page.text);
  return [];
}

function fromHtml(url: string, html: string): DetailedFact[] {
  const $ = cheerio.load(html);
  const title = collapse($('title').first().text());
  const context = pageContext(url, cleanTitle(title));

  const structured = [...schemaCandidates(jsonLdNodes($), 'jsonld'), ...schemaCandidates(microdataNodes($), 'microdata')];
  const siteName = collapse($('meta[property="og:site_name"]').attr('content') ?? '');
  if (siteName) structured.push({ kind: 'name', title: 'Business name', content: `The business is called ${siteName}.`, factKey: 'name', value: fold(siteName), origin: 'dom' });

  removeJunk($);
  const body = $('body').length ? $('body').toArray() : ($.root().children().toArray() as Element[]);
  const pageBlocks = collectBlocks(body, { maxChars: MAX_TEXT_CHARS });
  const contacts = findContacts($, pageBlocks);
  const hours = findHours(pageBlocks);
  const founding = findFounding(pageBlocks);

  const root = findMainRoot($);
  stripBoilerplate($, root);
  const faqs = findFaqs($, root);
  const consumed = new Set<Element>([...faqs.elements, ...hours.flatMap((h) => h.elements)]);
  let mainBlocks = collectBlocks(root.toArray(), { skip: consumed, skipButtons: true, maxChars: MAX_TEXT_CHARS });
  const prices = findPrices(mainBlocks);
  const events = findEvents($, root, mainBlocks);
  for (const el of [...prices.elements, ...events.elements]) consumed.add(el);
  mainBlocks = mainBlocks.filter((b) => !isConsumed(b, consumed));
  const sections = buildSections(mainBlocks, context.title);

  // Visible facts first: where the page and its JSON-LD agree, the page's wording is kept.
  const candidates: Candidate[] = [
    ...contacts,
    ...hours.map((h) => h.candidate),
    ...founding,
    ...structured,
    ...faqs.candidates,
    ...prices.candidates,
    ...events.candidates,
    ...sections,
  ];
  return finish(candidates, context);
}

function isConsumed(block: Block, consumed: Set<Element>): boolean {
  for (let el: Element | null = block.el; el && el.type === 'tag'; el = el.parent as Element | null) {
    if (consumed.has(el)) return true;
  }
  return false;
}

/** Plain-text documents (PDFs): paragraphs become sections; contacts and founding still apply. */
function fromText(url: string, text: string): DetailedFact[] {
  const $ = cheerio.load('<body></body>');
  const paragraphs = text.slice(0, MAX_TEXT_CHARS).split(/\n\s*\n/).map((p) => p.split('\n').map(collapse).filter(Boolean)).filter((p) => p.length);
  const body = $('body')[0] as Element;
  const blocks: Block[] = paragraphs.map((lines) => ({ el: body, tag: 'p', lines, group: body, headings: [] }));
  const context = pageContext(url, '');
  const hours = findHours(blocks).map((h) => h.candidate);
  return finish([...findContacts($, blocks), ...hours, ...findFounding(blocks), ...buildSections(blocks, 'Document')], context);
}

/** Categorise, then drop repeats: one fact per factKey+value, one per identical title+content. */
function finish(candidates: Candidate[], context: PageContext): DetailedFact[] {
  const out: DetailedFact[] = [];
  const keys = new Set<string>();
  const contents = new Set<string>();
  for (const c of candidates) {
    const content = collapse(c.content);
    const title = collapse(c.title);
    if (!content || !title) continue;
    const keyed = c.factKey && c.value ? `${c.factKey}\u0000${c.value}` : undefined;
    if (keyed && keys.has(keyed)) continue;
    const textKey = `${fold(title)}\u0000${fold(content)}`;
    // A section or service that repeats a fact already said (a FAQ answer, a description) adds nothing.
    if (contents.has(textKey) || ((c.kind === 'section' || c.kind === 'service') && contents.has(`\u0000${fold(content)}`))) continue;
    if (keyed) keys.add(keyed);
    contents.add(textKey);
    contents.add(`\u0000${fold(content)}`);
    const { category, reason } = categorize(c, context);
    out.push({
      category,
      title: title.length > 120 ? `${title.slice(0, 117)}…` : title,
      content,
      sourceUrl: context.url,
      ...(c.factKey && c.value ? { factKey: c.factKey, value: c.value } : {}),
      kind: c.kind,
      reason,
    });
    if (out.length >= MAX_FACTS) break;
  }
  return out;
}
