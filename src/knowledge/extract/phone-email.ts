/**
 * Phone numbers and email addresses in plain text: finding, normalising (the `value` callers
 * compare across pages) and formatting for speech.
 */

export interface TextMatch {
  raw: string;
  value: string;
  index: number;
}

/**
 * Digits of a phone number. North American numbers lose their leading country code 1, so
 * "+1 (555) 123-4567" and "555.123.4567" compare equal. Undefined when it cannot be a phone.
 */
export function phoneValue(raw: string): string | undefined {
  const digits = raw.replace(/\D/g, '');
  if (digits.length === 11 && digits.startsWith('1')) return digits.slice(1);
  if (digits.length === 10) return /^[2-9]/.test(digits) ? digits : undefined;
  if (raw.trim().startsWith('+') && digits.length >= 8 && digits.length <= 15) return digits;
  return undefined;
}

/** "(555) 123-4567" for North American numbers, "+91 1234567890" otherwise. */
export function formatPhone(value: string): string {
  if (value.length === 10) return `(${value.slice(0, 3)}) ${value.slice(3, 6)}-${value.slice(6)}`;
  return `+${value}`;
}

// "+<country> ..." anywhere in the world: 8 to 15 digits once separators are dropped.
const INTERNATIONAL = /(?<![\w+])\+\d[\d\s.()-]{6,20}\d(?![\d])/g;
// US formats with separators: (555) 123-4567, 555-123-4567, 555.123.4567, 1 800 555 1234.
const NORTH_AMERICAN = /(?<![\w+-])(?:1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\d-])/g;

export function findPhones(text: string): TextMatch[] {
  const found: TextMatch[] = [];
  const taken: [number, number][] = [];
  for (const m of text.matchAll(INTERNATIONAL)) {
    const raw = m[0].replace(/[\s.(-]+$/, '');
    const value = phoneValue(raw);
    if (!value) continue;
    found.push({ raw, value, index: m.index });
    taken.push([m.index, m.index + raw.length]);
  }
  for (const m of text.matchAll(NORTH_AMERICAN)) {
    if (taken.some(([a, b]) => m.index < b && m.index + m[0].length > a)) continue;
    const value = phoneValue(m[0]);
    if (value) found.push({ raw: m[0], value, index: m.index });
  }
  return found.sort((a, b) => a.index - b.index);
}

/** The number a tel: link dials. */
export function phoneFromTelHref(href: string): string | undefined {
  const raw = decodeURIComponent(href.replace(/^tel:/i, '')).split(/[;,?]/)[0] ?? '';
  const digits = raw.replace(/\D/g, '');
  if (digits.length < 7) return undefined;
  return phoneValue(raw) ?? (digits.length >= 8 && digits.length <= 15 ? digits : undefined);
}

const EMAIL = /(?<![\w.+-])[a-z0-9][a-z0-9._%+-]{0,63}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.[a-z]{2,24}(?![\w-])/gi;
// "logo@2x.png" is an image, not an address.
const FILE_TLDS = /\.(png|jpe?g|gif|webp|svg|css|js|ico|avif|bmp|tiff?)$/i;
// Reserved or template domains: "user@example.com", "you@yourdomain.com".
const FAKE_DOMAIN = /(^|\.)(example\.(com|org|net|edu)|example|test|invalid|localhost|domain\.com|yourdomain\.[a-z]+|your-domain\.[a-z]+|yoursite\.[a-z]+|yourwebsite\.[a-z]+|yourcompany\.[a-z]+|yourbusiness\.[a-z]+|company\.com|email\.example)$/i;

export function isPlaceholderEmail(email: string): boolean {
  const domain = email.split('@')[1] ?? '';
  return FAKE_DOMAIN.test(domain) || (/^(your|you|name|user|username|email|your\.?email|first\.?last)@/i.test(email) && /your|example|domain/i.test(domain));
}

export function emailValue(raw: string): string | undefined {
  const email = raw.trim().toLowerCase();
  if (FILE_TLDS.test(email) || isPlaceholderEmail(email)) return undefined;
  return email;
}

export function findEmails(text: string): TextMatch[] {
  const found: TextMatch[] = [];
  for (const m of text.matchAll(EMAIL)) {
    const value = emailValue(m[0]);
    if (value) found.push({ raw: m[0], value, index: m.index });
  }
  return found;
}

export function emailsFromMailto(href: string): string[] {
  const list = decodeURIComponent(href.replace(/^mailto:/i, '').split('?')[0] ?? '');
  return list
    .split(/[,;]/)
    .map((e) => emailValue(e))
    .filter((e): e is string => Boolean(e) && /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(e ?? ''));
}

/**
 * A business has one main inbox; personal and department addresses (dr.chen@, billing@) are
 * not rivals of it, so only generic inboxes get the single-valued `email` key.
 */
const GENERIC_LOCAL = /^(info|hello|hi|contact|contactus|contact-us|office|mail|enquiries|enquiry|inquiries|inquiry|support|help|team|reception|frontdesk|front-desk|general|customerservice|customer-service|service|services|care)$/;

export function isGenericInbox(email: string): boolean {
  return GENERIC_LOCAL.test(email.split('@')[0] ?? '');
}
