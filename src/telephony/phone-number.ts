import { z } from 'zod';

const E164 = /^\+[1-9]\d{7,14}$/;

/** "+1 (415) 555-0123" → "+14155550123". Anything that is not then E.164 is rejected, not guessed at. */
export function normalizePhoneNumber(input: string): string {
  return input.trim().replace(/[\s().-]/g, '');
}

export function isE164(value: string): boolean {
  return E164.test(value);
}

export const phoneNumberSchema = z
  .string()
  .max(32, { message: 'must be a phone number in E.164 form, e.g. +14155550123' })
  .transform(normalizePhoneNumber)
  .refine(isE164, { message: 'must be a phone number in E.164 form, e.g. +14155550123' });
