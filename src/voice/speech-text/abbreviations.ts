/**
 * Abbreviations and symbols from business text: street words ("Ave." → "Avenue"), "St."/"Dr."
 * read as Street/Drive or Saint/Doctor by context, "e.g.", "i.e.", "etc.", "approx.", "&", "w/".
 * Only written forms are matched (case-sensitive where the lower-case spelling is a word), and a
 * dot that also ends the sentence is kept, so the voice still pauses there.
 */
import { sentenceDot, type SpeechContext } from './speech-context.js';

// Capitalised words that come before "St."/"Dr." without being a street's name.
const NOT_A_STREET_NAME = new Set(['The', 'A', 'An', 'I', 'Visit', 'Call', 'See', 'Ask', 'Meet', 'Contact', 'Dear', 'Hi', 'Hello', 'Thanks', 'Thank', 'With', 'By', 'From', 'For', 'To', 'And', 'Or', 'At', 'On', 'In', 'Our', 'Your', 'My', 'Book', 'Email', 'Text', 'Near', 'Off', 'Behind', 'Opposite']);

/**
 * Is the abbreviation at `at` the end of a street name? Yes after a number ("5th St", "123 Main
 * St" with "Main" after a number) or after a capitalised word that does not start the sentence
 * ("on Elm St."); "Visit St. Louis" and "Call Dr. Lee" start a sentence, so they are not.
 */
function afterStreetName(whole: string, at: number): boolean {
  const before = whole.slice(Math.max(0, at - 80), at);
  const prev = /(?<!\S)(\S+)\s+$/.exec(before);
  if (!prev) return false;
  const word = prev[1]!;
  if (/(?:\d|\d(?:st|nd|rd|th)|\uE001)$/.test(word)) return true;
  if (!/^[\p{Lu}][\p{L}'’-]*$/u.test(word) || NOT_A_STREET_NAME.has(word)) return false;
  const beforeWord = before.slice(0, prev.index);
  const sentenceStart = /(?:^|[.!?:]\s*|\n\s*)$/.test(beforeWord) && !(beforeWord === '' && at > 80);
  return !sentenceStart;
}

const TITLE_OR_STREET: Record<string, [title: string, street: string]> = { St: ['Saint', 'Street'], ST: ['Saint', 'Street'], Dr: ['Doctor', 'Drive'], DR: ['Doctor', 'Drive'] };
const STREET_WORDS: Record<string, string> = { Ave: 'Avenue', Blvd: 'Boulevard', Rd: 'Road', Ln: 'Lane', Hwy: 'Highway', Pkwy: 'Parkway', Expy: 'Expressway', Fwy: 'Freeway', Ctr: 'Center', Bldg: 'Building' };
// Also street words, but short enough to be something else: expanded only right after a street name.
const CONTEXT_STREET_WORDS: Record<string, string> = { Ct: 'Court', Pl: 'Place', Cir: 'Circle', Ter: 'Terrace', Trl: 'Trail' };
const COMPASS: Record<string, string> = { N: 'North', S: 'South', E: 'East', W: 'West', NE: 'Northeast', NW: 'Northwest', SE: 'Southeast', SW: 'Southwest' };

const LATIN: Array<[RegExp, (m: string) => string]> = [
  [/\b[Ee]\.\s?g\.(?=[\s,;:)]|$)/g, (m) => (m.startsWith('E') ? 'For example' : 'for example')],
  [/\b[Ii]\.\s?e\.(?=[\s,;:)]|$)/g, (m) => (m.startsWith('I') ? 'That is' : 'that is')],
  [/\b([Aa])pprox\b\.?(?=\s)/g, (m) => (m.startsWith('A') ? 'Approximately' : 'approximately')],
  [/\b[Vv]s\.?(?=\s)/g, () => 'versus'],
  [/\b[Ee]st\.(?=\s+\d)/g, (m) => (m.startsWith('E') ? 'Established' : 'established')],
  [/\b[Aa]ppt\b\.?/g, (m) => (m.startsWith('A') ? 'Appointment' : 'appointment')],
  [/\bHrs\b\.?(?=\s*:)/g, () => 'Hours'],
  [/\b(?:Tel|Ph)\b\.?(?=\s*:?\s*[\d+(\uE000])/g, () => 'Phone'],
];

export function speakAbbreviations(text: string, _ctx: SpeechContext): string {
  let out = text
    .replace(/&amp;/g, '&')
    .replace(/\b(St|ST|Dr|DR)\b(\.?)(?![\w'’-]|\.\w)/g, (match, abbr: string, dot: string, at: number, whole: string) => {
      const [title, street] = TITLE_OR_STREET[abbr]!;
      const after = whole.slice(at + match.length);
      if (afterStreetName(whole, at)) return street + sentenceDot(dot, after);
      // Before a name: "St. Mary's", "Dr. Lee". No full stop kept: the name follows at once.
      if (/^\s+[\p{Lu}]/u.test(after)) return title;
      return street + sentenceDot(dot, after);
    })
    .replace(/\b(Ave|Blvd|Rd|Ln|Hwy|Pkwy|Expy|Fwy|Ctr|Bldg)\b(\.?)(?![\w'’-]|\.\w)/g, (match, abbr: string, dot: string, at: number, whole: string) => {
      const after = whole.slice(at + match.length);
      // "Ave Maria": before a capitalised word with no street name in front, it is not a street.
      if (!afterStreetName(whole, at) && /^\s+[\p{Lu}]/u.test(after)) return match;
      return STREET_WORDS[abbr]! + sentenceDot(dot, after);
    })
    .replace(/\b(Ct|Pl|Cir|Ter|Trl)\b(\.?)(?![\w'’-]|\.\w)/g, (match, abbr: string, dot: string, at: number, whole: string) =>
      afterStreetName(whole, at) ? CONTEXT_STREET_WORDS[abbr]! + sentenceDot(dot, whole.slice(at + match.length)) : match,
    )
    // "Ste. 4", "Apt 2B", "Unit #3": only before a number or a unit letter.
    .replace(/\bSte\b\.?(?=\s?(?:#|\d|[A-Z]\b))/g, 'Suite')
    .replace(/\bApt\b\.?(?=\s?(?:#|\d|[A-Z]\b))/g, 'Apartment')
    .replace(/\b(Mt|Ft)\.(?=\s+[\p{Lu}])/gu, (_m, abbr: string) => (abbr === 'Mt' ? 'Mount' : 'Fort'))
    .replace(/\b(Jr|Sr)\b\.?(?<=[\p{Lu}][\p{L}'’-]*,?\s(?:Jr|Sr)\.?)/gu, (match, abbr: string, at: number, whole: string) =>
      (abbr === 'Jr' ? 'Junior' : 'Senior') + sentenceDot(match.endsWith('.'), whole.slice(at + match.length)),
    )
    // "123 N Main St" → "North"; "Main Street NW" → "Northwest".
    .replace(/\b([NSEW])\b\.?(?<=(?:\d|\uE001)\s[NSEW]\.?)(?=\s+[\p{Lu}\d])/gu, (_m, d: string) => COMPASS[d]!)
    .replace(/\b(NE|NW|SE|SW|N|S|E|W)\b\.?(?<=\b(?:Street|Avenue|Road|Boulevard|Drive|Lane|Way|Court|Place|Highway|Parkway),?\s(?:NE|NW|SE|SW|N|S|E|W)\.?)/g, (match, d: string, at: number, whole: string) =>
      COMPASS[d]! + sentenceDot(match.endsWith('.'), whole.slice(at + match.length)),
    )
    .replace(/\b([Ee])tc\b(\.?)/g, (match, e: string, dot: string, at: number, whole: string) => `${e}t cetera${sentenceDot(dot, whole.slice(at + match.length))}`);
  for (const [pattern, spoken] of LATIN) out = out.replace(pattern, spoken);
  return out
    .replace(/\b[Ww]\/[Oo]\b/g, 'without')
    .replace(/\b[Ww]\/(?=\s?[\p{L}\d\uE000])\s?/gu, 'with ')
    .replace(/\b[Bb]\/[Cc]\b/g, 'because')
    .replace(/\b(?:N\/A|n\/a)\b/g, 'not applicable')
    .replace(/\band\/or\b/g, 'and or')
    // "cut/color/style" → "cut, color or style": a slash between words reads as "or".
    .replace(/(?<![\w/])[a-z]{2,}(?:\/[a-z]{2,})+(?![\w/])/g, (m) => {
      const words = m.split('/');
      return words.length === 2 ? words.join(' or ') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
    })
    .replace(/(?<=\S)[ \t]+&[ \t]+(?=\S)/g, ' and ')
    .replace(/(?<=[a-z])&(?=[a-z])/g, ' and ')
    .replace(/(?<=\S)[ \t]+@[ \t]+(?=\S)/g, ' at ')
    .replace(/(?<=\S)[ \t]+\+[ \t]+(?=\S)/g, ' plus ')
    .replace(/(?<=\d)[ \t]?[*×][ \t]?(?=\d)/g, ' times ')
    .replace(/(?<=[\w\uE001])[ \t]+=[ \t]+(?=[\w\uE000])/g, ' equals ');
}
