/**
 * Single-valued facts (phone, email, address, hours, founding year) for the offline answerer,
 * with the site's disagreements settled as honestly as the evidence allows.
 *
 * When pages disagree (the fact is flagged `conflict`), each value gets an authority score:
 *   - the best page it appears on: a contact page 3; about / location / store / hours pages 2;
 *     legal pages (privacy, terms, cookies) 0, since they are often untouched templates; any other
 *     page 1. The sync keeps a repeated fact once, from the first page crawled, so the pages of
 *     other entries that repeat the value (an FAQ answer quoting the number) count too;
 *   - plus corroboration: how many other entries mention the same value (capped at 3), because a
 *     number repeated in the FAQ answers is the one the business actually uses;
 *   - a placeholder (a phone whose last seven digits are all the same, such as 555-000-0000)
 *     ranks below everything.
 * One value is spoken alone only when it beats every other by at least 2 points ("settled");
 * otherwise the answer says that the website lists more than one and gives both, rather than
 * guessing.
 */
import type { KnowledgeEntryRow } from '../../db/queries/knowledge.js';
import { categoryKeys } from '../../knowledge/categories.js';
import type { KnowledgeLookup } from './knowledge-lookup.js';

export type FactKey = 'phone' | 'email' | 'address' | 'hours' | 'founded';

export interface ChosenFact {
  best: KnowledgeEntryRow;
  /** Other values the site gives, most authoritative first (empty when there is no conflict). */
  rivals: KnowledgeEntryRow[];
  /** True when `best` is the only value, or clearly the most authoritative one. */
  settled: boolean;
}

const CATEGORY: Record<FactKey, string> = { phone: 'contact', email: 'contact', address: 'location', hours: 'hours', founded: 'about' };
/** Owner-written entries may carry no fact key: recognised by title. */
const MANUAL_TITLE: Record<FactKey, RegExp> = { phone: /phone|call/i, email: /e-?mail/i, address: /address/i, hours: /hours/i, founded: /founded|history|since/i };
export const SETTLED_MARGIN = 2;

export function pageWeight(sourceUrl: string | null): number {
  if (!sourceUrl) return 1;
  let path: string;
  try {
    path = new URL(sourceUrl).pathname.toLowerCase();
  } catch {
    return 1;
  }
  if (/contact/.test(path)) return 3;
  if (/about|location|store|visit|find|direction|hours|our-story/.test(path)) return 2;
  if (/privacy|terms|cookie|legal|disclaimer|policy/.test(path)) return 0;
  return 1;
}

function isPlaceholder(key: FactKey, value: string | null): boolean {
  return key === 'phone' && !!value && /(\d)\1{6}$/.test(value.replace(/\D/g, ''));
}

/** Whether an entry's text repeats this value (the evidence that a value is the one in use). */
function mentions(key: FactKey, fact: KnowledgeEntryRow, entry: KnowledgeEntryRow): boolean {
  const text = `${entry.title} ${entry.content}`;
  switch (key) {
    case 'phone': {
      const digits = (fact.factValue ?? fact.content).replace(/\D/g, '').slice(-10);
      return digits.length >= 7 && text.replace(/[\s().+-]/g, '').includes(digits);
    }
    case 'email':
      return !!fact.factValue && text.toLowerCase().includes(fact.factValue.toLowerCase());
    case 'address': {
      const street = fact.content.replace(/^the address is\s+/i, '').split(',')[0]?.trim().toLowerCase();
      return !!street && street.length > 4 && text.toLowerCase().includes(street);
    }
    case 'founded':
      return !!fact.factValue && new RegExp(`\\b(founded|established|since|opened|started)\\b[^.]*\\b${fact.factValue}\\b`, 'i').test(text);
    case 'hours':
      return false;
  }
}

/** Every entry the agent has (for corroboration); only read when a conflict needs settling. */
function allEntries(lookup: KnowledgeLookup): KnowledgeEntryRow[] {
  return categoryKeys.flatMap((c) => lookup.byCategory(c));
}

export function chooseFact(lookup: KnowledgeLookup, key: FactKey): ChosenFact | undefined {
  const inCategory = lookup.byCategory(CATEGORY[key]);
  // The owner's own entry settles the question: they edit a conflicting entry to resolve it.
  const manual = inCategory.find((e) => e.origin === 'manual' && (e.factKey === key || MANUAL_TITLE[key].test(e.title)));
  if (manual) return { best: manual, rivals: [], settled: true };
  const facts = inCategory.filter((e) => e.factKey === key);
  const byValue = new Map<string, KnowledgeEntryRow[]>();
  for (const f of facts) byValue.set(f.factValue ?? f.content, [...(byValue.get(f.factValue ?? f.content) ?? []), f]);
  const values = [...byValue.values()];
  if (values.length === 0) return undefined;
  if (values.length === 1) return { best: values[0]![0]!, rivals: [], settled: true };

  const everything = allEntries(lookup).filter((e) => !e.factKey);
  const scored = values
    .map((group) => {
      const fact = group[0]!;
      if (isPlaceholder(key, fact.factValue)) return { fact, score: -10 };
      // A fact repeated on several pages is stored once, from the first page crawled (which varies),
      // so the pages of the entries that repeat it count as its pages too.
      const backers = everything.filter((e) => mentions(key, fact, e));
      const page = Math.max(...[...group, ...backers].map((f) => pageWeight(f.sourceUrl)));
      return { fact, score: page + Math.min(3, backers.length) };
    })
    .sort((a, b) => b.score - a.score);
  const [first, second] = scored as [(typeof scored)[number], (typeof scored)[number]];
  const rivals = scored.slice(1).filter((s) => s.score > -10).map((s) => s.fact);
  return { best: first.fact, rivals, settled: first.score - second.score >= SETTLED_MARGIN };
}

/** Minutes from midnight; [] for a day the business is closed. */
export type Ranges = [number, number][];

const CODES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
export const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** The canonical hours value ("mon 07:00-20:00; … sun closed") → per-day ranges; days it omits are unknown. */
export function parseHoursValue(value: string | null): Map<number, Ranges> | undefined {
  if (!value) return undefined;
  const week = new Map<number, Ranges>();
  for (const part of value.split(';')) {
    const m = /^\s*([a-z]{3})\s+(.+?)\s*$/.exec(part);
    const day = m ? CODES.indexOf(m[1]!) : -1;
    if (!m || day < 0) return undefined;
    if (m[2] === 'closed') {
      week.set(day, []);
      continue;
    }
    const ranges: Ranges = [];
    for (const r of m[2]!.split(',')) {
      const t = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(r.trim());
      if (!t) return undefined;
      ranges.push([Number(t[1]) * 60 + Number(t[2]), Number(t[3]) * 60 + Number(t[4])]);
    }
    week.set(day, ranges);
  }
  return week.size ? week : undefined;
}

function clock(minutes: number): string {
  const m = minutes % 1440;
  if (m === 0) return 'midnight';
  if (m === 720) return 'noon';
  const h24 = Math.floor(m / 60);
  const h = h24 % 12 === 0 ? 12 : h24 % 12;
  return `${h}${m % 60 ? `:${String(m % 60).padStart(2, '0')}` : ''} ${h24 < 12 ? 'AM' : 'PM'}`;
}

/** "9 AM to 5 PM", "9 AM to noon and 1 PM to 5 PM", "open 24 hours"; "" for closed. */
export function speakRanges(ranges: Ranges): string {
  if (ranges.length === 1 && ranges[0]![0] === 0 && ranges[0]![1] >= 1440) return 'open 24 hours';
  return ranges.map(([a, b]) => `${clock(a)} to ${clock(b)}`).join(' and ');
}

export function sameRanges(a: Ranges | undefined, b: Ranges | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
