/**
 * Every number left after phones, dates, prices and times: "1,200" → "one thousand two hundred",
 * "3.5" → "three point five", "22nd" → "twenty-second", "15%" → "fifteen percent", "9-5" → "nine
 * to five", "1500 sq ft" → "one thousand five hundred square feet", "1998" → "nineteen
 * ninety-eight", "#5" / "No. 5" → "number five", street numbers and ZIP codes the way addresses
 * are said ("123 Main Street" → "one twenty-three Main Street", "90210" digit by digit).
 */
import { cardinal, decimal, ordinal, pairs, pluralOfWords, spellDigits, year } from './number-words.js';
import { sentenceDot, type SpeechContext } from './speech-context.js';

interface Unit {
  one: string;
  many: string;
  /** British spelling, where it differs. */
  gbOne?: string;
  gbMany?: string;
}

const UNITS: Record<string, Unit> = {
  sqft: { one: 'square foot', many: 'square feet' },
  ft: { one: 'foot', many: 'feet' },
  yd: { one: 'yard', many: 'yards' },
  mi: { one: 'mile', many: 'miles' },
  km: { one: 'kilometer', many: 'kilometers', gbOne: 'kilometre', gbMany: 'kilometres' },
  cm: { one: 'centimeter', many: 'centimeters', gbOne: 'centimetre', gbMany: 'centimetres' },
  mm: { one: 'millimeter', many: 'millimeters', gbOne: 'millimetre', gbMany: 'millimetres' },
  kg: { one: 'kilogram', many: 'kilograms' },
  lb: { one: 'pound', many: 'pounds' },
  oz: { one: 'ounce', many: 'ounces' },
  gal: { one: 'gallon', many: 'gallons' },
  ml: { one: 'milliliter', many: 'milliliters', gbOne: 'millilitre', gbMany: 'millilitres' },
  hr: { one: 'hour', many: 'hours' },
  min: { one: 'minute', many: 'minutes' },
  sec: { one: 'second', many: 'seconds' },
  wk: { one: 'week', many: 'weeks' },
  mo: { one: 'month', many: 'months' },
  yr: { one: 'year', many: 'years' },
  mph: { one: 'mile per hour', many: 'miles per hour' },
  pc: { one: 'piece', many: 'pieces' },
  k: { one: 'thousand', many: 'thousand' },
  x: { one: 'time', many: 'times' },
};
// Written forms → UNITS keys. Only after a number, so "min" or "mi" in prose is never touched.
const UNIT_ALIASES: Record<string, string> = {
  'sq ft': 'sqft', 'sq. ft': 'sqft', 'sq.ft': 'sqft', sqft: 'sqft', 'sq feet': 'sqft', ft: 'ft', feet: 'ft', yd: 'yd', yds: 'yd', mi: 'mi', km: 'km', cm: 'cm', mm: 'mm', kg: 'kg', kgs: 'kg',
  lb: 'lb', lbs: 'lb', oz: 'oz', gal: 'gal', gals: 'gal', ml: 'ml', hr: 'hr', hrs: 'hr', min: 'min', mins: 'min', sec: 'sec', secs: 'sec', wk: 'wk', wks: 'wk', mo: 'mo', mos: 'mo',
  yr: 'yr', yrs: 'yr', mph: 'mph', pc: 'pc', pcs: 'pc', k: 'k', x: 'x',
};
// Lower case, or capitalised as in a title ("1,500 Sq Ft"); "K", "M" and "X" are left alone on purpose ("5K run").
const UNIT_SRC = String.raw`[Ss]q\.?\s?(?:[Ff]t|[Ff]eet)|[Ss]q[Ff]t|[Ff]t|[Yy]ds?|[Mm]i|[Kk]m|[Cc]m|mm|[Kk]gs?|[Ll]bs?|[Oo]z|[Gg]als?|ml|[Hh]rs?|[Mm]ins?|[Ss]ecs?|[Ww]ks?|[Mm]os?|[Yy]rs?|[Mm]ph|MPH|[Pp]cs?`;

const NUM = String.raw`(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?![\d]|[.,]\d)`;
const ORD = String.raw`(?:st|nd|rd|th)`;
const JOIN = String.raw`(?:\s?[-–—]\s?|\s+to\s+|\s?[x×]\s?)`;
// A number, optionally a range or a dimension ("9-5", "10 to 15", "10x12"), with an optional
// suffix (%, +, °F, a decade's "s", a unit). It starts only where a number starts (lookbehind),
// and must not run on into a word ("3D", "mp3", "B12" are left alone).
const PHRASE = new RegExp(
  String.raw`(?<![\w.,\u{E001}])([-−](?=\d))?(${NUM})(${ORD})?(?:(${JOIN})(${NUM})(${ORD})?)?(?:(\s?%|\s?percent\b)|(\+)|(\s?°\s?[FC]?(?![a-z]))|(s)(?![\w'’])|\s?(${UNIT_SRC})\b(\.?)|([kx])(?![\w]))?(?![\w%°])`,
  'gu',
);
const DECADE = /(?<![\w])['’](\d0)s\b/g;
const NUMBER_SIGN = /(?:(?<![\w&])#|\b(?:No|NO|no|Num)\.)\s?(\d{1,3}(?:,\d{3})+|\d+)(?![\d,.]\d)/g;
const ABOUT = /(?<![\w~≈])[~≈]\s?(?=\d)/g;
const UNICODE_FRACTIONS: Record<string, [string, string]> = { '½': ['one half', 'a half'], '¼': ['one quarter', 'a quarter'], '¾': ['three quarters', 'three quarters'], '⅓': ['one third', 'a third'], '⅔': ['two thirds', 'two thirds'] };
const FRACTION_CHAR = /(\d?)\s?([½¼¾⅓⅔])/g;

const STREET_SUFFIX = String.raw`(?:St|Street|Ave|Avenue|Rd|Road|Blvd|Boulevard|Dr|Drive|Ln|Lane|Way|Ct|Court|Pl|Place|Pkwy|Parkway|Hwy|Highway|Cir|Circle|Ter|Terrace|Trl|Trail|Pike|Plaza|Square)`;
// "123 Main St", "1116 W 5th Ave", "4500 Old Mill Road": a house number before a street name.
const HOUSE_NUMBER = new RegExp(
  String.raw`(?<![\w.,$£€#\u{E001}])(\d{3,4})([A-Z]?)(?=\s+(?:[NSEW]\.?\s+)?(?:\d{1,3}(?:st|nd|rd|th)|[A-Z][\w'’-]*)(?:\s+[A-Z][\w'’-]*){0,2}\s+${STREET_SUFFIX}\b)`,
  'gu',
);
// Rooms, suites and roads are numbered, not counted: "Suite 105" → "suite one oh five", "Highway 101" → "one oh one".
const NAMED_NUMBER = /(?<=\b(?:Suite|Room|Unit|Highway|Route|Interstate|Exit|Gate|Flight|Building)\s#?)(\d{3,4})(?![\w.,]\d|[\w%])/g;
const STATES: Record<string, string> = {
  AL: 'Alabama', AK: 'Alaska', AZ: 'Arizona', AR: 'Arkansas', CA: 'California', CO: 'Colorado', CT: 'Connecticut', DE: 'Delaware', DC: 'D C', FL: 'Florida', GA: 'Georgia',
  HI: 'Hawaii', ID: 'Idaho', IL: 'Illinois', IN: 'Indiana', IA: 'Iowa', KS: 'Kansas', KY: 'Kentucky', LA: 'Louisiana', ME: 'Maine', MD: 'Maryland', MA: 'Massachusetts',
  MI: 'Michigan', MN: 'Minnesota', MS: 'Mississippi', MO: 'Missouri', MT: 'Montana', NE: 'Nebraska', NV: 'Nevada', NH: 'New Hampshire', NJ: 'New Jersey', NM: 'New Mexico',
  NY: 'New York', NC: 'North Carolina', ND: 'North Dakota', OH: 'Ohio', OK: 'Oklahoma', OR: 'Oregon', PA: 'Pennsylvania', RI: 'Rhode Island', SC: 'South Carolina',
  SD: 'South Dakota', TN: 'Tennessee', TX: 'Texas', UT: 'Utah', VT: 'Vermont', VA: 'Virginia', WA: 'Washington', WV: 'West Virginia', WI: 'Wisconsin', WY: 'Wyoming',
};
// "Springfield, IL 62704" → the state by name (espeak says "CA" as "ka") and the ZIP digit by digit.
const STATE_ZIP = /\b([A-Z]{2})\s+(\d{5})(?:-(\d{4}))?(?![\w-])/g;
// A quantity word before a 4-digit number means a count, not a year: "over 1500 clients".
const QUANTITY_CUE = /\b(?:over|more than|fewer than|less than|about|approximately|approx\.?|around|up to|than|under|nearly|almost|some|total of|only|just|exactly)\s+$/i;

function unitWords(written: string, plural: boolean, british: boolean): string {
  const key = written.toLowerCase().replace(/\s+/g, ' ');
  const unit = UNITS[UNIT_ALIASES[key] ?? (key.startsWith('sq') ? 'sqft' : '')];
  if (!unit) return '';
  const word = plural ? (british ? unit.gbMany : undefined) ?? unit.many : (british ? unit.gbOne : undefined) ?? unit.one;
  return ` ${word}`;
}

/** One number: ordinal, decimal, digit string (codes, IDs), year, or cardinal. */
function spokenNumber(text: string, ordinalSuffix: string | undefined, yearish: boolean, ctx: SpeechContext): string {
  const options = { british: ctx.british };
  const hasComma = text.includes(',');
  const clean = hasComma ? text.replace(/,/g, '') : text;
  if (clean.includes('.')) return decimal(clean, options);
  if (ordinalSuffix) return ordinal(clean, options);
  if (!hasComma) {
    // "007", "0123": codes, not quantities. Seven or more digits with no commas: an ID or account number.
    if (clean.length > 1 && clean.startsWith('0')) return spellDigits(clean, ctx.zero);
    if (clean.length >= 7) return spellDigits(clean, ctx.zero);
    const n = Number(clean);
    if (yearish && clean.length === 4 && n >= 1100 && n < 2100) return year(n, options);
  }
  return cardinal(clean, options);
}

export function speakNumbers(text: string, ctx: SpeechContext): string {
  const british = ctx.british;
  return text
    // "#5" → "number five"; a long one is an ID ("Lic. #12345"), read digit by digit.
    .replace(NUMBER_SIGN, (_m, n: string) => `number ${n.length >= 5 && !n.includes(',') ? ctx.freeze(spellDigits(n, ctx.zero)) : n}`)
    .replace(ABOUT, 'about ')
    .replace(STATE_ZIP, (match, state: string, zip: string, plus4?: string) => {
      const name = STATES[state];
      if (!name) return match;
      return `${name} ${ctx.freeze(spellDigits(zip) + (plus4 ? `, ${spellDigits(plus4)}` : ''))}`;
    })
    .replace(HOUSE_NUMBER, (_m, n: string, letter: string) => ctx.freeze((n.startsWith('0') ? spellDigits(n) : pairs(Number(n), { british })) + (letter ? ` ${letter}` : '')))
    .replace(NAMED_NUMBER, (n: string) => ctx.freeze(n.startsWith('0') ? spellDigits(n) : pairs(Number(n), { british })))
    .replace(FRACTION_CHAR, (_m, whole: string, ch: string) => {
      const [alone, mixed] = UNICODE_FRACTIONS[ch]!;
      return whole ? `${whole} and ${mixed}` : alone;
    })
    .replace(DECADE, (_m, d: string) => ctx.freeze(pluralOfWords(cardinal(d))))
    .replace(
      PHRASE,
      (match, sign?: string, a?: string, ordA?: string, join?: string, b?: string, ordB?: string, percent?: string, plus?: string, degrees?: string, decade?: string, unit?: string, unitDot?: string, attached?: string, at?: number, whole?: string) => {
        // Only a plain 4-digit number can be a year; the look back for "over", "about"… is done just for those.
        const yearish = a!.length === 4 && !unit && !percent && !attached && !QUANTITY_CUE.test(whole!.slice(Math.max(0, at! - 30), at!));
        // Both ends of a range look like years ("2024-2025"), or neither is read as one.
        const rangeYears = b !== undefined && /^\d{4}$/.test(a!) && /^\d{2}(?:\d{2})?$/.test(b);
        let spoken = `${sign ? 'minus ' : ''}${spokenNumber(a!, ordA, yearish && (b === undefined || rangeYears), ctx)}`;
        if (b !== undefined) {
          const word = join!.includes('x') || join!.includes('×') ? 'by' : 'to';
          spoken += ` ${word} ${spokenNumber(b, ordB, yearish && rangeYears && b.length === 4, ctx)}`;
        }
        // "a 30 min consultation": a unit used as an adjective stays singular.
        const single = (b === undefined && !sign && a === '1') || (Boolean(unit) && /\ban?\s+$/i.test(whole!.slice(Math.max(0, at! - 4), at!)));
        if (percent) spoken += ' percent';
        else if (plus) spoken += ' plus';
        else if (degrees) spoken += ` ${single ? 'degree' : 'degrees'}${/F/.test(degrees) ? ' Fahrenheit' : /C/.test(degrees) ? ' Celsius' : ''}`;
        else if (decade) {
          // "1990s" → "nineteen nineties", "80s" → "eighties"; "5s" is not a decade.
          if (b !== undefined || !/^(?:\d0|\d{3}0)$/.test(a!)) return match;
          spoken = pluralOfWords(a!.length === 4 ? year(Number(a), { british }) : cardinal(a!));
        } else if (unit) spoken += unitWords(unit, !single, british) + sentenceDot(unitDot ?? '', whole!.slice(at! + match.length));
        else if (attached) {
          // "50k" → "fifty thousand", "3x" → "three times".
          spoken += unitWords(attached, !single, british);
        }
        return ctx.freeze(spoken);
      },
    );
}
