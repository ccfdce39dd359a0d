import * as cheerio from 'cheerio';
import type { Element } from 'domhandler';
import { collectBlocks } from '../extract/blocks.js';
import { findMainRoot, removeJunk, stripBoilerplate } from '../extract/dom-cleanup.js';

/**
 * A page's main content as compact text for a language model: headings as `#` lines, list
 * items as `- ` lines, table rows as "cell: cell". Navigation and boilerplate are gone, so the
 * model's tokens go to what the business says.
 */
export function pageTextForModel(html: string, maxChars = 40_000): { title: string; text: string } {
  const $ = cheerio.load(html);
  const title = $('title').first().text().replace(/\s+/g, ' ').trim();
  removeJunk($);
  const root = findMainRoot($);
  stripBoilerplate($, root);
  const lines: string[] = [];
  let lastHeadings = '';
  for (const block of collectBlocks(root.toArray() as Element[], { skipButtons: true, maxChars })) {
    const headings = block.headings.join(' > ');
    if (headings !== lastHeadings && block.headings.length) lines.push(`# ${block.headings.at(-1)}`);
    lastHeadings = headings;
    const prefix = block.tag === 'li' ? '- ' : '';
    for (const line of block.lines) lines.push(prefix + line);
  }
  return { title, text: lines.join('\n').slice(0, maxChars) };
}

/** Splits text into chunks of at most `size` characters at line boundaries. */
export function chunkText(text: string, size: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (current && current.length + line.length + 1 > size) {
      chunks.push(current);
      current = '';
    }
    current += (current ? '\n' : '') + line.slice(0, size);
  }
  if (current.trim()) chunks.push(current);
  return chunks;
}
