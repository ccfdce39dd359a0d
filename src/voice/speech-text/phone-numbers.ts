/**
 * Phone numbers, read the way people read them out: digit by digit, a pause (comma) between the
 * groups, so a caller can write them down. "(555) 123-4567" → "five five five, one two three,
 * four five six seven". Zero is "zero" in the US and "oh" in the UK. A toll-free "800" is said
 * "eight hundred", as everyone says it. Extensions ("ext. 12", "x12") are read as "extension one two".
 */
import { spellDigits } from './number-words.js';
import type { SpeechContext } from './speech-context.js';

const EXT = String.raw`(?:\s*(?:,\s*)?(?:ext\.?|extension|x)\s?(\d{1,6}))?`;
// Each pattern starts only where a number starts (lookbehind), and must not run on into a word.
const NANP = new RegExp(String.raw`(?<![\w+])(?:(\+?1)[\s.-]?)?(?:\((\d{3})\)[\s.-]?|(\d{3})[\s.-])(\d{3})[\s.-](\d{4})${EXT}(?![\w-])`, 'gi');
const INTERNATIONAL = new RegExp(String.raw`(?<![\w+])\+(\d{1,3})(?:\s?\(0\)\s?|[\s.-])(\d{1,5}(?:[\s.-]\d{1,5}){1,5})${EXT}(?![\w-])`, 'gi');
const E164 = new RegExp(String.raw`(?<![\w+])\+(\d{8,15})${EXT}(?![\w-])`, 'gi');
// UK national numbers: "020 7946 0958", "07700 900123", "0800 123 4567".
const UK_NATIONAL = new RegExp(String.raw`(?<![\w+.,])(0\d{2,4}(?:[\s-]?\d{3,4}){1,2})${EXT}(?![\w-])`, 'gi');
// A bare local number ("555-1234") or ten digits in a row, only where the text says it is a phone number.
const LOCAL = new RegExp(String.raw`(?<![\w+.,-])(\d{3}-\d{4}|\d{10})${EXT}(?![\w-])`, 'gi');
const PHONE_CUE = /\b(?:call|phone|tel|telephone|text|fax|dial|reach|number|mobile|cell|ph)\b[^\d\n]{0,20}$/i;
// "Call 911", "dial 999", "text HELP to 55555": service numbers and SMS short codes, said digit by digit.
const SHORT_NUMBER = /(?<![\w+.,$£€-])(\d{3}|\d{5,6})(?![\w-]|[.,]\d)/g;
const SHORT_NUMBER_CUE = /\b(?:call|dial|phone|ring)\s+$|\btext\b[^\d\n]{0,20}\bto\s+$/i;
const STANDALONE_EXT = /\b(?:ext\.?|extension)\s?(\d{1,6})\b/gi;

/** Groups longer than a listener can hold are split: six digits as 3+3, longer runs as 3s ending in 4. */
function splitGroup(group: string): string[] {
  if (group.length <= 5) return [group];
  if (group.length === 6) return [group.slice(0, 3), group.slice(3)];
  const out = [group.slice(-4)];
  let rest = group.slice(0, -4);
  while (rest.length > 4) {
    out.unshift(rest.slice(-3));
    rest = rest.slice(0, -3);
  }
  if (rest) out.unshift(rest);
  return out;
}

/** "+44 7700 900123" style groups for a compact E.164 number, by country. */
function e164Groups(digits: string): string[] {
  if (digits.startsWith('1') && digits.length === 11) return ['1', digits.slice(1, 4), digits.slice(4, 7), digits.slice(7)];
  if (digits.startsWith('44')) {
    const national = digits.slice(2);
    if (national.startsWith('2')) return ['44', national.slice(0, 2), national.slice(2, 6), national.slice(6)];
    return ['44', national.slice(0, 4), ...splitGroup(national.slice(4))];
  }
  return [digits.slice(0, 2), ...splitGroup(digits.slice(2))];
}

function ukNationalGroups(written: string): string[] {
  const groups = written.split(/[\s-]+/);
  if (groups.length > 1) return groups.flatMap(splitGroup);
  const digits = groups[0]!;
  if (digits.startsWith('02')) return [digits.slice(0, 3), digits.slice(3, 7), digits.slice(7)];
  return [digits.slice(0, 5), ...splitGroup(digits.slice(5))];
}

export function spokenPhone(groups: string[], ctx: SpeechContext, options: { plus?: boolean; extension?: string; tollFreeAt?: number } = {}): string {
  const words = groups.map((g, i) => (i === options.tollFreeAt && g === '800' ? 'eight hundred' : spellDigits(g, ctx.zero)));
  let spoken = words.join(', ');
  if (options.plus) spoken = `plus ${spoken}`;
  if (options.extension) spoken += `, extension ${spellDigits(options.extension, ctx.zero)}`;
  return spoken;
}

export function speakPhoneNumbers(text: string, ctx: SpeechContext): string {
  return text
    .replace(NANP, (_m, country: string | undefined, area1: string | undefined, area2: string | undefined, exchange: string, line: string, ext?: string) => {
      const area = (area1 ?? area2)!;
      const groups = country ? ['1', area, exchange, line] : [area, exchange, line];
      return ctx.freeze(spokenPhone(groups, ctx, { plus: country?.startsWith('+'), extension: ext, tollFreeAt: country ? 1 : 0 }));
    })
    .replace(INTERNATIONAL, (match, country: string, rest: string, ext?: string) => {
      const groups = [country, ...rest.split(/[\s.-]/).flatMap(splitGroup)];
      const digits = groups.join('').length;
      if (digits < 7 || digits > 15) return match;
      return ctx.freeze(spokenPhone(groups, ctx, { plus: true, extension: ext }));
    })
    .replace(E164, (_m, digits: string, ext?: string) => ctx.freeze(spokenPhone(e164Groups(digits), ctx, { plus: true, extension: ext })))
    .replace(UK_NATIONAL, (match, written: string, ext?: string) => {
      const digits = written.replace(/\D/g, '');
      if (digits.length < 10 || digits.length > 11) return match;
      return ctx.freeze(spokenPhone(ukNationalGroups(written), ctx, { extension: ext }));
    })
    .replace(LOCAL, (match, number: string, ext: string | undefined, at: number, whole: string) => {
      if (!PHONE_CUE.test(whole.slice(Math.max(0, at - 40), at))) return match;
      const groups = number.includes('-') ? number.split('-') : [number.slice(0, 3), number.slice(3, 6), number.slice(6)];
      return ctx.freeze(spokenPhone(groups, ctx, { extension: ext }));
    })
    .replace(SHORT_NUMBER, (match, digits: string, at: number, whole: string) => {
      const cue = SHORT_NUMBER_CUE.exec(whole.slice(Math.max(0, at - 30), at));
      if (!cue) return match;
      // Three digits only as a service number (911, 311, 999, 112), never "call 100 customers".
      if (digits.length === 3 && !/^(?:[2-9]11|999|112)$/.test(digits)) return match;
      return ctx.freeze(spellDigits(digits, ctx.zero));
    })
    .replace(STANDALONE_EXT, (_m, ext: string) => ctx.freeze(`extension ${spellDigits(ext, ctx.zero)}`));
}
