import type { CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
import { displayAddress, findUsAddresses, looksLikeAddress, addressValue } from './address.js';
import type { Block } from './blocks.js';
import type { Candidate } from './candidate.js';
import { emailsFromMailto, findEmails, findPhones, formatPhone, isGenericInbox, phoneFromTelHref } from './phone-email.js';
import { blockText, collapse, fold, inlineText } from './text.js';

/**
 * Contact facts from anywhere on the page (header and footer included): phone numbers, email
 * addresses, street addresses, and labelled lines ("Service Area: …", "Business name: …", the
 * copyright holder). Each distinct value is one candidate; the caller compares values across
 * pages, so a placeholder number on one page and the real one in the footer both come out.
 */

type PhoneRole = 'phone' | 'emergency_phone' | 'fax';

const THIRD_PARTY = /\b(taxi|cab company|uber|lyft|pharmacy|hospital|poison control|police|non-emergency|911|hotline|crisis line|utility|gas company)\b/i;

interface PhoneSeen {
  display: string;
  roles: PhoneRole[];
  headings: string[];
}

function roleFromLabel(label: string): PhoneRole {
  if (/\bfax\b/i.test(label)) return 'fax';
  if (/emergenc|after[- ]hours|24\/7|urgent|on[- ]call/i.test(label)) return 'emergency_phone';
  return 'phone';
}

export function findContacts($: CheerioAPI, blocks: Block[]): Candidate[] {
  const phones = new Map<string, PhoneSeen>();
  const emails = new Map<string, { headings: string[]; label?: string }>();
  const out: Candidate[] = [];

  const seePhone = (value: string, display: string, label: string, headings: string[], sentence = label): void => {
    // Someone else's number mentioned in passing ("local taxi services … by calling …").
    if (THIRD_PARTY.test(sentence)) return;
    const seen = phones.get(value) ?? { display, roles: [], headings };
    seen.roles.push(roleFromLabel(label));
    phones.set(value, seen);
  };

  // tel: and mailto: links say what they dial even when the visible text says something else.
  $('a[href]').each((_, a) => {
    const href = (a.attribs['href'] ?? '').trim();
    const text = inlineText(a);
    if (/^tel:/i.test(href)) {
      const value = phoneFromTelHref(href);
      if (!value) return;
      const shown = findPhones(text).find((p) => p.value === value);
      seePhone(value, shown?.raw ?? formatPhone(value), `${labelBefore(a)} ${text}`, []);
    } else if (/^mailto:/i.test(href)) {
      for (const email of emailsFromMailto(href)) if (!emails.has(email)) emails.set(email, { headings: [], label: personLabel($, a) });
    }
  });

  for (const block of blocks) {
    for (const line of block.lines) {
      for (const p of findPhones(line)) {
        const before = line.slice(0, p.index);
        const sentence = before.slice(Math.max(before.search(/[^.!?]*$/), 0));
        seePhone(p.value, p.raw, before.slice(-40), block.headings, sentence);
      }
      for (const e of findEmails(line)) {
        if (!emails.has(e.value)) emails.set(e.value, { headings: block.headings, label: personLabel($, block.el) });
      }
    }
  }

  for (const [value, seen] of phones) {
    // A number is an emergency line or a fax only when every mention says so.
    const role: PhoneRole = seen.roles.includes('fax') ? 'fax' : seen.roles.every((r) => r === 'emergency_phone') ? 'emergency_phone' : 'phone';
    const display = collapse(seen.display);
    out.push({
      kind: 'phone',
      title: role === 'fax' ? 'Fax' : role === 'emergency_phone' ? 'Emergency phone' : 'Phone',
      content: role === 'fax' ? `The fax number is ${display}.` : role === 'emergency_phone' ? `For emergencies, call ${display}.` : `The phone number is ${display}.`,
      factKey: role,
      value,
      headings: seen.headings,
      ...(role === 'emergency_phone' ? { category: 'emergency' } : {}),
      origin: 'dom',
    });
  }

  for (const [value, seen] of emails) {
    const generic = isGenericInbox(value);
    const label = !generic && seen.label ? seen.label : undefined;
    out.push({
      kind: 'email',
      title: label ? `Email: ${label}` : 'Email',
      content: label ? `${label} can be emailed at ${value}.` : `The email address is ${value}.`,
      ...(generic ? { factKey: 'email', value } : {}),
      headings: seen.headings,
      origin: 'dom',
    });
  }

  out.push(...findAddresses($, blocks), ...findLabelled(blocks));
  return out;
}

/** Text just before an element on its line ("Phone:" in "Phone: <a>…</a>"). */
function labelBefore(el: Element): string {
  const parent = el.parent as Element | null;
  if (!parent || parent.type !== 'tag') return '';
  const text = inlineText(parent);
  const own = inlineText(el);
  const at = text.indexOf(own);
  return at > 0 ? text.slice(Math.max(0, at - 40), at) : text.length < 80 ? text : '';
}

/** The name heading of a staff card around an email link ("Dr. Emily Chen"), if short. */
function personLabel($: CheerioAPI, el: Element): string | undefined {
  let node: Element | null = el;
  for (let depth = 0; node && depth < 4; depth++) {
    const heading = $(node).find('h2, h3, h4, h5, h6').first();
    if (heading.length) {
      const text = inlineText(heading.toArray());
      return text.length <= 40 && !text.endsWith('?') ? text : undefined;
    }
    node = node.parent as Element | null;
    if (node && node.type !== 'tag') break;
  }
  return undefined;
}

const ADDRESS_LABEL = /^(?:our\s+)?(?:address|location|visit us|find us|office|mailing address|street address)\s*:?\s*/i;

/** Street addresses: US-style in any text, and any plausible address in an address container. */
function findAddresses($: CheerioAPI, blocks: Block[]): Candidate[] {
  const found = new Map<string, { display: string; headings: string[] }>();
  const add = (display: string, headings: string[]): void => {
    const value = addressValue(display);
    if (value && !found.has(value)) found.set(value, { display, headings });
  };
  // Containers: <address>, class or id "address", data-*address* attributes, itemprop=address.
  $('address, [itemprop="address"], [class*="address" i], [id*="address" i]').each((_, el) => fromContainer(el, add));
  $('*').each((_, el) => {
    if (el.type !== 'tag') return;
    if (Object.keys(el.attribs).some((k) => k.startsWith('data-') && /address/i.test(k))) fromContainer(el, add);
  });
  for (const block of blocks) {
    for (const m of findUsAddresses(block.lines.join('\n'))) add(m.display, block.headings);
    for (const line of block.lines) {
      const labelled = /^(?:address|location|our address|street address|mailing address)\s*:\s*(.+)$/i.exec(line);
      if (labelled?.[1] && looksLikeAddress(labelled[1])) add(displayAddress(labelled[1]), block.headings);
    }
  }
  return [...found].map(([value, { display, headings }]) => ({
    kind: 'address' as const,
    title: 'Address',
    content: `The address is ${display}.`,
    factKey: 'address',
    value,
    headings,
    origin: 'dom' as const,
  }));
}

function fromContainer(el: Element, add: (display: string, headings: string[]) => void): void {
  const lines = blockText(el)
    .split('\n')
    .map((l) => l.replace(ADDRESS_LABEL, '').trim())
    .filter((l) => l && findPhones(l).length === 0 && findEmails(l).length === 0 && !/@|https?:|get directions|view map|^(phone|tel|email|e-mail|call)\b/i.test(l));
  if (lines.length === 0 || lines.length > 5) return;
  const joined = lines.join('\n');
  const us = findUsAddresses(joined);
  if (us.length > 0) {
    for (const m of us) add(m.display, []);
    return;
  }
  const display = displayAddress(joined);
  if (looksLikeAddress(display)) add(display, []);
}

const PLACEHOLDER_NAME = /your (website|company|business|site|name|brand)|company name|business name|lorem|start ?bootstrap|theme|template/i;

/** "Service Area: United States", "Business name: Plumbing", "© 2025 Wisdom Bites Dental Clinic." */
function findLabelled(blocks: Block[]): Candidate[] {
  const out: Candidate[] = [];
  const names = new Set<string>();
  const addName = (raw: string): void => {
    const name = collapse(raw).replace(/[.,;:]+$/, '');
    if (name.length < 2 || name.length > 60 || PLACEHOLDER_NAME.test(name) || names.has(fold(name))) return;
    names.add(fold(name));
    out.push({ kind: 'name', title: 'Business name', content: `The business is called ${name}.`, factKey: 'name', value: fold(name), origin: 'dom' });
  };
  for (const block of blocks) {
    for (const line of block.lines) {
      const area = /^(?:service areas?|areas? (?:we )?served?|we serve)\s*:\s*(.{2,200})$/i.exec(line);
      if (area?.[1]) {
        out.push({ kind: 'service_area', title: 'Service area', content: `Service area: ${area[1].replace(/\.$/, '')}.`, headings: block.headings, origin: 'dom' });
      }
      const name = /^(?:business|company) name\s*:\s*(.{2,60})$/i.exec(line);
      if (name?.[1]) addName(name[1]);
      const copyright = /(?:©|\(c\)|copyright)\s*(?:copyright\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?(?:by\s+)?([A-Z][^©|]{1,60}?)\s*(?:\d{4})?\s*(?:\.|,|\||all rights reserved|$)/i.exec(line);
      if (copyright?.[1] && !/^\d/.test(copyright[1])) addName(copyright[1]);
    }
  }
  return out;
}
