/**
 * Clock times, always read on a 12-hour clock with "AM"/"PM", the way hours are said on the
 * phone in both the US and the UK: "9am" → "nine AM", "9:30 a.m." → "nine thirty AM", "5:00PM"
 * → "five PM", "17:30" → "five thirty PM", "12pm" → "noon", "9am–5pm" → "nine AM to five PM".
 * "AM" is written as one capitalised word on purpose: espeak-ng (and Kokoro, which phonemizes
 * through it) says "AM" as "ay em", but "A M" as "uh em" and "am" as the verb.
 * A time with no AM/PM and no 24-hour sign ("9:30") stays without one: "nine thirty";
 * "10:00" → "ten o'clock".
 */
import { cardinal } from './number-words.js';
import { sentenceDot, type SpeechContext } from './speech-context.js';

interface ClockTime {
  hour: number;
  minute: number;
  meridiem?: 'AM' | 'PM';
  /** "noon" / "midnight" written as a word. */
  word?: string;
  /** Written as a 24-hour time: "17:30", "09:00", "00:15". */
  clock24: boolean;
  /** Written with minutes (":30", ".30"), as opposed to a bare hour. */
  withMinutes: boolean;
  /** Minutes after a dot ("9.30") count only with AM/PM; "3.50" alone is a decimal. */
  dotMinutes: boolean;
  /** "a.m." ended with a full stop that may also end the sentence. */
  finalDot: boolean;
}

// One side of a time: a word, or an hour with optional minutes and optional AM/PM ("9a" only in ranges).
const SIDE = /^(?:(noon|midnight)|(\d{1,2})(?:([:.])([0-5]\d))?(?:\s?([ap])(?:\.?\s?m\b)?(\.)?)?)$/i;
const MERIDIEM = String.raw`\s?[ap]\.?\s?m\b\.?`;
const SIDE_SRC = String.raw`(?:noon|midnight|\d{1,2}(?:[:.][0-5]\d)?(?:${MERIDIEM}|[ap]\b)?)`;
// A range: two times joined by a dash. Starts only where a number starts (lookbehind).
const RANGE = new RegExp(String.raw`(?<![\w:.,$£€\u{E001}])(${SIDE_SRC})\s?[-–—]\s?(${SIDE_SRC})(?![\w:]|[.,]\d)`, 'giu');
const SINGLE = new RegExp(
  String.raw`(?<![\w:.,$£€\u{E001}])(?:12(?::00)?\s?noon|\d{1,2}(?:[:.][0-5]\d)?${MERIDIEM}|\d{1,2}:[0-5]\d(?::[0-5]\d)?(?![\d:]|[.,]\d))(?![\w])`,
  'giu',
);

function parseSide(text: string): ClockTime | undefined {
  const m = SIDE.exec(text.trim());
  if (!m) return undefined;
  const [, word, hourText, sep, minuteText, letter, finalDot] = m;
  if (word) {
    const noon = word.toLowerCase() === 'noon';
    return { hour: noon ? 12 : 0, minute: 0, word: word.toLowerCase(), clock24: false, withMinutes: false, dotMinutes: false, finalDot: false };
  }
  const hour = Number(hourText);
  const minute = Number(minuteText ?? 0);
  const meridiem = letter ? (letter.toLowerCase() === 'a' ? 'AM' : 'PM') : undefined;
  const clock24 = !meridiem && sep === ':' && (hour > 12 || hour === 0 || hourText!.startsWith('0'));
  if (hour > 24 || (meridiem && (hour > 12 || hour === 0))) return undefined;
  return {
    hour,
    minute,
    meridiem,
    clock24,
    withMinutes: minuteText !== undefined,
    dotMinutes: sep === '.',
    finalDot: finalDot !== undefined,
  };
}

function minutesWords(minute: number): string {
  if (minute === 0) return '';
  return minute < 10 ? ` oh ${cardinal(minute)}` : ` ${cardinal(minute)}`;
}

/** The spoken time. `inRange`: a bare ":00" with no AM/PM reads "nine", not "nine o'clock". */
function speakClock(t: ClockTime, as24: boolean, inRange: boolean): string {
  if (t.word) return t.word;
  if (t.meridiem || as24) {
    const meridiem = t.meridiem ?? (t.hour % 24 < 12 ? 'AM' : 'PM');
    const hour12 = t.meridiem ? t.hour : t.hour % 12 || 12;
    if (t.minute === 0 && hour12 === 12) return meridiem === 'PM' ? 'noon' : 'midnight';
    return `${cardinal(hour12)}${minutesWords(t.minute)} ${meridiem}`;
  }
  if (t.withMinutes && t.minute === 0) return inRange ? cardinal(t.hour) : `${cardinal(t.hour)} o'clock`;
  return `${cardinal(t.hour)}${minutesWords(t.minute)}`;
}

/** Clearly a clock time on its own; a bare hour ("9") is one only beside such a time. */
const isTime = (t: ClockTime) => Boolean(t.word || t.meridiem || t.clock24 || t.withMinutes);

export function speakTimes(text: string, ctx: SpeechContext): string {
  return text
    .replace(RANGE, (match, first: string, second: string, at: number, whole: string) => {
      const a = parseSide(first);
      const b = parseSide(second);
      if (!a || !b) return match;
      // "3.5-4.5" is a decimal range and "9-5" a plain one: both are read as numbers elsewhere.
      // A bare hour may pair with a time, though: "9-5pm" → "nine to five PM".
      if ((a.dotMinutes && !a.meridiem) || (b.dotMinutes && !b.meridiem)) return match;
      if (!isTime(a) && !isTime(b)) return match;
      const as24 = a.clock24 || b.clock24;
      const spoken = `${speakClock(a, as24, true)} to ${speakClock(b, as24, true)}`;
      return ctx.freeze(spoken) + sentenceDot(b.finalDot, whole.slice(at + match.length));
    })
    .replace(SINGLE, (match, at: number, whole: string) => {
      const t = parseSide(match.replace(/^12(?::00)?\s?noon$/i, 'noon'));
      if (!t) return match;
      return ctx.freeze(speakClock(t, t.clock24, false)) + sentenceDot(t.finalDot, whole.slice(at + match.length));
    });
}
