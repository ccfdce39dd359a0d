import { pino } from 'pino';

/**
 * What may not reach the log in clear: callers' phone numbers, what they said or left as a
 * message, and credentials. Call sites log ids, counts and masked numbers (maskPhone); the
 * logger adds a safety net (logger.ts): redacted field names, phone numbers masked in every line,
 * and errors stripped of the values of a failed SQL query.
 */

// ITU-T E.164 country codes of one and two digits; every other code has three.
const ONE_DIGIT_CODES = new Set(['1', '7']);
const TWO_DIGIT_CODES = new Set(
  '20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98'.split(' '),
);
const MASK = '•••';
/** Words Twilio sends in From for a withheld number: not personal, kept as they are. */
const NOT_A_NUMBER = /^(anonymous|restricted|unknown|private|unavailable)$/i;

function countryCodeLength(digits: string): number {
  if (ONE_DIGIT_CODES.has(digits.slice(0, 1))) return 1;
  if (TWO_DIGIT_CODES.has(digits.slice(0, 2))) return 2;
  return 3;
}

/**
 * A phone number fit for a log line: the country code and the last digits, nothing between.
 * "+14155550100" → "+1•••0100", "+442071234567" → "+44•••4567"; short numbers keep 2 digits.
 * Enough to tell calls apart and see where they come from, not enough to dial.
 */
export function maskPhone(number: string | null | undefined): string | undefined {
  if (number === null || number === undefined || number === '') return undefined;
  const value = number.trim();
  if (NOT_A_NUMBER.test(value)) return value;
  const digits = value.replace(/[\s().-]/g, '');
  if (!/^\+?\d+$/.test(digits)) return '[redacted]';
  const international = digits.startsWith('+');
  const bare = international ? digits.slice(1) : digits;
  if (bare.length < 6) return MASK;
  const keep = bare.length >= 10 ? 4 : 2;
  const head = international ? '+' + bare.slice(0, countryCodeLength(bare)) : '';
  return `${head}${MASK}${bare.slice(-keep)}`;
}

// "+" (or %2B in a URL) and 7 to 15 digits, possibly with spaces, dots, dashes or brackets between them.
const PHONE_IN_TEXT = /(?:\+|%2[Bb])\d(?:[\s().-]{0,2}\d){6,14}(?!\d)/g;

/** Masks every international phone number written in a piece of text (a log line, an error message). */
export function maskPhonesInText(text: string): string {
  if (!text.includes('+') && !/%2B/i.test(text)) return text;
  return text.replace(PHONE_IN_TEXT, (m) => maskPhone(m.replace(/^%2B/i, '+')) ?? MASK);
}

/**
 * Errors as pino's standard serializer writes them, minus what a failed query carries: drizzle's
 * DrizzleQueryError puts the bound values (a transcript, a message, a number) in its message and
 * in `params`.
 */
export function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown> | undefined;
  if (!serialized || typeof serialized !== 'object') return serialized;
  return scrubSerializedError(serialized);
}

function scrubSerializedError(serialized: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(serialized)) {
    if (key === 'params') out[key] = '[redacted]';
    else if (typeof value === 'string') out[key] = value.replace(/\nparams: [\s\S]*?(?=\n {4}at |$)/g, '\nparams: [redacted]');
    else if (value && typeof value === 'object' && !Array.isArray(value) && key === 'cause') out[key] = scrubSerializedError(value as Record<string, unknown>);
    else out[key] = value;
  }
  return out;
}

/**
 * Field names whose values never reach the log (pino redact paths, at the top level and one
 * level down): credentials, and the words callers said or left.
 */
export const REDACTED_FIELDS = [
  'apiKey',
  'authToken',
  'token',
  'password',
  'secret',
  'webhookSecret',
  'secretsKey',
  'authorization',
  'transcript',
  'callerMessage',
  'callbackNumber',
].flatMap((name) => [name, `*.${name}`]);
