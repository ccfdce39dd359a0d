import * as cheerio from 'cheerio';
import type { CrawledPage } from '../knowledge/crawler/crawl-types.js';
import type { ExtractedFact } from '../knowledge/extract/fact-types.js';
import { phoneValue } from '../knowledge/extract/phone-email.js';
import { isBusiness } from '../knowledge/extract/schema-facts.js';
import { jsonLdNodes, texts, type SchemaNode } from '../knowledge/extract/structured-data.js';
import { collapse, fold } from '../knowledge/extract/text.js';
import { isE164, normalizePhoneNumber } from '../telephony/phone-number.js';

/**
 * Who a crawled website says the business is: its name, its phone number (E.164, for transfers),
 * a line about what it does, its main services and its kind of business. Read from what the pages
 * state, most trustworthy first: schema.org JSON-LD, og:site_name, the extractor's facts, the
 * titles; each with where it came from, so a wrong pick can be explained.
 */
export interface SiteProfile {
  name?: string;
  nameSource?: 'jsonld' | 'og:site_name' | 'facts' | 'title';
  /** E.164, e.g. +15551234567. */
  phone?: string;
  phoneSource?: 'jsonld' | 'facts';
  /** One or two sentences about the business, from its description or about facts. */
  summary?: string;
  /** Names of services or products, most prominent first. */
  services: string[];
  /** A schema.org business type ("Dentist", "Plumber"), when the site declares one. */
  businessType?: string;
}

const NAME_MIN = 2;
const NAME_MAX = 80;
/** Template leftovers and page words that are not a business's name. */
const PLACEHOLDER = /your (website|company|business|site|name|brand)|company name|business name|lorem|ipsum|start ?bootstrap|\btheme\b|\btemplate\b|wordpress|wix|squarespace|^untitled|^just another/i;
const GENERIC_SEGMENT = /^(home|home ?page|welcome|index|main|about( us)?|contact( us)?|services?|products?|shop|store|blog|news|faq|menu|gallery|book(ing)?( an appointment)?|page not found|404)$/i;
const TITLE_SEPARATORS = /\s+[|–—\-:·•»]\s+|\s*[|–—·•»]\s*/;

export function siteProfile(pages: CrawledPage[], facts: ExtractedFact[], startUrl: string): SiteProfile {
  const html = orderPages(pages, startUrl).flatMap((page) => (page.html ? [{ url: page.url, $: cheerio.load(page.html) }] : []));
  const businesses = html.flatMap(({ $ }) => businessNodes(jsonLdNodes($)));

  const profile: SiteProfile = { services: services(facts) };
  const name =
    pick(businesses.flatMap((b) => texts(b['name']).slice(0, 1)), 'jsonld') ??
    pick(html.map(({ $ }) => collapse($('meta[property="og:site_name"]').attr('content') ?? '')), 'og:site_name') ??
    pick(facts.filter((f) => f.factKey === 'name').map((f) => /^The business is called (.+?)\.?$/.exec(f.content)?.[1] ?? ''), 'facts') ??
    nameFromTitles(html.map(({ $ }) => collapse($('title').first().text())));
  if (name) Object.assign(profile, name);

  const phone = phoneFrom(businesses, facts);
  if (phone) Object.assign(profile, phone);

  const description =
    businesses.flatMap((b) => texts(b['description']))[0] ??
    html.map(({ $ }) => collapse($('meta[name="description"]').attr('content') ?? $('meta[property="og:description"]').attr('content') ?? '')).find((d) => d.length >= 30);
  const about = facts.find((f) => f.category === 'about' && f.factKey === undefined && f.content.length >= 60)?.content;
  const summary = firstSentences(description || about || '', 300);
  if (summary) profile.summary = summary;

  const type = businesses.flatMap((b) => [b['@type']].flat()).find((t): t is string => typeof t === 'string' && !/^(Organization|LocalBusiness|Corporation)$/.test(t));
  if (type) profile.businessType = type;
  return profile;
}

/** The home page first (its name and phone are the business's own), then the rest in crawl order. */
function orderPages(pages: CrawledPage[], startUrl: string): CrawledPage[] {
  const home = (u: string) => {
    try {
      const { pathname } = new URL(u);
      return pathname === '/' || /^\/index\.\w+$/.test(pathname) || u === startUrl;
    } catch {
      return false;
    }
  };
  return [...pages.filter((p) => home(p.url)), ...pages.filter((p) => !home(p.url))];
}

/** schema.org business nodes, at any depth (a WebPage's `publisher`, an `@graph`). */
function businessNodes(nodes: SchemaNode[]): SchemaNode[] {
  const out: SchemaNode[] = [];
  const visit = (node: unknown, depth: number): void => {
    if (depth > 8 || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n) => visit(n, depth + 1));
    if (isBusiness(node as SchemaNode)) out.push(node as SchemaNode);
    for (const value of Object.values(node)) visit(value, depth + 1);
  };
  visit(nodes, 0);
  return out;
}

/** The most often stated plausible name (ties: the first seen, i.e. the home page's). */
function pick(raw: string[], source: NonNullable<SiteProfile['nameSource']>): { name: string; nameSource: SiteProfile['nameSource'] } | undefined {
  const counts = new Map<string, { name: string; count: number }>();
  for (const candidate of raw) {
    const name = cleanName(candidate);
    if (!name) continue;
    const key = fold(name);
    const seen = counts.get(key) ?? { name, count: 0 };
    seen.count++;
    counts.set(key, seen);
  }
  let best: { name: string; count: number } | undefined;
  for (const entry of counts.values()) if (!best || entry.count > best.count) best = entry;
  return best ? { name: best.name, nameSource: source } : undefined;
}

function cleanName(raw: string): string | undefined {
  const name = collapse(raw).replace(/^[\s"'“”]+|[\s"'“”.,;:!|–—-]+$/g, '');
  if (name.length < NAME_MIN || name.length > NAME_MAX || PLACEHOLDER.test(name) || GENERIC_SEGMENT.test(name) || !/[a-z]/i.test(name)) return undefined;
  return name;
}

/**
 * Titles are "Page — Brand" or "Brand | Tagline": the brand is the segment most titles share;
 * with one page, its first plausible segment.
 */
function nameFromTitles(titles: string[]): { name: string; nameSource: SiteProfile['nameSource'] } | undefined {
  const counts = new Map<string, { name: string; count: number; order: number }>();
  let order = 0;
  for (const title of titles) {
    const seenHere = new Set<string>();
    for (const segment of title.split(TITLE_SEPARATORS)) {
      const name = cleanName(segment);
      if (!name || name.length > 60 || seenHere.has(fold(name))) continue;
      seenHere.add(fold(name));
      const entry = counts.get(fold(name)) ?? { name, count: 0, order: order++ };
      entry.count++;
      counts.set(fold(name), entry);
    }
  }
  const best = [...counts.values()].sort((a, b) => b.count - a.count || a.order - b.order)[0];
  return best ? { name: best.name, nameSource: 'title' } : undefined;
}

/**
 * The number callers are transferred to: the business's JSON-LD telephone if it declares one,
 * else the main phone number stated on the most pages. Template numbers (555-000-0000,
 * 123-456-7890) lose to real-looking ones.
 */
function phoneFrom(businesses: SchemaNode[], facts: ExtractedFact[]): Pick<SiteProfile, 'phone' | 'phoneSource'> | undefined {
  for (const raw of businesses.flatMap((b) => texts(b['telephone']))) {
    const phone = toE164(phoneValue(raw) ?? (raw.trim().startsWith('+') ? raw.replace(/\D/g, '') : undefined), raw);
    if (phone) return { phone, phoneSource: 'jsonld' };
  }
  const pagesFor = new Map<string, Set<string>>();
  for (const f of facts) {
    if (f.factKey !== 'phone' || !f.value) continue;
    const pages = pagesFor.get(f.value) ?? new Set<string>();
    pages.add(f.sourceUrl);
    pagesFor.set(f.value, pages);
  }
  const ranked = [...pagesFor].sort(([a, pa], [b, pb]) => Number(looksMadeUp(a)) - Number(looksMadeUp(b)) || pb.size - pa.size);
  for (const [value] of ranked) {
    const phone = toE164(value);
    if (phone) return { phone, phoneSource: 'facts' };
  }
  return undefined;
}

/**
 * The extractor's phone value (10 digits for North American numbers, country code first for the
 * rest) in E.164, checked with the same rule as every number the API accepts.
 */
function toE164(value: string | undefined, raw?: string): string | undefined {
  if (!value) return undefined;
  // Ten digits are a North American number without its 1, unless the site wrote "+<other code>".
  const written = raw?.trim() ?? '';
  const northAmerican = value.length === 10 && !(written.startsWith('+') && !written.replace(/\D/g, '').startsWith('1'));
  const candidate = normalizePhoneNumber(northAmerican ? `+1${value}` : `+${value}`);
  return isE164(candidate) ? candidate : undefined;
}

function looksMadeUp(value: string): boolean {
  const local = value.slice(-7);
  return /^(\d)\1+$/.test(local.slice(-4)) || /1234567|0123456|9876543/.test(value) || /^(\d)\1+$/.test(value);
}

/** Service and product names, from facts filed under services (titles that are not whole sentences). */
function services(facts: ExtractedFact[]): string[] {
  const out = new Map<string, string>();
  for (const f of facts) {
    if (f.category !== 'services' && f.category !== 'products') continue;
    const title = collapse(f.title.replace(/^(price|service|product)s?:\s*/i, ''));
    if (title.length < 3 || title.length > 60 || /[?!]$/.test(title) || /\b(we|our|you|your)\b/i.test(title)) continue;
    // Headings about the list ("Most requested services", "Comprehensive Dental Services") are not services.
    if (/^(?:(?:most|all|other|more|popular|featured|comprehensive|additional|main)\b.*\s)?(?:services|products)$/i.test(title)) continue;
    const key = fold(title.replace(/\s+services$/i, '')).replace(/s\b/g, ''); // "Tooth Extractions" is "Tooth Extraction"
    if (!out.has(key)) out.set(key, title);
    if (out.size >= 8) break;
  }
  return [...out.values()];
}

function firstSentences(text: string, max: number): string {
  const clean = collapse(text);
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max);
  const end = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('! '), cut.lastIndexOf('? '));
  return end > 40 ? cut.slice(0, end + 1) : `${cut.slice(0, cut.lastIndexOf(' '))}…`;
}
