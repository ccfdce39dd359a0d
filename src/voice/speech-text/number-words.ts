/**
 * Numbers as English words, for text-to-speech. Small on purpose: the engines (espeak-ng, and
 * Kokoro, which phonemizes through espeak) read digits themselves but badly for a phone call
 * ("$1,299.99", "1998", "22nd"), so everything that reaches them is already words. Integers are
 * handled as digit strings, so no precision is lost on long ones.
 */

export interface SpellOptions {
  /** British style: "one hundred and five", "two thousand and one". */
  british?: boolean;
}

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES = ['', 'thousand', 'million', 'billion', 'trillion'];

/** 0–99: "seven", "forty-two". */
function underHundred(n: number): string {
  if (n < 20) return ONES[n]!;
  const unit = n % 10;
  return unit ? `${TENS[Math.floor(n / 10)]}-${ONES[unit]}` : TENS[Math.floor(n / 10)]!;
}

/** 1–999: "one hundred five" (US) or "one hundred and five" (UK). */
function underThousand(n: number, british: boolean): string {
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  if (!hundreds) return underHundred(rest);
  const head = `${ONES[hundreds]} hundred`;
  if (!rest) return head;
  return `${head}${british ? ' and' : ''} ${underHundred(rest)}`;
}

/** One digit: "0" → "zero" (or another word for zero, e.g. "oh" when reading a phone number). */
export function digitWord(digit: string, zero = 'zero'): string {
  return digit === '0' ? zero : ONES[Number(digit)] ?? digit;
}

/** "4567" → "four five six seven": for phone numbers, ZIP codes, decimal places, IDs. */
export function spellDigits(digits: string, zero = 'zero'): string {
  return [...digits].map((d) => digitWord(d, zero)).join(' ');
}

/**
 * A whole number as words: "1299" → "one thousand two hundred ninety-nine". Accepts a number or a
 * string of digits (commas allowed, a leading "-" reads "minus"); past the trillions it falls back
 * to digit by digit, which is what a listener would want from such a number anyway.
 */
export function cardinal(value: number | string, options: SpellOptions = {}): string {
  // Fast path for the most common case, small whole numbers.
  if (typeof value === 'number' ? Number.isInteger(value) && value >= 0 && value < 100 : value.length <= 2 && /^\d+$/.test(value)) {
    return underHundred(Number(value));
  }
  let digits = typeof value === 'number' ? String(Math.trunc(value)) : value.replace(/,/g, '');
  let sign = '';
  if (digits.startsWith('-')) {
    sign = 'minus ';
    digits = digits.slice(1);
  }
  if (!/^\d+$/.test(digits)) throw new Error(`not an integer: ${String(value)}`);
  digits = digits.replace(/^0+(?=\d)/, '');
  if (digits === '0') return `${sign}zero`;
  if (digits.length > SCALES.length * 3) return sign + spellDigits(digits);
  const british = options.british ?? false;
  const groups: number[] = [];
  for (let end = digits.length; end > 0; end -= 3) groups.unshift(Number(digits.slice(Math.max(0, end - 3), end)));
  const words: string[] = [];
  groups.forEach((group, i) => {
    if (!group) return;
    const scale = SCALES[groups.length - 1 - i]!;
    const isLast = i === groups.length - 1;
    // British: "one thousand and five": "and" before a final group under a hundred.
    const and = british && isLast && groups.length > 1 && group < 100 ? 'and ' : '';
    words.push(`${and}${underThousand(group, british)}${scale ? ` ${scale}` : ''}`);
  });
  return sign + words.join(' ');
}

const IRREGULAR_ORDINALS: Record<string, string> = { one: 'first', two: 'second', three: 'third', five: 'fifth', eight: 'eighth', nine: 'ninth', twelve: 'twelfth' };

/** The ordinal form of spelled-out words: "twenty-two" → "twenty-second", "forty" → "fortieth". */
export function ordinalOfWords(words: string): string {
  return words.replace(/([a-z]+)$/, (last) => IRREGULAR_ORDINALS[last] ?? (last.endsWith('y') ? `${last.slice(0, -1)}ieth` : `${last}th`));
}

/** "22" → "twenty-second". */
export function ordinal(value: number | string, options: SpellOptions = {}): string {
  return ordinalOfWords(cardinal(value, options));
}

/** "3.5" → "three point five", "0.25" → "zero point two five" (decimal places digit by digit, as said aloud). */
export function decimal(text: string, options: SpellOptions = {}): string {
  const [whole = '', fraction] = text.replace(/,/g, '').split('.');
  const head = whole === '' || whole === '-' ? `${whole === '-' ? 'minus ' : ''}` : `${cardinal(whole, options)} `;
  return fraction === undefined ? cardinal(whole, options) : `${head}point ${spellDigits(fraction)}`.trim();
}

/**
 * A number read in pairs, the way years and house numbers are said: "1998" → "nineteen
 * ninety-eight", "1205" → "twelve oh five", "1900" → "nineteen hundred", "2026" → "twenty
 * twenty-six", "2007" → "two thousand seven"; "123" → "one twenty-three".
 */
export function pairs(value: number, options: SpellOptions = {}): string {
  const n = Math.trunc(value);
  if (n < 100 || n >= 10_000 || n % 1000 === 0) return cardinal(n, options);
  // 2000–2009 (and 3000…): "two thousand seven", never "twenty oh seven".
  if (n >= 1000 && n % 1000 < 10) return cardinal(n, options);
  const high = Math.floor(n / 100);
  const low = n % 100;
  if (low === 0) return `${cardinal(high, options)} hundred`;
  return `${cardinal(high, options)} ${low < 10 ? `oh ${ONES[low]}` : underHundred(low)}`;
}

/** A year: "1998" → "nineteen ninety-eight", "2026" → "twenty twenty-six"; years before 1100 as plain numbers. */
export function year(value: number, options: SpellOptions = {}): string {
  return value >= 1100 && value < 10_000 ? pairs(value, options) : cardinal(value, options);
}

/** The plural of spelled-out words, for decades: "nineteen ninety" → "nineteen nineties". */
export function pluralOfWords(words: string): string {
  return words.replace(/([a-z]+)$/, (last) => (last.endsWith('y') ? `${last.slice(0, -1)}ies` : last.endsWith('x') ? `${last}es` : `${last}s`));
}
