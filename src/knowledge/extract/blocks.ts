import type { Element } from 'domhandler';
import { blockText, collapse, inlineText, isBlockTag, isElement, SKIP_TAGS } from './text.js';

/**
 * Walks an element tree in reading order and yields its text blocks (paragraphs, list items,
 * table rows, definition pairs, leaf divs), each with the heading path above it. Hours, prices
 * and content sections are all found in these blocks, so the walk is written once.
 */

export interface Block {
  el: Element;
  tag: string;
  /** The block's text, one line per visual line. */
  lines: string[];
  /** Blocks sharing a group (items of one list, rows of one table) belong together. */
  group: Element;
  /** Heading path above the block, outermost first. */
  headings: string[];
  /** Kicker/tagline text shown above the nearest heading: a hint for the categoriser only. */
  kicker?: string;
}

/**
 * Words of the class and id names around an element ("testimonial-card", "insurance-section"):
 * templates name their regions after what they hold, which the categoriser can use.
 */
export function classWords(el: Element, levels = 8): string {
  const words = new Set<string>();
  let node: Element | null = el;
  for (let i = 0; node && node.type === 'tag' && i < levels; i++) {
    const names = `${node.attribs['class'] ?? ''} ${node.attribs['id'] ?? ''}`.toLowerCase();
    for (const w of names.split(/[^a-z]+/)) if (w.length > 2) words.add(w);
    node = node.parent as Element | null;
  }
  return [...words].join(' ');
}

const LEAF_TAGS = new Set(['p', 'li', 'tr', 'dt', 'dd', 'figcaption', 'summary', 'pre', 'caption', 'blockquote', 'address']);
const KICKER = /(^|[-_\s])(kicker|eyebrow|tagline|overline|pretitle|pre-title|subheading-upper)([-_\s]|$)/i;

export function headingLevel(el: Element): number {
  const m = /^h([1-6])$/.exec(el.name.toLowerCase());
  return m ? Number(m[1]) : 0;
}

/**
 * A heading's text. Themes often stack two spans in one heading ("Strong Coffee, Strong Roots"
 * over "About Our Cafe"); those are joined with a dash rather than run together.
 */
export function headingText(el: Element): string {
  const parts = el.children.filter((c) => c.type !== 'text' || collapse((c as unknown as { data: string }).data) !== '');
  const spans = parts.filter((c) => isElement(c) && ['span', 'small', 'strong', 'em', 'b'].includes(c.name));
  if (spans.length >= 2 && spans.length === parts.length) {
    return spans.map((s) => inlineText(s)).filter(Boolean).join(' – ');
  }
  return inlineText(el);
}

function hasBlockChild(el: Element): boolean {
  for (const child of el.children) {
    if (!isElement(child)) continue;
    const name = child.name.toLowerCase();
    if (SKIP_TAGS.has(name)) continue;
    if (isBlockTag(name) || headingLevel(child) > 0 || hasBlockChild(child)) return true;
  }
  return false;
}

function classOf(el: Element): string {
  return el.attribs?.['class'] ?? '';
}

export interface WalkOptions {
  /** Elements to leave out (already turned into facts: FAQ items, hours lists). */
  skip?: Set<Element>;
  /** Leave out buttons (UI labels) — the content walk does, the contact walk keeps them. */
  skipButtons?: boolean;
  /** Stop after this many characters of text (huge pages). */
  maxChars?: number;
}

export function collectBlocks(roots: Element[], options: WalkOptions = {}): Block[] {
  const blocks: Block[] = [];
  const stack: (string | undefined)[] = [];
  let kicker: string | undefined;
  let nextKicker: string | undefined;
  let chars = 0;
  const maxChars = options.maxChars ?? Infinity;

  const path = (): string[] => stack.filter((h): h is string => Boolean(h));
  const emit = (el: Element, lines: string[], group: Element): void => {
    const clean = lines.map(collapse).filter(Boolean);
    if (clean.length === 0) return;
    chars += clean.reduce((n, l) => n + l.length, 0);
    blocks.push({ el, tag: el.name.toLowerCase(), lines: clean, group, headings: path(), ...(kicker ? { kicker } : {}) });
  };

  const walk = (el: Element): void => {
    if (chars > maxChars) return;
    const tag = el.name.toLowerCase();
    if (SKIP_TAGS.has(tag) || options.skip?.has(el)) return;
    if (options.skipButtons && tag === 'button') return;
    const level = headingLevel(el);
    if (level > 0) {
      const text = headingText(el);
      if (text) {
        stack.length = level;
        stack[level - 1] = text;
        kicker = nextKicker;
        nextKicker = undefined;
      }
      return;
    }
    if (KICKER.test(classOf(el)) && !hasBlockChild(el)) {
      nextKicker = inlineText(el);
      return;
    }
    if (tag === 'dt') {
      // A term and its definitions read as one line: "Fast response: quick call/text".
      const defs: string[] = [];
      let sib = el.nextSibling;
      while (sib) {
        if (isElement(sib)) {
          if (sib.name.toLowerCase() !== 'dd') break;
          defs.push(inlineText(sib));
          consumedDd.add(sib);
        }
        sib = sib.nextSibling;
      }
      const term = inlineText(el);
      emit(el, [defs.length ? `${term}: ${defs.join('; ')}` : term], (el.parent as Element) ?? el);
      return;
    }
    if (tag === 'dd' && consumedDd.has(el)) return;
    if (tag === 'tr') {
      emit(el, [rowText(el)], closestTable(el));
      return;
    }
    if (tag === 'li' && hasBlockChild(el)) {
      // A list item with a nested list: its own words first, then the nested items.
      const own = el.children.filter((c) => !(isElement(c) && (isBlockTag(c.name.toLowerCase()) || headingLevel(c) > 0)));
      const ownText = inlineText(own);
      if (ownText) emit(el, [ownText], (el.parent as Element) ?? el);
      for (const c of el.children) if (isElement(c) && !own.includes(c)) walk(c);
      return;
    }
    if (LEAF_TAGS.has(tag) && !(tag === 'blockquote' || tag === 'address' ? hasBlockChild(el) : hasBlockChildExceptInline(el))) {
      const single = tag === 'li' || tag === 'dd' || tag === 'summary';
      emit(el, single ? [inlineText(el)] : blockText(el).split('\n'), tag === 'li' ? ((el.parent as Element) ?? el) : el);
      return;
    }
    if (!hasBlockChild(el)) {
      emit(el, blockText(el).split('\n'), el);
      return;
    }
    // Mixed container: loose text between child blocks is a block of its own.
    let loose: string[] = [];
    const flush = (): void => {
      const text = collapse(loose.join(' '));
      if (text) emit(el, [text], el);
      loose = [];
    };
    for (const child of el.children) {
      if (child.type === 'text') loose.push((child as unknown as { data: string }).data);
      else if (isElement(child)) {
        const name = child.name.toLowerCase();
        if (KICKER.test(classOf(child)) && !hasBlockChild(child)) {
          flush();
          nextKicker = inlineText(child);
        } else if (!isBlockTag(name) && headingLevel(child) === 0 && !hasBlockChild(child) && !SKIP_TAGS.has(name)) {
          if (!(options.skipButtons && name === 'button') && !options.skip?.has(child)) loose.push(blockText(child).replace(/\n/g, ' '));
          if (name === 'br') flush();
        } else {
          flush();
          walk(child);
        }
      }
    }
    flush();
  };
  const consumedDd = new Set<Element>();
  for (const root of roots) walk(root);
  return blocks;
}

/** p/li/dt can legally hold only inline content, but broken markup nests lists in them. */
function hasBlockChildExceptInline(el: Element): boolean {
  return el.children.some((c) => isElement(c) && ['ul', 'ol', 'table', 'div', 'dl', 'section'].includes(c.name.toLowerCase()));
}

function closestTable(el: Element): Element {
  let p = el.parent as Element | null;
  while (p && p.type === 'tag' && p.name !== 'table') p = p.parent as Element | null;
  return p && p.type === 'tag' ? p : ((el.parent as Element) ?? el);
}

function cellsOf(tr: Element): Element[] {
  return tr.children.filter((c): c is Element => isElement(c) && ['td', 'th'].includes(c.name.toLowerCase()));
}

/** Column names of a table whose first row is all <th>, or undefined. */
function tableHeaders(table: Element): string[] | undefined {
  const rows: Element[] = [];
  const find = (el: Element): void => {
    for (const c of el.children) {
      if (!isElement(c) || rows.length > 0) continue;
      if (c.name.toLowerCase() === 'tr') rows.push(c);
      else if (['thead', 'tbody', 'tfoot'].includes(c.name.toLowerCase())) find(c);
    }
  };
  find(table);
  const first = rows[0];
  if (!first) return undefined;
  const cells = cellsOf(first);
  return cells.length > 0 && cells.every((c) => c.name.toLowerCase() === 'th') ? cells.map((c) => inlineText(c)) : undefined;
}

/**
 * A table row as "cell: cell" text. Wide tables with a header row read as
 * "Whitening: Duration 1 hour, Price $299" so each value keeps its column name.
 */
export function rowText(tr: Element): string {
  const cells = cellsOf(tr);
  const texts = cells.map((c) => inlineText(c));
  const table = closestTable(tr);
  const headers = table.name === 'table' ? tableHeaders(table) : undefined;
  const isHeaderRow = cells.length > 0 && cells.every((c) => c.name.toLowerCase() === 'th');
  if (headers && !isHeaderRow && texts.length >= 3 && headers.length === texts.length) {
    const rest = texts.slice(1).map((t, i) => (t ? `${headers[i + 1]} ${t}`.trim() : '')).filter(Boolean);
    return `${texts[0]}: ${rest.join(', ')}`;
  }
  return texts.filter(Boolean).join(': ');
}
