import { expect, it } from 'vitest';
import { normalizeForSpeech, type SpeechLocale } from './normalize-for-speech.js';

/** [what the LLM or the website wrote, what the voice should say] */
export type Case = [written: string, spoken: string];

export const say = (text: string, locale?: SpeechLocale) => normalizeForSpeech(text, locale ? { locale } : {});

/** One test per case: the written text is read as the spoken one. */
export const reads = (cases: Case[], locale?: SpeechLocale) =>
  it.each(cases)('%j → %j', (written, spoken) => {
    expect(say(written, locale)).toBe(spoken);
  });
