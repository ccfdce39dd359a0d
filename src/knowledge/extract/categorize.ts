import { categoryKeys } from '../categories.js';
import type { Candidate } from './candidate.js';
import { KEYWORDS } from './category-keywords.js';
import { fold } from './text.js';

/**
 * The deterministic categoriser: files every candidate under one of the 18 categories, with the
 * reason it won. Structured facts are filed by kind (hours → hours, phone → contact); FAQ pairs,
 * services and content sections by scores from the page URL and title, the headings above them
 * and keyword hits in their text. Same input, same output; no model involved.
 */

export interface PageContext {
  url: string;
  title: string;
  /** Categories the URL path and page title point to, strongest last-segment first. */
  priors: { category: string; weight: number; why: string }[];
}

export interface Categorized {
  category: string;
  reason: string;
}

/** URL path words → category. Checked against each path segment without its extension. */
const URL_RULES: [RegExp, string][] = [
  [/^(privacy|privacy-policy|terms|terms-of-service|terms-and-conditions|tos|cookies?|cookie-policy|legal|refunds?|returns|refund-policy|return-policy|warranty|disclaimer|cancellation-policy|policies|policy)$/, 'policies'],
  [/^(faqs?|questions|frequently-asked-questions|help)$/, 'faq'],
  [/^(about|about-us|our-story|who-we-are|history|company|story)$/, 'about'],
  [/^(contact|contact-us|get-in-touch)$/, 'contact'],
  [/^(book|booking|bookings|appointments?|book-online|schedule|reservations?|reserve|book-now|booking-success)$/, 'booking'],
  [/^(directions|locations?|find-us|map|visit|visit-us|getting-here|parking)$/, 'location'],
  [/^(hours|opening-hours|opening-times)$/, 'hours'],
  [/^(pricing|prices|price-list|rates|fees|cost|costs)$/, 'pricing'],
  [/^(menu|menus|products|shop|catalog|catalogue)$/, 'products'],
  [/^(team|our-team|staff|people|doctors|dentists|meet-the-team|meet-us|providers)$/, 'team'],
  [/^(reviews|testimonials|awards|certifications|credentials|accreditations)$/, 'credentials'],
  [/^(specials|offers|promotions|coupons|deals|gift-cards?)$/, 'promotions'],
  [/^(news|events|blog|press|calendar|announcements)$/, 'news_events'],
  [/^(insurance|payments?|financing|billing|payment-options)$/, 'payment'],
  [/^(service-areas?|areas-we-serve|areas-served|coverage)$/, 'service_area'],
  [/^(emergency|emergency-care|emergencies|24-7|urgent|urgent-care|after-hours)$/, 'emergency'],
  [/^(amenities|facilities|accessibility)$/, 'amenities'],
  [/^(services?|what-we-do|treatments?|general-dentistry|cosmetic-dentistry|repairs?|installations?)$/, 'services'],
];

/** Title words → category (the page title is a weaker hint than the URL). */
function titleCategory(title: string): string | undefined {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  for (const [re, category] of URL_RULES) if (re.test(slug)) return category;
  const words = title.toLowerCase();
  if (/privacy|terms of|cookie policy|refund policy/.test(words)) return 'policies';
  if (/frequently asked|faq/.test(words)) return 'faq';
  if (/^about\b/.test(words)) return 'about';
  if (/^contact\b/.test(words)) return 'contact';
  if (/\bbook(ing)?\b|appointment/.test(words)) return 'booking';
  if (/emergency/.test(words)) return 'emergency';
  if (/directions/.test(words)) return 'location';
  if (/^services?\b/.test(words)) return 'services';
  return undefined;
}

export function pageContext(url: string, title: string): PageContext {
  const priors: PageContext['priors'] = [];
  let path = '';
  try {
    const u = new URL(url);
    path = `${u.pathname}${u.hash.startsWith('#/') ? u.hash.slice(1) : ''}`;
  } catch {
    path = url;
  }
  const segments = path.toLowerCase().split('/').map((s) => s.replace(/\.[a-z0-9]+$/, '').replace(/\.html?$/, '')).filter(Boolean);
  segments.forEach((segment, i) => {
    for (const [re, category] of URL_RULES) {
      if (re.test(segment)) {
        priors.push({ category, weight: i === segments.length - 1 ? 4 : 2, why: `url /${segment}` });
        break;
      }
    }
  });
  // The home page introduces the business: with nothing more specific, its words are about it.
  if (segments.length === 0 || /^(index|home|default)$/.test(segments[segments.length - 1] ?? '')) priors.push({ category: 'about', weight: 2, why: 'home page' });
  const fromTitle = titleCategory(title);
  if (fromTitle) priors.push({ category: fromTitle, weight: 2, why: `title "${title}"` });
  return { url, title, priors };
}

const BY_KIND: Partial<Record<Candidate['kind'], string>> = {
  hours: 'hours', phone: 'contact', email: 'contact', social: 'contact', address: 'location', founded: 'about',
  years: 'about', name: 'about', description: 'about', price_range: 'pricing', team: 'team', service_area: 'service_area',
  payment: 'payment', event: 'news_events',
};

type Scores = Map<string, { score: number; why: string[] }>;

function addScore(scores: Scores, category: string, points: number, why: string): void {
  if (points <= 0) return;
  const entry = scores.get(category) ?? { score: 0, why: [] };
  entry.score += points;
  entry.why.push(`${why} +${Math.round(points * 10) / 10}`);
  scores.set(category, entry);
}

/**
 * Keyword hits in `text`, each keyword counted at most `cap` times, times `factor`, at most
 * `maxPoints` per category: a long text must not outvote its own heading by sheer length.
 */
function scoreText(scores: Scores, text: string, factor: number, label: string, cap = 3, maxPoints = Infinity): void {
  if (!text) return;
  const lower = text.toLowerCase();
  for (const key of categoryKeys) {
    let points = 0;
    const hits: string[] = [];
    for (const kw of KEYWORDS[key] ?? []) {
      if (!lower.includes(kw.phrase)) continue; // cheap test before the word-boundary regex
      kw.pattern.lastIndex = 0;
      const count = Math.min(cap, (text.match(kw.pattern) ?? []).length);
      if (count > 0) {
        points += kw.weight * count;
        hits.push(count > 1 ? `${kw.phrase}×${count}` : kw.phrase);
      }
    }
    if (points > 0) addScore(scores, key, Math.min(maxPoints, points * factor), `${label}[${hits.slice(0, 4).join(',')}]`);
  }
}

function best(scores: Scores): { category: string; score: number; why: string[] } | undefined {
  let top: { category: string; score: number; why: string[] } | undefined;
  // Ties go to the category listed first in categories.json, so the result never depends on map order.
  for (const key of categoryKeys) {
    const s = scores.get(key);
    if (s && (!top || s.score > top.score)) top = { category: key, ...s };
  }
  return top;
}

const PARKING = /parking|garage|getting here|transport|directions|transit/i;
const FAQ_THRESHOLD = 8;

export function categorize(c: Candidate, page: PageContext): Categorized {
  if (c.category) return { category: c.category, reason: `extractor: ${c.kind}` };
  const headings = c.headings ?? [];
  const fixed = BY_KIND[c.kind];
  if (fixed) return { category: fixed, reason: `kind: ${c.kind}` };
  if (c.kind === 'price') {
    const near = headings.slice(-2).join(' ');
    return PARKING.test(near) ? { category: 'location', reason: `price under "${near}"` } : { category: 'pricing', reason: 'kind: price' };
  }

  const legal = page.priors.find((p) => p.category === 'policies' && p.why.startsWith('url'));
  if (legal && c.kind !== 'faq') return { category: 'policies', reason: `legal page (${legal.why})` };

  if (c.kind === 'faq') {
    // A published Q&A stays under faq unless its question or its group heading clearly says
    // otherwise; the answer only breaks ties between categories the question already points to.
    const direct: Scores = new Map();
    scoreText(direct, c.title, 3, 'question');
    scoreText(direct, c.context ?? '', 2, 'group');
    const total: Scores = new Map([...direct].map(([k, v]) => [k, { score: v.score, why: [...v.why] }]));
    scoreText(total, c.content, 0.5, 'answer', 2);
    // One specific service word in a question ("Does whitening hurt?") is not enough; a topic
    // word ("price", "insurance") or a group heading is.
    for (const key of [...total.keys()]) if (key === 'faq' || (direct.get(key)?.score ?? 0) < FAQ_THRESHOLD) total.delete(key);
    const top = best(total);
    if (top) return { category: top.category, reason: top.why.join('; ') };
    return { category: 'faq', reason: 'faq: no other category named by the question or its group' };
  }

  const scores: Scores = new Map();
  for (const p of page.priors) addScore(scores, p.category, p.weight, p.why);
  const last = headings[headings.length - 1] ?? '';
  scoreText(scores, c.kind === 'section' ? last : c.title, 3, `heading "${last || c.title}"`);
  // The heading just above counts most of the outer ones ("Customer reviews" over a review
  // card); a page-level heading that repeats the page title is already counted as the title.
  const title = fold(page.title);
  headings.slice(0, -1).forEach((h, i, outer) => {
    const f = fold(h);
    if (title && f && (title.includes(f) || f.includes(title))) return;
    scoreText(scores, h, i === outer.length - 1 ? 1.5 : 0.5, `outer heading "${h}"`);
  });
  if (c.context) scoreText(scores, c.context, 1.5, 'kicker');
  if (c.classHint) scoreText(scores, c.classHint, 1, 'class', 1, 4);
  scoreText(scores, c.content, 1, 'text', 3, 10);
  if (c.kind === 'service') addScore(scores, 'services', 5, 'kind: service');
  const top = best(scores);
  if (!top) return { category: c.kind === 'service' ? 'services' : 'about', reason: 'no signal: default' };
  scores.delete(top.category);
  const second = best(scores);
  return { category: top.category, reason: `${Math.round(top.score)}: ${top.why.join('; ')}${second ? ` | runner-up ${second.category} ${Math.round(second.score)}` : ''}` };
}
