import { findUsAddresses } from './address.js';
import { classWords, type Block } from './blocks.js';
import type { Candidate } from './candidate.js';
import { findEmails, findPhones } from './phone-email.js';
import { collapse, inlineText, prose, splitText } from './text.js';

/**
 * Content sections: the main content's blocks grouped under their heading path, as prose,
 * split at ~1500 characters. Calls to action, link-only lines and fragments too small to
 * answer anything are left out, as are sections that only repeat a phone number or address
 * already filed as a contact fact.
 */

export const MAX_SECTION_CHARS = 1500;
const MIN_SECTION_CHARS = 40;
const MIN_CONTENT_CHARS = 15;

const BOILERPLATE = new RegExp(
  '^(' +
    [
      'learn more', 'read more', 'see more', 'view more', 'view all', 'see all', 'more info', 'book now', 'book online',
      'get started', 'click here', 'skip to (main )?content', 'toggle (navigation|menu)', 'loading( tour)?\\.*', 'back to top',
      'menu', 'close', 'next', 'previous', 'prev', 'submit', 'send', 'search', 'share', 'home', 'jump to:.*',
      '(©|&copy;|copyright).*', 'all rights reserved\\.?', 'powered by .*', 'follow us', 'contact us', 'call us',
      'request service', 'request a call', 'get a quote', 'read bio', 'see services', 'view services', 'call now',
    ].join('|') +
    ')$',
  'i',
);

function isLinkOnly(block: Block): boolean {
  if (block.tag === 'a') return true;
  const text = collapse(block.lines.join(' '));
  if (text.length > 80) return false;
  let linked = '';
  const collect = (el: Block['el']): void => {
    for (const c of el.children) {
      if (c.type === 'tag') {
        if (c.name === 'a') linked += inlineText(c);
        else collect(c);
      }
    }
  };
  collect(block.el);
  return linked.length >= text.length * 0.8;
}

/** What is left of a text once phone numbers, emails and addresses are taken out. */
function residual(text: string): string {
  let rest = text;
  for (const m of [...findPhones(rest), ...findEmails(rest)]) rest = rest.replace(m.raw, ' ');
  for (const m of findUsAddresses(rest)) rest = rest.replace(m.raw, ' ');
  return rest.replace(/\b(call|phone|tel|email|e-mail|address|anytime|us|at|or|today|now|visit)\b/gi, ' ').replace(/[^a-z0-9]+/gi, ' ').trim();
}

export function buildSections(blocks: Block[], pageTitle: string): Candidate[] {
  const groups: { headings: string[]; kicker?: string; lines: string[]; classHint: string }[] = [];
  for (const block of blocks) {
    const lines = block.lines.filter((l) => l.length > 2 && !BOILERPLATE.test(l));
    if (lines.length === 0 || isLinkOnly(block)) continue;
    const last = groups[groups.length - 1];
    if (last && last.headings.join('\u0000') === block.headings.join('\u0000')) last.lines.push(...lines);
    else groups.push({ headings: block.headings, ...(block.kicker ? { kicker: block.kicker } : {}), lines, classHint: classWords(block.el) });
  }

  const out: Candidate[] = [];
  for (const group of groups) {
    const text = prose(dedupeLines(group.lines));
    const title = group.headings[group.headings.length - 1] ?? pageTitle ?? 'Page content';
    // Tiny fragments answer nothing, unless a heading gives them a subject ("Dr. Wilson": "Orthodontist").
    const rest = residual(group.lines.join('\n'));
    if (rest.length < MIN_CONTENT_CHARS || rest.length + title.length < MIN_SECTION_CHARS) continue;
    const chunks = splitText(text, MAX_SECTION_CHARS);
    chunks.forEach((chunk, i) => {
      out.push({
        kind: 'section',
        title: chunks.length > 1 ? `${title} (part ${i + 1})` : title || 'Page content',
        content: chunk,
        headings: group.headings,
        ...(group.kicker ? { context: group.kicker } : {}),
        ...(group.classHint ? { classHint: group.classHint } : {}),
        origin: 'dom',
      });
    });
  }
  return out;
}

/** Sliders and responsive templates repeat the same line; say it once. */
function dedupeLines(lines: string[]): string[] {
  const seen = new Set<string>();
  return lines.filter((l) => {
    const key = l.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
