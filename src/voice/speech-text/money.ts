/**
 * Prices: "$1,299.99" → "one thousand two hundred ninety-nine dollars and ninety-nine cents",
 * "$40–$60" → "forty to sixty dollars", "$5/mo" → "five dollars per month", "$1.5M" → "one point
 * five million dollars", "99¢" → "ninety-nine cents". Dollars, pounds and euros; the unit is said
 * once at the end of a whole-number range, as people say it.
 */
import { cardinal, decimal } from './number-words.js';
import type { SpeechContext } from './speech-context.js';

interface Currency {
  one: string;
  many: string;
  minorOne: string;
  minorMany: string;
}

const CURRENCIES: Record<string, Currency> = {
  $: { one: 'dollar', many: 'dollars', minorOne: 'cent', minorMany: 'cents' },
  '£': { one: 'pound', many: 'pounds', minorOne: 'penny', minorMany: 'pence' },
  '€': { one: 'euro', many: 'euros', minorOne: 'cent', minorMany: 'cents' },
};

const SCALES: Record<string, string> = { k: 'thousand', thousand: 'thousand', m: 'million', mm: 'million', million: 'million', b: 'billion', bn: 'billion', billion: 'billion' };

/** What a price is "per": "/mo", "/hr", "per hr", "/sq ft", "each". */
const PER_UNITS: Record<string, string> = {
  mo: 'month', mos: 'month', month: 'month', hr: 'hour', hrs: 'hour', h: 'hour', hour: 'hour', wk: 'week', week: 'week', yr: 'year', year: 'year', annum: 'year',
  day: 'day', night: 'night', person: 'person', pp: 'person', visit: 'visit', session: 'session', class: 'class', lesson: 'lesson', lb: 'pound', unit: 'unit', item: 'item',
  min: 'minute', minute: 'minute', mi: 'mile', mile: 'mile', ft: 'foot', 'sq ft': 'square foot', 'sq. ft.': 'square foot', sqft: 'square foot', 'sq. ft': 'square foot', ea: 'each', each: 'each',
};

// Digits with thousands commas ("1,299"), or none before a decimal point ("$.99"); decimals; a scale ("$2k", "$1.5M").
const AMOUNT = String.raw`(\d{1,3}(?:,\d{3})+|\d+|(?=\.\d))(\.\d+)?(?:\s?(k|K|M|MM|m|B|bn|thousand|million|billion)\b)?`;
const PER = String.raw`(?:\s?(?:\/|\bper\s)\s?(sq\.?\s?ft\b\.?|sqft|mos?|months?|hrs?|h|hours?|wk|weeks?|yrs?|years?|annum|days?|nights?|person|pp|visits?|sessions?|class|lessons?|lb|units?|items?|min|minutes?|mi|miles?|ft|ea|each)\b)?`;
// A price, optionally a range in the same currency ("$40–$60", "$40 to 60"), optionally per unit.
// Starts only at a currency sign; "(?![\d])" keeps "$40-" + "555…" from reading half a number.
const PRICE = new RegExp(String.raw`(?<![\w$£€])([$£€])\s?${AMOUNT}(?:(\s?[-–—]\s?|\s+to\s+)\1?\s?${AMOUNT})?${PER}(?![\d])`, 'g');
const CENTS = /(?<![\w.,])(\d{1,3})\s?¢/g;

interface Amount {
  whole: string;
  fraction?: string;
  scale?: string;
}

function isWholeAmount(a: Amount): boolean {
  return !a.scale && (!a.fraction || /^\.0+$/.test(a.fraction));
}

/** The number part alone: "1,299" → "one thousand two hundred ninety-nine", "1.5" + "M" → "one point five million". */
function amountNumber(a: Amount, british: boolean): string {
  const scale = a.scale ? SCALES[a.scale.toLowerCase()] ?? '' : '';
  if (scale) return `${decimal(`${a.whole || '0'}${a.fraction ?? ''}`, { british })} ${scale}`;
  return cardinal(a.whole || '0', { british });
}

/** "one thousand two hundred ninety-nine dollars and ninety-nine cents", "ninety-nine cents", "one dollar". */
function spokenAmount(a: Amount, currency: Currency, british: boolean): string {
  const wholeNumber = Number((a.whole || '0').replace(/,/g, ''));
  if (a.scale) return `${amountNumber(a, british)} ${currency.many}`;
  // "$0.005" or "$1.999": more than two decimals is not cents; say it as a decimal.
  if (a.fraction && a.fraction.length > 3) return `${decimal(`${a.whole || '0'}${a.fraction}`, { british })} ${currency.many}`;
  const cents = a.fraction ? Number(a.fraction.slice(1).padEnd(2, '0')) : 0;
  const major = `${cardinal(a.whole || '0', { british })} ${wholeNumber === 1 ? currency.one : currency.many}`;
  const minor = `${cardinal(cents)} ${cents === 1 ? currency.minorOne : currency.minorMany}`;
  if (!cents) return major;
  return wholeNumber === 0 ? minor : `${major} and ${minor}`;
}

function perWords(unit: string | undefined): string {
  if (!unit) return '';
  const key = unit.toLowerCase().replace(/\s+/g, ' ');
  const word = PER_UNITS[key] ?? PER_UNITS[key.replace(/s$/, '')] ?? (/^sq/.test(key) ? 'square foot' : key);
  return word === 'each' ? ' each' : ` per ${word}`;
}

export function speakMoney(text: string, ctx: SpeechContext): string {
  const british = ctx.british;
  return text
    .replace(PRICE, (_m, sign: string, w1: string, f1?: string, s1?: string, join?: string, w2?: string, f2?: string, s2?: string, per?: string) => {
      const currency = CURRENCIES[sign]!;
      const unit = perWords(per);
      const a: Amount = { whole: w1 || '0', fraction: f1, scale: s1 };
      if (!join || w2 === undefined) return ctx.freeze(spokenAmount(a, currency, british) + unit);
      const b: Amount = { whole: w2 || '0', fraction: f2, scale: s2 };
      // "$1-2M": the scale written once applies to both ends.
      if (!a.scale && !a.fraction && b.scale) a.scale = b.scale;
      if (isWholeAmount(a) && isWholeAmount(b)) return ctx.freeze(`${cardinal(a.whole, { british })} to ${spokenAmount(b, currency, british)}${unit}`);
      if (a.scale && b.scale && SCALES[a.scale.toLowerCase()] === SCALES[b.scale.toLowerCase()]) {
        return ctx.freeze(`${decimal(`${a.whole}${a.fraction ?? ''}`, { british })} to ${spokenAmount(b, currency, british)}${unit}`);
      }
      return ctx.freeze(`${spokenAmount(a, currency, british)} to ${spokenAmount(b, currency, british)}${unit}`);
    })
    .replace(CENTS, (_m, n: string) => ctx.freeze(`${cardinal(n)} ${n === '1' ? 'cent' : 'cents'}`));
}
