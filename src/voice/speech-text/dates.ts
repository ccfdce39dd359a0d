/**
 * Days, months and dates. "Mon–Fri" → "Monday to Friday", "Dec 25" → "December twenty-fifth"
 * (US) or "the twenty-fifth of December" (UK), "2026-11-22" with its year, "12/25" as month/day
 * in the US and day/month in the UK (unless only the other order is a real date).
 * "Sat", "Sun" and "Wed" are words too, so they are expanded only where they are clearly days:
 * with a dot or colon, next to another day, or before a time.
 */
import { ordinal, year } from './number-words.js';
import { sentenceDot, type SpeechContext } from './speech-context.js';

const DAYS: Record<string, string> = {
  mon: 'Monday', tue: 'Tuesday', tues: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', thur: 'Thursday', thurs: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday',
  monday: 'Monday', tuesday: 'Tuesday', wednesday: 'Wednesday', thursday: 'Thursday', friday: 'Friday', saturday: 'Saturday', sunday: 'Sunday',
};
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const MONTH_ABBR: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12 };
MONTHS.forEach((name, i) => (MONTH_ABBR[name.toLowerCase()] = i + 1));

// Capitalised or all caps only: "sat", "sun", "wed", "mar" and "jan" in lower case are ordinary words.
const DAY_WORD = String.raw`(?:Mon(?:day)?|Tue(?:s(?:day)?)?|Wed(?:nesday)?|Thu(?:rs?(?:day)?)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?|MON|TUES?|WED|THU(?:RS?)?|FRI|SAT|SUN)`;
const MONTH_WORD = String.raw`(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|JAN|FEB|MAR|APR|MAY|JUNE?|JULY?|AUG|SEPT?|OCT|NOV|DEC)`;
const RANGE_JOIN = String.raw`(?:\s?[-–—]\s?|\s+(?:to|thru|through|till|until)\s+)`;

const DAY_RANGE = new RegExp(String.raw`\b(${DAY_WORD})(\.?)${RANGE_JOIN}(${DAY_WORD})\b(\.?)`, 'g');
const DAY_LIST = new RegExp(String.raw`\b${DAY_WORD}\.?(?:\s?[/&]\s?${DAY_WORD}\b\.?)+`, 'g');
// A lone abbreviation. Wed/Sat/Sun need a sign that they are days: a dot, a colon, or a time or number after.
const DAY_SINGLE = new RegExp(String.raw`\b(?:(Mon|Tues?|Thu(?:rs?)?|Fri|MON|TUES?|THU(?:RS?)?|FRI)\b(\.?)|(Wed|Sat|Sun|WED|SAT|SUN)(?:(\.)|\b(?=:|,?\s+\d|,\s*${DAY_WORD}\b|\s+(?:[Cc]losed|CLOSED|[Oo]pen|OPEN|[Oo]nly|by appointment)\b)))`, 'g');
const MONTH_RANGE = new RegExp(String.raw`\b(${MONTH_WORD})(\.?)${RANGE_JOIN}(${MONTH_WORD})\b(\.?)`, 'g');
// "Dec 25", "December 25th, 2026"; the number must not be a time ("May 5pm").
const MONTH_DAY = new RegExp(String.raw`\b(${MONTH_WORD})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4})\b)?(?![:.,]\d|\s?[ap]\.?m\b)`, 'g');
// "May 2026", "Dec. 2026".
const MONTH_YEAR = new RegExp(String.raw`\b(${MONTH_WORD})\.?,?\s+(\d{4})\b(?![:.,]\d)`, 'g');
const DAY_MONTH = new RegExp(String.raw`(?:\b([Tt]he)\s+)?(?<![\d.,:$£€\u{E001}])\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(${MONTH_WORD})\b(\.?)(?:,?\s+(\d{4})\b)?`, 'gu');
const MONTH_SINGLE = new RegExp(String.raw`\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.`, 'g');
const ISO_DATE = /(?<![\w.\/-])(\d{4})-(\d{2})-(\d{2})(?![\w-]|[.,]\d)/g;
const SLASH_DATE = /(?<![\w.\/-])(\d{1,2})\/(\d{1,2})(?:\/(\d{4}|\d{2}))?(?![\w\/-]|[.,]\d)/g;
const DOT_DATE = /(?<![\w.\/-])(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\w.\/-])/g;

// Common fractions win over dates: "1/2 price" is not the second of January.
const FRACTIONS: Record<string, string> = { '1/2': 'one half', '1/3': 'one third', '2/3': 'two thirds', '1/4': 'one quarter', '3/4': 'three quarters' };
const MIXED_FRACTIONS: Record<string, string> = { '1/2': 'a half', '1/3': 'a third', '2/3': 'two thirds', '1/4': 'a quarter', '3/4': 'three quarters' };

function dayName(abbr: string): string {
  return DAYS[abbr.toLowerCase()] ?? abbr;
}

function monthNumber(word: string): number {
  return MONTH_ABBR[word.toLowerCase()] ?? MONTH_ABBR[word.toLowerCase().slice(0, 3)] ?? 0;
}

/** "December twenty-fifth, twenty twenty-six" (US) or "the twenty-fifth of December, twenty twenty-six" (UK). */
export function spokenDate(month: number, day: number, yearNumber: number | undefined, ctx: SpeechContext, withThe = true): string {
  const name = MONTHS[month - 1]!;
  const dayWords = ordinal(day);
  const date = ctx.british ? `${withThe ? 'the ' : ''}${dayWords} of ${name}` : `${name} ${dayWords}`;
  return yearNumber === undefined ? date : `${date}, ${year(yearNumber, { british: ctx.british })}`;
}

function fullYear(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.length === 4) return n;
  return n <= 50 ? 2000 + n : 1900 + n; // "12/25/26": this century unless clearly the last
}

const validDate = (month: number, day: number) => month >= 1 && month <= 12 && day >= 1 && day <= 31;

/** Before a time or date a short pause helps: "Monday to Friday, nine AM to five PM". */
function pauseBeforeNumber(after: string): string {
  return /^\s+\d/.test(after) ? ',' : '';
}

export function speakDates(text: string, ctx: SpeechContext): string {
  const british = { british: ctx.british };
  return text
    .replace(ISO_DATE, (match, y: string, m: string, d: string) => (validDate(Number(m), Number(d)) ? ctx.freeze(spokenDate(Number(m), Number(d), Number(y), ctx)) : match))
    .replace(DOT_DATE, (match, a: string, b: string, y: string) => {
      // Dotted dates are a European habit: day first, whatever the locale.
      return validDate(Number(b), Number(a)) ? ctx.freeze(spokenDate(Number(b), Number(a), Number(y), ctx)) : match;
    })
    .replace(SLASH_DATE, (match, a: string, b: string, y: string | undefined, at: number, whole: string) => {
      if (match === '24/7') return ctx.freeze('twenty-four seven');
      if (!y && FRACTIONS[match]) {
        // "2 1/2 hours" → "2 and a half hours" (the whole number is read later).
        const mixed = /\d[ \t]$/.test(whole.slice(Math.max(0, at - 2), at));
        return ctx.freeze(mixed ? `and ${MIXED_FRACTIONS[match]}` : FRACTIONS[match]!);
      }
      const first = Number(a);
      const second = Number(b);
      const monthFirst = ctx.british ? !validDate(second, first) && validDate(first, second) : validDate(first, second);
      const [month, day] = monthFirst ? [first, second] : [second, first];
      if (!validDate(month, day)) return match;
      return ctx.freeze(spokenDate(month, day, fullYear(y), ctx));
    })
    .replace(DAY_MONTH, (match, the: string | undefined, d: string, monthWord: string, dot: string, y: string | undefined, at: number, whole: string) => {
      // Written day first ("25 December"): read that way in either locale, "the" said once.
      const month = monthNumber(monthWord);
      if (!validDate(month, Number(d))) return match;
      const spoken = `${the ?? 'the'} ${ordinal(d)} of ${MONTHS[month - 1]}`;
      const stop = y ? '' : sentenceDot(dot, whole.slice(at + match.length));
      return ctx.freeze(y ? `${spoken}, ${year(Number(y), british)}` : spoken) + stop;
    })
    .replace(MONTH_DAY, (match, monthWord: string, d: string, y: string | undefined, at: number, whole: string) => {
      const month = monthNumber(monthWord);
      if (!validDate(month, Number(d))) return match;
      // After "the" ("the Dec 25 sale") a UK reading would double it.
      const afterThe = /\bthe\s+$/i.test(whole.slice(Math.max(0, at - 8), at));
      return ctx.freeze(spokenDate(month, Number(d), y === undefined ? undefined : Number(y), ctx, !afterThe));
    })
    .replace(MONTH_YEAR, (_m, monthWord: string, y: string) => ctx.freeze(`${MONTHS[monthNumber(monthWord) - 1]} ${year(Number(y), british)}`))
    .replace(MONTH_RANGE, (match, a: string, _dotA: string, b: string, dotB: string, at: number, whole: string) => {
      const ma = monthNumber(a);
      const mb = monthNumber(b);
      if (!ma || !mb) return match;
      return `${MONTHS[ma - 1]} to ${MONTHS[mb - 1]}${sentenceDot(dotB, whole.slice(at + match.length))}`;
    })
    .replace(MONTH_SINGLE, (match, abbr: string, at: number, whole: string) => `${MONTHS[monthNumber(abbr) - 1] ?? match}${sentenceDot(true, whole.slice(at + match.length))}`)
    .replace(DAY_RANGE, (match, a: string, _dotA: string, b: string, dotB: string, at: number, whole: string) => {
      const after = whole.slice(at + match.length);
      const join = /thru|through/i.test(match) ? 'through' : /till|until/i.test(match) ? 'until' : 'to';
      return `${dayName(a)} ${join} ${dayName(b)}${sentenceDot(dotB, after) || pauseBeforeNumber(after)}`;
    })
    .replace(DAY_LIST, (match, at: number, whole: string) => {
      const days = match.split(/\s?[/&]\s?/).map((d) => dayName(d.replace(/\.$/, '')));
      const spoken = days.length === 2 ? days.join(' and ') : `${days.slice(0, -1).join(', ')} and ${days.at(-1)}`;
      const after = whole.slice(at + match.length);
      return spoken + (sentenceDot(match.endsWith('.'), after) || pauseBeforeNumber(after));
    })
    .replace(DAY_SINGLE, (match, plain: string | undefined, plainDot: string | undefined, ambiguous: string | undefined, ambiguousDot: string | undefined, at: number, whole: string) => {
      const after = whole.slice(at + match.length);
      return dayName((plain ?? ambiguous)!) + (sentenceDot(Boolean(plainDot || ambiguousDot), after) || pauseBeforeNumber(after));
    });
}
