/**
 * Finding the entry that answers a question, and refusing when none does. bm25 alone cannot tell
 * "we sell our blends" from an answer to "do you sell pizza" (any shared word scores), so an
 * entry is only accepted when it covers the question's required words: the content words minus
 * the asking verbs and the intent's own vocabulary ("policy", "cost"). With one or two required
 * words, all must appear (so "coffee mugs" is not answered by "coffee"); with more, half. Scores
 * are then weighted toward the categories the intent implies.
 */
import type { KnowledgeEntryRow } from '../../db/queries/knowledge.js';
import type { KnowledgeLookup } from './knowledge-lookup.js';
import { sentences } from './spoken.js';

export interface RetrieveOptions {
  /** Words to search with (content words, intent words included: they help ranking). */
  terms: string[];
  /** Words an answer must contain (see the coverage rule above); empty: any hit in `categories` will do. */
  required: string[];
  /** Categories the intent implies, weighted up (the first one most). */
  categories: string[];
  /** Extra weight for entries this matches (emergency: "same-day", "call"…). */
  prefer?: RegExp;
  /** Rank by coverage but accept any hit in `categories` (an emergency gets the best help there is). */
  lenient?: boolean;
  /** The caller's normalised words: a published question opening the same way ("how do i …") is likely the one asked. */
  question?: string;
}

export interface Hit {
  entry: KnowledgeEntryRow;
  score: number;
  coverage: number;
}

/** bm25 below this is a match on a word that is everywhere in the knowledge base: no evidence. */
export const MIN_BM25 = 0.5;
const CATEGORY_WEIGHT = [1.6, 1.4, 1.25];
const SEARCH_LIMIT = 30;

/** Template text a site forgot to fill in, and content that says nothing by itself. */
const JUNK = /\b(starter template|replace (?:this|these|the|with|placeholders)|placeholders?\b|lorem ipsum|should be added here|only if true|\(examples?\))/i;
const NOT_SPEAKABLE = /\${2,}/;

/** A published question (an FAQ title), not a heading that ends in "?" ("Dental Emergency?"). */
const QUESTION_TITLE = /^(what|whats|what's|how|when|where|why|who|which|do|does|did|can|could|is|are|will|would|should|may)\b.*\?$/i;
const opening = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N} ]/gu, '').split(/\s+/).slice(0, 2).join(' ');

/** Rough stem, good enough to compare a caller's word with a page's ("cancellation" ~ "cancel"). */
export function stem(word: string): string {
  const w = word.toLowerCase();
  if (w.length <= 4) return w.replace(/s$/, '');
  return w.replace(/ies$/, 'y').replace(/(?:ations?|ings?|ments?|ed|es|s)$/, '') || w;
}

export function similar(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return short.length >= 4 && long.startsWith(short) && long.length - short.length <= (short.length >= 5 ? 4 : 2);
}

/** Stems of a text's words, plus hyphenated pairs joined ("check-ups" → "checkup", "Wi-Fi" → "wifi"). */
export function textStems(text: string): Set<string> {
  const lower = text.toLowerCase();
  const out = new Set((lower.match(/[\p{L}\p{N}]+/gu) ?? []).map(stem));
  for (const m of lower.matchAll(/([\p{L}\p{N}]+)[-‐](?=([\p{L}\p{N}]+))/gu)) out.add(stem(`${m[1]}${m[2]}`));
  return out;
}

export function covers(stems: Set<string>, word: string): boolean {
  const s = stem(word);
  for (const t of stems) if (similar(s, t)) return true;
  return false;
}

export function usable(entry: KnowledgeEntryRow): boolean {
  return entry.content.trim().length >= 12 && !JUNK.test(entry.content) && !NOT_SPEAKABLE.test(entry.content);
}

export function retrieve(lookup: KnowledgeLookup, o: RetrieveOptions): Hit[] {
  const query = o.terms.join(' ');
  if (!query) return [];
  const needed = o.lenient ? 0 : o.required.length <= 2 ? o.required.length : Math.ceil(o.required.length / 2);
  const hits: Hit[] = [];
  for (const { entry, score } of lookup.search(query, SEARCH_LIMIT)) {
    if (score < MIN_BM25 || !usable(entry)) continue;
    const catIndex = o.categories.indexOf(entry.category);
    if ((o.required.length === 0 || o.lenient) && catIndex < 0) continue;
    const stems = textStems(`${entry.title} ${entry.content}`);
    const matched = o.required.filter((w) => covers(stems, w)).length;
    if (matched < needed) continue;
    const coverage = o.required.length ? matched / o.required.length : 1;
    // A published question that itself contains the caller's words is the best answer there is.
    const titleStems = textStems(entry.title);
    const question = QUESTION_TITLE.test(entry.title.trim());
    const faqMatch = question && (o.required.length ? o.required.every((w) => covers(titleStems, w)) : o.terms.some((w) => covers(titleStems, w)));
    const sameOpening = question && !!o.question && opening(entry.title) === opening(o.question);
    const weighted =
      score *
      (catIndex >= 0 ? (CATEGORY_WEIGHT[catIndex] ?? 1.2) : 1) *
      (0.5 + coverage) *
      (faqMatch ? (o.required.length ? 1.5 : 1.3) : 1) *
      (sameOpening ? 1.2 : 1) *
      (o.prefer?.test(entry.content) ? 1.3 : 1) *
      // A tagline ("Immediate relief for dental emergencies.") names a topic without answering it.
      (entry.content.length < 80 ? 0.7 : 1);
    hits.push({ entry, score: weighted, coverage });
  }
  return hits.sort((a, b) => b.score - a.score);
}

/**
 * The sentences of an entry worth saying, at most `max` and about `maxChars`, in the page's
 * order: those with the caller's words (else the first ones), a leading "Yes,"/"No," kept;
 * template leftovers dropped.
 */
export function answerSentences(entry: KnowledgeEntryRow, required: string[], max = 2, maxChars = 320, also?: RegExp): string[] {
  const all = sentences(entry.content).filter((s) => !JUNK.test(s) && s.length > 3);
  const covering = new Set(all.filter((s) => required.some((w) => covers(textStems(s), w)) || also?.test(s)));
  // A published answer's opening "Yes, …" / "No, …" is the answer itself; keep it.
  const verdict = all[0] && /^(yes|no)\b/i.test(all[0]) ? all[0] : undefined;
  let chosen = covering.size ? all.filter((s) => s === verdict || covering.has(s)) : all;
  // One short covering sentence ("Yes.") needs the one after it to mean anything.
  const next = chosen.length === 1 ? all[all.indexOf(chosen[0]!) + 1] : undefined;
  if (next && chosen[0]!.length < 120 && next.length >= 20) chosen = [chosen[0]!, next];
  const out: string[] = [];
  let length = 0;
  for (const s of chosen.slice(0, max)) {
    if (out.length && length + s.length > maxChars) break;
    const short = shorten(s, maxChars);
    out.push(short);
    length += short.length;
  }
  return out;
}

/**
 * A sentence too long to listen to (a list of twenty items) is cut at a comma, but never where
 * what is cut could change what is kept ("…, except Medicaid").
 */
function shorten(sentence: string, maxChars: number): string {
  if (sentence.length <= maxChars) return sentence;
  const cut = sentence.lastIndexOf(', ', maxChars - 20);
  if (cut < maxChars / 3) return sentence;
  const rest = sentence.slice(cut);
  if (/\b(not|no|except|unless|but|only|never|without|excluding)\b/i.test(rest)) return sentence;
  return `${sentence.slice(0, cut)}.`;
}
