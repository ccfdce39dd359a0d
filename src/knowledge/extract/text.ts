import type { AnyNode, Element } from 'domhandler';

/**
 * Text helpers shared by the extractors. cheerio's `.text()` glues adjacent blocks together
 * ("Monday9:00 AM"), which breaks every regex downstream, so text is rebuilt here with a line
 * break at each block boundary and at <br>.
 */

const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'blockquote', 'button', 'caption', 'dd', 'details', 'dialog', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li',
  'main', 'nav', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody', 'tfoot', 'thead', 'tr', 'ul',
  'option', 'picture', 'video', 'audio', 'label',
]);

/** Never text: code, styling, media and form controls (their words are UI, not the business). */
export const SKIP_TAGS = new Set([
  'script', 'style', 'noscript', 'template', 'svg', 'iframe', 'canvas', 'object', 'embed', 'select', 'textarea',
  'input', 'head', 'title', 'meta', 'link', 'source', 'track', 'img', 'map',
]);

export function isElement(node: AnyNode): node is Element {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

export function isBlockTag(name: string): boolean {
  return BLOCK_TAGS.has(name);
}

/** Collapse runs of spaces (non-breaking and zero-width included) inside one line. */
export function collapse(text: string): string {
  return text.replace(/[\s\u00a0\u200b\u2028\u2029\ufeff]+/g, ' ').trim();
}

/** Text of a node with "\n" between blocks; each line collapsed, blank lines dropped. */
export function blockText(node: AnyNode | AnyNode[]): string {
  const parts: string[] = [];
  const walk = (n: AnyNode): void => {
    if (n.type === 'text') {
      // Source line breaks inside a text node are only formatting; "\n" marks block edges here.
      parts.push((n as unknown as { data: string }).data.replace(/\s+/g, ' '));
      return;
    }
    if (!isElement(n)) return;
    const name = n.name.toLowerCase();
    if (SKIP_TAGS.has(name)) return;
    if (name === 'br' || name === 'hr') {
      parts.push('\n');
      return;
    }
    const block = BLOCK_TAGS.has(name);
    if (block) parts.push('\n');
    else if (name === 'td' || name === 'th') parts.push(' ');
    for (const child of n.children) walk(child);
    if (block) parts.push('\n');
  };
  for (const n of Array.isArray(node) ? node : [node]) walk(n);
  return parts
    .join('')
    .split('\n')
    .map(collapse)
    .filter((line) => line.length > 0)
    .join('\n');
}

/** One-line text of a node (blocks joined by a space). */
export function inlineText(node: AnyNode | AnyNode[]): string {
  return collapse(blockText(node).replace(/\n/g, ' '));
}

/** End a fragment with punctuation so joined fragments read as sentences. */
export function asSentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  return /[.!?:;…)"”’]$/.test(t) ? t : `${t}.`;
}

/** Join lines into speakable prose: each line becomes a sentence. */
export function linesToProse(lines: string[]): string {
  return lines.map(asSentence).filter(Boolean).join(' ');
}

/** Cut text to at most `max` characters at a sentence or word boundary. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const slice = text.slice(0, max);
  const sentenceEnd = Math.max(slice.lastIndexOf('. '), slice.lastIndexOf('? '), slice.lastIndexOf('! '));
  if (sentenceEnd > max * 0.5) return slice.slice(0, sentenceEnd + 1);
  const space = slice.lastIndexOf(' ');
  return `${slice.slice(0, space > max * 0.5 ? space : max).trimEnd()}…`;
}

/**
 * Split text into chunks of at most `max` characters, on line breaks first, then sentences,
 * then words, so no chunk cuts a sentence when it can be avoided.
 */
export function splitText(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const units = text.split(/\n+|(?<=[.!?])\s+/).flatMap((u) => (u.length <= max ? [u] : hardSplit(u, max)));
  const chunks: string[] = [];
  let current = '';
  for (const unit of units) {
    if (current && current.length + 1 + unit.length > max) {
      chunks.push(current);
      current = unit;
    } else {
      current = current ? `${current} ${unit}` : unit;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

function hardSplit(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const space = rest.lastIndexOf(' ', max);
    const cut = space > max * 0.5 ? space : max;
    out.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) out.push(rest);
  return out;
}

/** Lower-case, accents and punctuation folded, for comparing and de-duplicating text. */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9$%]+/g, ' ')
    .trim();
}

/** Page title without the "| Brand" or "— Brand" suffix most sites append. */
export function cleanTitle(title: string): string {
  const t = collapse(title);
  const parts = t.split(/\s+[|–—-]\s+/);
  return (parts[0] ?? t).trim();
}

/**
 * Lines to speakable prose. A line ending in ":" introduces a list, so the short lines after it
 * join with commas ("We accept: Cash, Visa, Amex.") instead of becoming one-word sentences.
 */
export function prose(lines: string[]): string {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    if (line.endsWith(':')) {
      const items: string[] = [];
      while (i + 1 < lines.length && lines[i + 1]!.length < 100 && !lines[i + 1]!.trim().endsWith(':')) {
        items.push(lines[i + 1]!.trim().replace(/[.;,]$/, ''));
        i++;
      }
      out.push(items.length ? `${line} ${items.join(', ')}.` : line);
      continue;
    }
    out.push(asSentence(line));
  }
  return out.join(' ');
}

/**
 * All elements under the roots, in document order. A plain walk: on big pages it is much
 * cheaper than several cheerio `find` calls, each of which matches selectors over the tree.
 */
export function descendants(roots: AnyNode[]): Element[] {
  const out: Element[] = [];
  const walk = (node: AnyNode): void => {
    if (!('children' in node)) return;
    for (const child of node.children) {
      if (isElement(child)) {
        out.push(child);
        walk(child);
      }
    }
  };
  for (const root of roots) walk(root);
  return out;
}

/** Approximate length of the visible text under a node, without building the string. */
export function textLength(node: AnyNode): number {
  if (node.type === 'text') return (node as unknown as { data: string }).data.replace(/\s+/g, ' ').trim().length;
  if (!isElement(node) && node.type !== 'root') return 0;
  if (isElement(node) && SKIP_TAGS.has(node.name.toLowerCase())) return 0;
  let n = 0;
  for (const child of (node as Element).children) n += textLength(child);
  return n;
}
