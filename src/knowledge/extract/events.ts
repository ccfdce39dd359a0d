import type { Cheerio, CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
import type { Block } from './blocks.js';
import type { Candidate } from './candidate.js';
import { blockText, collapse, descendants, inlineText, prose, truncate } from './text.js';

/**
 * Dated announcements and events: items carrying a <time> element or a date-classed element
 * (blog cards, event lists), and list items that open with a date under a news/events heading.
 * The date stays in the content, because "is anything on this weekend?" needs it.
 */

const MONTHS = String.raw`(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`;
export const DATE = new RegExp(
  String.raw`\b(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?(?:${MONTHS}\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?|\d{1,2}(?:st|nd|rd|th)?\s+${MONTHS}\.?,?\s+\d{4})\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}\/\d{1,2}\/\d{2,4}\b`,
  'i',
);
const DATE_CLASS = /(^|[-_\s])(date|event-date|post-date|published|posted-on|entry-date|news-date)([-_\s]|$)/i;
const ITEM_CLASS = /(^|[-_\s])(event|post|news|article|entry|announcement|card|item)([-_\s]|$)/i;
const NEWS_HEADING = /news|event|announce|update|calendar|what'?s on|happening|upcoming|blog/i;

export interface EventsFound {
  candidates: Candidate[];
  elements: Element[];
}

function itemOf(el: Element): Element | undefined {
  let node: Element | null = el.parent as Element | null;
  for (let depth = 0; node && node.type === 'tag' && depth < 5; depth++) {
    if (['article', 'li'].includes(node.name) || ITEM_CLASS.test(node.attribs['class'] ?? '')) return node;
    node = node.parent as Element | null;
  }
  return undefined;
}

export function findEvents($: CheerioAPI, root: Cheerio<Element>, blocks: Block[]): EventsFound {
  const candidates: Candidate[] = [];
  const elements: Element[] = [];
  const items = new Set<Element>();

  descendants(root.toArray()).forEach((el) => {
    if (el.name !== 'time' && !DATE_CLASS.test(el.attribs['class'] ?? '')) return;
    const dateText = collapse(inlineText(el) || el.attribs['datetime'] || '');
    if (!dateText || !(DATE.test(dateText) || /^\d{4}-\d{2}-\d{2}/.test(el.attribs['datetime'] ?? ''))) return;
    const item = itemOf(el);
    if (!item || items.has(item)) return;
    const text = blockText(item);
    if (text.length > 2000 || text.length < dateText.length + 10) return;
    items.add(item);
    const heading = $(item).find('h1, h2, h3, h4, h5, h6').first();
    const title = heading.length ? inlineText(heading.toArray()) : (text.split('\n')[0] ?? dateText);
    const rest = text
      .split('\n')
      .filter((l) => l !== title && l !== dateText);
    elements.push(item);
    candidates.push({
      kind: 'event',
      title: truncate(title, 100),
      content: truncate(`${title} (${dateText}). ${prose(rest)}`.trim(), 1500),
      origin: 'dom',
    });
  });

  for (const block of blocks) {
    if (items.has(block.el) || !NEWS_HEADING.test(block.headings.join(' '))) continue;
    const first = block.lines[0] ?? '';
    const m = DATE.exec(first);
    if (!m || m.index > 3) continue;
    const text = collapse(block.lines.join(' '));
    if (text.length < m[0].length + 10 || text.length > 1500) continue;
    elements.push(block.el);
    candidates.push({
      kind: 'event',
      title: truncate(text.slice(m[0].length).replace(/^[\s:–—-]+/, ''), 80),
      content: truncate(text, 1500),
      headings: block.headings,
      origin: 'dom',
    });
  }
  return { candidates, elements };
}
