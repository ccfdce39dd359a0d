/**
 * Text for the ear: what an LLM or a business website writes, turned into words a TTS engine
 * (Kokoro, espeak-ng) reads correctly on a phone call. "(555) 123-4567" becomes "five five five,
 * one two three, four five six seven", "$89" "eighty-nine dollars", "Mon–Fri 9am–5pm" "Monday to
 * Friday, nine AM to five PM", "**Call** us" "Call us".
 *
 * The passes run from the most specific shape to the least: markup first, then web addresses,
 * phone numbers, dates, prices and times (each of which contains digits and punctuation a later
 * pass would misread), then abbreviations, then whatever numbers are left. A pass "freezes" the
 * words it produces (see speech-context.ts), so no later pass rewrites them.
 *
 * Text that needs no change comes back unchanged (the same string). Every pattern starts only at
 * the start of its token and bounds its repetition, so a long hostile input stays linear.
 */
import { speakAbbreviations } from './abbreviations.js';
import { speakDates } from './dates.js';
import { stripEmoji, stripMarkdown } from './markdown.js';
import { speakMoney } from './money.js';
import { speakNumbers } from './numbers.js';
import { speakPhoneNumbers } from './phone-numbers.js';
import { createContext, PRIVATE_USE, type SpeechLocale } from './speech-context.js';
import { speakTimes } from './times.js';
import { speakWebAddresses } from './urls.js';

export type { SpeechLocale } from './speech-context.js';

export interface NormalizeForSpeechOptions {
  /** 'en-US' (default): "zero" in phone numbers, month/day dates. 'en-GB': "oh", day/month, "one hundred and five". */
  locale?: SpeechLocale;
}

export function normalizeForSpeech(text: string, options: NormalizeForSpeechOptions = {}): string {
  if (!text) return text;
  const ctx = createContext(options.locale ?? 'en-US');
  let out = text.replace(PRIVATE_USE, '');
  out = stripMarkdown(out);
  out = stripEmoji(out);
  out = speakWebAddresses(out, ctx);
  out = speakPhoneNumbers(out, ctx);
  out = speakDates(out, ctx);
  out = speakMoney(out, ctx);
  out = speakTimes(out, ctx);
  out = speakAbbreviations(out, ctx);
  out = speakNumbers(out, ctx);
  out = ctx.thaw(out);
  if (out === text) return text;
  // Removed markup and symbols leave doubled or dangling spaces behind.
  return out
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/^[ \t]+|[ \t]+$/gm, '')
    .replace(/[ \t]+(?=[,.;:!?])/g, '');
}
