import type { Element } from 'domhandler';
import type { Block } from './blocks.js';
import type { Candidate } from './candidate.js';
import { collapse, fold } from './text.js';

/**
 * Price-list items: a short block (list item, table row, card) that names something and gives
 * a dollar amount: "Teeth whitening ........ $299", "<tr><td>Drain cleaning</td><td>$149</td>",
 * a card whose heading is the service and whose body is "$89". Long prose that mentions a price
 * stays in its content section, where the categoriser still sees the "$".
 */

const AMOUNT = String.raw`\$\s?\d{1,3}(?:,\d{3})+(?:\.\d{2})?|\$\s?\d+(?:\.\d{1,2})?`;
const UNIT = String.raw`\s*(?:\+|\/\s?(?:hr|hour|day|week|wk|month|mo|visit|person|session|night|year|yr|item|lb|sq\.?\s?ft)\b|(?:per|a|an)\s+(?:hour|day|week|month|visit|person|session|night|year|item|pound|square foot)\b|each\b|ea\.)?`;
export const PRICE = new RegExp(
  String.raw`(?:(?:from|starting at|starts at|only|just|as low as)\s+)?(?:${AMOUNT})(?:\s*(?:-|–|—|to)\s*(?:${AMOUNT}|\d+(?:\.\d{2})?))?${UNIT}`,
  'gi',
);

export interface PricesFound {
  candidates: Candidate[];
  elements: Element[];
}

/** "$5/hour" → "$5 per hour", "$100-$200" → "$100 to $200", for speech. */
export function speakPrice(price: string): string {
  return collapse(
    price
      .replace(/\s*(?:-|–|—)\s*(?=\$?\d)/g, ' to ')
      .replace(/\s*\/\s?(hr|hour)\b/i, ' per hour')
      .replace(/\s*\/\s?(mo|month)\b/i, ' per month')
      .replace(/\s*\/\s?(yr|year)\b/i, ' per year')
      .replace(/\s*\/\s?(\w+)/, ' per $1')
      .replace(/\+$/, ' and up'),
  );
}

function priceValue(price: string): string {
  return price.toLowerCase().replace(/\s+/g, '').replace(/[–—]/g, '-');
}

function nameFrom(text: string, price: string): string {
  return collapse(
    text
      .replace(price, ' ')
      .replace(/\(\s*[,;]?\s*\)/g, '')
      .replace(/\(\s*[,;]\s*/g, '(')
      .replace(/\s*[,;]\s*\)/g, ')')
      .replace(/[.…·•_]{2,}/g, ' ')
      .replace(/\s[-–—:|•·]\s*$|^\s*[-–—:|•·]\s/g, ' '),
  )
    .replace(/[\s:–—\-|,]+$/, '')
    .replace(/^[\s:–—\-|,]+/, '');
}

export function findPrices(blocks: Block[]): PricesFound {
  const candidates: Candidate[] = [];
  const elements: Element[] = [];
  const seen = new Set<string>();
  for (const block of blocks) {
    const text = collapse(block.lines.join(' '));
    if (text.length > 160) continue;
    const matches = [...text.matchAll(PRICE)].filter((m) => /\d/.test(m[0]));
    if (matches.length !== 1 || !matches[0]) continue;
    // "$20 off your first visit" is a promotion, not the price of something.
    if (/\b(off|save|saving|discount|coupon|rebate)\b/i.test(text)) continue;
    const price = collapse(matches[0][0]);
    let name = nameFrom(text, matches[0][0]);
    const heading = block.headings[block.headings.length - 1];
    // A bare amount ("$89", "Starting at $89") takes its card's heading as the item name.
    if (!/[a-z]{2,}/i.test(name.replace(/\b(from|starting at|starts at|only|just|price|cost|per|each)\b/gi, ''))) {
      if (!heading) continue;
      name = heading;
    }
    if (name.length > 100) continue;
    const key = `${fold(name)}|${priceValue(price)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    elements.push(block.el);
    candidates.push({
      kind: 'price',
      title: `Price: ${name.length > 60 ? `${name.slice(0, 57)}…` : name}`,
      content: `${name}: ${speakPrice(price)}.`,
      factKey: `price:${fold(name)}`,
      value: priceValue(price),
      headings: block.headings,
      ...(block.kicker ? { context: block.kicker } : {}),
      origin: 'dom',
    });
  }
  return { candidates, elements };
}
