/**
 * What the normalizing passes share: the locale, and a way to "freeze" a span once it has been
 * turned into words. A frozen span becomes a placeholder of private-use characters (no letters,
 * digits or punctuation), so a later pass cannot rewrite it: "dot com" from a URL is never seen
 * by the abbreviation pass, "five five five" from a phone number never by the number pass.
 */

export type SpeechLocale = 'en-US' | 'en-GB';

export interface SpeechContext {
  readonly locale: SpeechLocale;
  /** British number style ("one hundred and five"), dates, and "oh" for a phone number's zero. */
  readonly british: boolean;
  /** The word for 0 in phone numbers: "zero" (US) or "oh" (UK). */
  readonly zero: string;
  /** Keeps spoken words out of later passes; returns the placeholder to put in the text. */
  freeze(spoken: string): string;
}

const OPEN = '\uE000';
const CLOSE = '\uE001';
const DIGIT_BASE = 0xe100;
const DIGITS = 0x1000; // placeholder "digits" are U+E100–U+F0FF
/** The last character of a frozen span: lets a pass see that a number (or other words) came just before. */
export const FROZEN_END = CLOSE;
/** The first character of a frozen span. */
export const FROZEN_START = OPEN;
/** Private-use characters in the input would be mistaken for placeholders; no TTS can say them anyway. */
export const PRIVATE_USE = /[\uE000-\uF8FF]/g;

/**
 * An abbreviation's dot ("etc.", "a.m.", "Ave.") may also end the sentence. Where the next
 * sentence starts (end of text, a line break, or a capital after a space), the full stop is kept
 * after the expansion so the voice still pauses there.
 */
export function sentenceDot(hadDot: boolean | string | undefined, after: string): string {
  return hadDot && (after === '' || /^(?:[ \t]*\n|[ \t]+[\p{Lu}"“])/u.test(after)) ? '.' : '';
}

export function createContext(locale: SpeechLocale): SpeechContext & { thaw(text: string): string } {
  const spans: string[] = [];
  const british = locale === 'en-GB';
  return {
    locale,
    british,
    zero: british ? 'oh' : 'zero',
    freeze(spoken: string): string {
      let index = spans.push(spoken) - 1;
      let code = '';
      do {
        code = String.fromCharCode(DIGIT_BASE + (index % DIGITS)) + code;
        index = Math.floor(index / DIGITS);
      } while (index > 0);
      return OPEN + code + CLOSE;
    },
    thaw(text: string): string {
      // A plain scan, not a regex with a callback: a page of prices has thousands of spans.
      // Frozen text may hold placeholders of its own; a few rounds undo any nesting.
      for (let round = 0; round < 4 && text.includes(OPEN); round++) {
        const parts: string[] = [];
        let from = 0;
        for (let open = text.indexOf(OPEN); open !== -1; open = text.indexOf(OPEN, from)) {
          const close = text.indexOf(CLOSE, open);
          if (close === -1) break;
          let index = 0;
          for (let i = open + 1; i < close; i++) index = index * DIGITS + (text.charCodeAt(i) - DIGIT_BASE);
          parts.push(text.slice(from, open), spans[index] ?? '');
          from = close + 1;
        }
        parts.push(text.slice(from));
        text = parts.join('');
      }
      return text;
    },
  };
}
