/**
 * Templates for the single-valued facts: hours (the whole week or the day asked about), phone,
 * email, address and founding year. Each returns the sentences to say and the entries used, or
 * undefined when the knowledge base has no such fact (the caller then hears so, honestly).
 */
import type { KnowledgeEntryRow } from '../../db/queries/knowledge.js';
import type { Intent } from './intent.js';
import { chooseFact, DAY_NAMES, parseHoursValue, sameRanges, speakRanges, type ChosenFact, type Ranges } from './facts.js';
import type { KnowledgeLookup } from './knowledge-lookup.js';
import { retrieve, answerSentences } from './retrieve.js';
import { closed, lowerFirst, speakable, spokenAddress, spokenEmail, spokenPhone } from './spoken.js';

export interface FactAnswer {
  sentences: string[];
  sources: KnowledgeEntryRow[];
}

const stripEnd = (s: string) => s.trim().replace(/[.\s]+$/, '');
const used = (c: ChosenFact): KnowledgeEntryRow[] => [c.best, ...(c.settled ? [] : c.rivals)];
/** Up to two values, the most authoritative first: "A, and B" (more would be a list nobody remembers). */
const both = (values: string[]) => values.slice(0, 2).join(', and also ');

/** Weekday (Monday = 0) of a date in a time zone (the business's, or the server's). */
export function weekday(date: Date, timeZone?: string): number {
  const name = new Intl.DateTimeFormat('en-US', { weekday: 'long', ...(timeZone ? { timeZone } : {}) }).format(date);
  return DAY_NAMES.indexOf(name);
}

/** The schedule sentence as the extractor wrote it ("Monday to Friday 7 AM to 8 PM; …") after "We're open". */
function weekSentence(entry: KnowledgeEntryRow): string {
  const text = stripEnd(entry.content);
  if (/^every day\b/i.test(text)) return `We're open ${lowerFirst(text)}.`;
  if (/^(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/i.test(text)) return `We're open ${text}.`;
  return closed(`Our hours are ${lowerFirst(text)}`);
}

function dayClause(day: number, ranges: Ranges | undefined): string {
  if (ranges === undefined) return `I don't have the hours for ${DAY_NAMES[day]} on file`;
  return ranges.length === 0 ? `on ${DAY_NAMES[day]} we're closed` : `on ${DAY_NAMES[day]} we're open ${speakRanges(ranges)}`;
}

export function hoursAnswer(lookup: KnowledgeLookup, intent: Intent, now: Date, timeZone?: string): FactAnswer | undefined {
  const chosen = chooseFact(lookup, 'hours');
  if (!chosen) return looseHours(lookup);
  const sources = used(chosen);
  const regular = chosen.settled ? [weekSentence(chosen.best)] : conflictingWeeks(chosen);

  if (intent.holiday) {
    const special = retrieve(lookup, { terms: [intent.holiday], required: intent.holiday.split(' '), categories: ['hours', 'news_events'] })[0];
    if (special) return { sentences: answerSentences(special.entry, intent.holiday.split(' ')).map(speakable), sources: [special.entry] };
    return { sentences: [`I don't have holiday hours on file.`, ...regular.map((s) => s.replace(/^We're open/, 'Our regular hours are'))], sources };
  }

  let days = intent.days ?? [];
  const today = weekday(now, timeZone);
  if (!days.length && intent.when) days = [intent.when === 'today' ? today : (today + 1) % 7];
  const weeks = [chosen.best, ...(chosen.settled ? [] : chosen.rivals)].map((e) => parseHoursValue(e.factValue));
  if (!days.length || weeks.some((w) => !w)) return { sentences: regular, sources };

  const [first, ...others] = weeks as Map<number, Ranges>[];
  const agree = days.every((d) => others.every((w) => sameRanges(w.get(d), first!.get(d))));
  const lead = intent.when && days.length === 1 ? `Today is ${DAY_NAMES[days[0]!]}, and ` : '';
  if (!agree) {
    const clauses = days.map((d) => `on ${DAY_NAMES[d]}, one page of our website says ${rangesText(first!.get(d))}, and another says ${rangesText(others[0]!.get(d))}`);
    return { sentences: [closed(capitalise(`${lead}${clauses.join('; ')}`)), "It's best to check with the team before you come in."], sources };
  }
  const clauses = days.map((d) => dayClause(d, first!.get(d)));
  const text = lead ? `${lead}${clauses.join(', and ').replace(/^on \w+ /, '')}` : clauses.join(', and ');
  const unknown = days.some((d) => first!.get(d) === undefined);
  return { sentences: [closed(capitalise(text)), ...(unknown ? regular : [])], sources };
}

const rangesText = (r: Ranges | undefined) => (r === undefined ? 'nothing' : r.length === 0 ? 'closed' : speakRanges(r));
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function conflictingWeeks(chosen: ChosenFact): string[] {
  const [a, b] = [chosen.best, chosen.rivals[0]!];
  return ['Our website lists more than one set of hours.', closed(`One page says ${lowerFirst(stripEnd(a.content))}`), closed(`Another says ${lowerFirst(stripEnd(b.content))}`)];
}

/** No parsed schedule: an hours entry that at least states times. */
function looseHours(lookup: KnowledgeLookup): FactAnswer | undefined {
  const entry = lookup.byCategory('hours').find((e) => /\d\s*(am|pm|a\.m|p\.m)|\bnoon\b|24 hours/i.test(e.content));
  return entry ? { sentences: answerSentences(entry, [], 2).map(speakable), sources: [entry] } : undefined;
}

/** The number as the page wrote it, so its grouping (and any "+") is kept. */
function writtenPhone(entry: KnowledgeEntryRow): string {
  return /\+?\(?\d[\d\s().-]{5,}\d/.exec(entry.content)?.[0] ?? entry.factValue ?? entry.content;
}

export function phoneAnswer(lookup: KnowledgeLookup): FactAnswer | undefined {
  const chosen = chooseFact(lookup, 'phone');
  if (!chosen) return undefined;
  if (chosen.settled) return { sentences: [`Our phone number is ${spokenPhone(writtenPhone(chosen.best))}.`], sources: [chosen.best] };
  const numbers = used(chosen).map((e) => spokenPhone(writtenPhone(e)));
  return { sentences: ['Our website lists more than one phone number.', `They are ${both(numbers)}.`], sources: used(chosen) };
}

export function emailAnswer(lookup: KnowledgeLookup): FactAnswer | undefined {
  const chosen = chooseFact(lookup, 'email');
  if (!chosen) return undefined;
  const address = (e: KnowledgeEntryRow) => spokenEmail(e.factValue ?? /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/.exec(e.content)?.[0] ?? e.content);
  if (chosen.settled) return { sentences: [`Our email address is ${address(chosen.best)}.`], sources: [chosen.best] };
  return { sentences: ['Our website lists more than one email address.', `They are ${both(used(chosen).map(address))}.`], sources: used(chosen) };
}

const streetOf = (e: KnowledgeEntryRow) => spokenAddress(stripEnd(e.content.replace(/^the address is\s+/i, '')));

export function addressAnswer(lookup: KnowledgeLookup): FactAnswer | undefined {
  const chosen = chooseFact(lookup, 'address');
  if (!chosen) return undefined;
  if (chosen.settled) return { sentences: [`We're at ${streetOf(chosen.best)}.`], sources: [chosen.best] };
  return {
    sentences: ['Our website lists more than one address.', `It gives ${both(used(chosen).map(streetOf))}.`, "It's best to confirm with the team before you visit."],
    sources: used(chosen),
  };
}

export function foundedAnswer(lookup: KnowledgeLookup): FactAnswer | undefined {
  const chosen = chooseFact(lookup, 'founded');
  if (!chosen) return undefined;
  const year = (e: KnowledgeEntryRow) => e.factValue ?? /\b(1[89]|20)\d{2}\b/.exec(e.content)?.[0] ?? stripEnd(e.content);
  if (chosen.settled) return { sentences: [`We've been in business since ${year(chosen.best)}.`], sources: [chosen.best] };
  return { sentences: [`Our website gives more than one founding year: ${both(used(chosen).map(year))}.`], sources: used(chosen) };
}
