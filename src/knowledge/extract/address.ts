import { collapse, fold } from './text.js';

/**
 * Postal addresses: US-style street addresses in running text, and the normalised `value` used
 * to compare addresses across pages and sources ("123 Dental Avenue" from the page and
 * "123 Dental Ave" from JSON-LD are the same address; a different city is a conflict).
 */

const STATES: Record<string, string> = {
  alabama: 'AL', alaska: 'AK', arizona: 'AZ', arkansas: 'AR', california: 'CA', colorado: 'CO', connecticut: 'CT',
  delaware: 'DE', florida: 'FL', georgia: 'GA', hawaii: 'HI', idaho: 'ID', illinois: 'IL', indiana: 'IN', iowa: 'IA',
  kansas: 'KS', kentucky: 'KY', louisiana: 'LA', maine: 'ME', maryland: 'MD', massachusetts: 'MA', michigan: 'MI',
  minnesota: 'MN', mississippi: 'MS', missouri: 'MO', montana: 'MT', nebraska: 'NE', nevada: 'NV',
  'new hampshire': 'NH', 'new jersey': 'NJ', 'new mexico': 'NM', 'new york': 'NY', 'north carolina': 'NC',
  'north dakota': 'ND', ohio: 'OH', oklahoma: 'OK', oregon: 'OR', pennsylvania: 'PA', 'rhode island': 'RI',
  'south carolina': 'SC', 'south dakota': 'SD', tennessee: 'TN', texas: 'TX', utah: 'UT', vermont: 'VT',
  virginia: 'VA', washington: 'WA', 'west virginia': 'WV', wisconsin: 'WI', wyoming: 'WY',
  'district of columbia': 'DC',
};
const STATE_CODES = new Set(Object.values(STATES));

const SUFFIX =
  'Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Way|Court|Ct|Place|Pl|Parkway|Pkwy|Highway|Hwy|' +
  'Circle|Cir|Terrace|Ter|Trail|Trl|Square|Sq|Plaza|Plz|Loop|Pike|Broadway|Alley|Row|Crescent|Center|Centre';
const STATE_ALT = [...STATE_CODES, ...Object.keys(STATES).map((s) => s.replace(/\b\w/g, (c) => c.toUpperCase()))]
  .sort((a, b) => b.length - a.length)
  .join('|');

// 123 [N] Main Street [Suite 4], City, ST [12345] — the street line may end with a line break.
const US_ADDRESS = new RegExp(
  String.raw`(?<![\w/-])\d{1,6}[A-Za-z]?(?:-\d{1,5})?\s+` +
    String.raw`(?:(?:[NSEW]|North|South|East|West)\.?\s+)?(?:[A-Z0-9][A-Za-z0-9.'’-]*\s+){0,4}(?:${SUFFIX})\.?` +
    String.raw`(?:\s+(?:NE|NW|SE|SW|N|S|E|W)\.?)?` +
    String.raw`(?:,?\s*(?:Suite|Ste\.?|Unit|Apt\.?|#|Floor|Fl\.?)\s*[A-Za-z0-9-]+)?` +
    String.raw`\s*[,\n]\s*[A-Z][A-Za-z.'’-]*(?:[ ][A-Z][A-Za-z.'’-]*){0,3}\s*,\s*(?:${STATE_ALT})\b` +
    String.raw`(?:[ ,]*\d{5}(?:-\d{4})?)?(?:[ ,]*(?:USA|U\.S\.A\.|United States))?`,
  'g',
);

export interface AddressMatch {
  raw: string;
  /** One-line display form: lines joined with commas. */
  display: string;
  value: string;
  index: number;
}

export function findUsAddresses(text: string): AddressMatch[] {
  const out: AddressMatch[] = [];
  for (const m of text.matchAll(US_ADDRESS)) {
    const display = displayAddress(m[0]);
    out.push({ raw: m[0], display, value: addressValue(display), index: m.index });
  }
  return out;
}

/** Lines joined with ", ", doubled commas and spaces removed. */
export function displayAddress(text: string): string {
  return collapse(text.replace(/\s*\n\s*/g, ', ').replace(/\s*,\s*(,\s*)+/g, ', ')).replace(/^,\s*|,\s*$/g, '');
}

const WORDS: Record<string, string> = {
  street: 'st', avenue: 'ave', av: 'ave', road: 'rd', boulevard: 'blvd', drive: 'dr', lane: 'ln', court: 'ct',
  place: 'pl', parkway: 'pkwy', highway: 'hwy', circle: 'cir', terrace: 'ter', trail: 'trl', square: 'sq',
  plaza: 'plz', suite: 'ste', apartment: 'apt', north: 'n', south: 's', east: 'e', west: 'w', floor: 'fl',
  centre: 'center',
};
const COUNTRY_TAIL = /\s(us|usa|u s a|united states|united states of america)$/;

/**
 * Comparison form of an address: folded, street words abbreviated, state names as codes,
 * a trailing United States dropped (JSON-LD says "US", pages rarely do).
 */
export function addressValue(text: string): string {
  let v = ` ${fold(text)} `;
  for (const [name, code] of Object.entries(STATES)) {
    if (v.includes(` ${name} `)) v = v.replace(` ${name} `, ` ${code.toLowerCase()} `);
  }
  v = v
    .trim()
    .split(' ')
    .map((w) => WORDS[w] ?? w)
    .join(' ');
  return v.replace(COUNTRY_TAIL, '').trim();
}

/** Whether free text (an <address> line, a labelled value) is plausibly a postal address. */
export function looksLikeAddress(text: string): boolean {
  const t = collapse(text);
  if (t.length < 8 || t.length > 200) return false;
  if (!/\d/.test(t) || !/[a-z]{3}/i.test(t)) return false;
  if (/@|https?:|www\./i.test(t)) return false;
  const digits = t.replace(/\D/g, '').length;
  if (digits > t.length / 2) return false; // a phone number or an id, not an address
  return /,/.test(t) || new RegExp(String.raw`\b(${SUFFIX})\b`).test(t) || /\b\d{5}\b/.test(t);
}

const COUNTRIES: Record<string, string> = { US: 'United States', USA: 'United States', IN: 'India', GB: 'United Kingdom', UK: 'United Kingdom', CA: 'Canada', AU: 'Australia', IE: 'Ireland', NZ: 'New Zealand' };

/** schema.org PostalAddress → one line ("123 Main St, Springfield, IL 62701"). US is left implicit. */
export function formatPostalAddress(a: Record<string, unknown>): string | undefined {
  const str = (k: string): string => {
    const v = a[k];
    if (typeof v === 'string' || typeof v === 'number') return collapse(String(v));
    if (v && typeof v === 'object' && 'name' in v) return collapse(String((v as { name: unknown }).name));
    return '';
  };
  const street = str('streetAddress');
  const locality = str('addressLocality');
  const region = str('addressRegion');
  const postal = str('postalCode');
  const countryRaw = str('addressCountry');
  const country = COUNTRIES[countryRaw.toUpperCase()] ?? countryRaw;
  const regionPostal = [region, postal].filter(Boolean).join(' ');
  const parts = [street, locality, regionPostal];
  if (country && country !== 'United States') parts.push(country);
  const line = parts.filter(Boolean).join(', ');
  return line && (street || locality) ? line : undefined;
}
