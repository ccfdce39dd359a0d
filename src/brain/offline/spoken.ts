/**
 * Text for the ear. Answers go to text-to-speech (Kokoro, ElevenLabs, or the embedded espeak-ng),
 * and espeak in particular reads "(317) 585-8468" as "three hundred seventeen … eight thousand
 * four hundred sixty-eight" and "$50" as "dollar fifty". Checked against espeak-ng's phoneme
 * output (en-us): digits separated by spaces are read one by one and a comma is a short pause, so
 * a phone number becomes "3 1 7, 5 8 5, 8 4 6 8" (the way people read numbers out); the neural
 * voices read that form the same way.
 */

/** Digit groups read one digit at a time, a pause between groups: ["317","585","8468"] → "3 1 7, 5 8 5, 8 4 6 8". */
export function spokenDigitGroups(groups: string[]): string {
  return groups.map((g) => g.split('').join(' ')).join(', ');
}

/** An unseparated run: NANP 3-3-4 (with a leading 1), else 4 at the end and 3s before, any rest first. */
function regroup(digits: string): string[] {
  if (digits.length === 10) return [digits.slice(0, 3), digits.slice(3, 6), digits.slice(6)];
  if (digits.length === 11 && digits.startsWith('1')) return ['1', ...regroup(digits.slice(1))];
  const groups = [digits.slice(-4)];
  let rest = digits.slice(0, -4);
  while (rest.length > 3) {
    groups.unshift(rest.slice(-3));
    rest = rest.slice(0, -3);
  }
  if (rest) groups.unshift(rest);
  return groups;
}

/** A phone number as written on the site ("+1 (555) 000-0000", "+911234567890") → its spoken form, keeping the site's grouping. */
export function spokenPhone(written: string): string {
  let groups: string[] = written.match(/\d+/g) ?? [];
  if (groups.length === 1 || groups.some((g) => g.length > 4)) groups = regroup(groups.join(''));
  const spoken = spokenDigitGroups(groups);
  return written.trim().startsWith('+') ? `plus ${spoken}` : spoken;
}

/** "dr.chen@wisdombites.com" → "dr dot chen at wisdombites dot com". */
export function spokenEmail(email: string): string {
  return email
    .toLowerCase()
    .replace(/@/g, ' at ')
    .replace(/\./g, ' dot ')
    .replace(/-/g, ' dash ')
    .replace(/_/g, ' underscore ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A street address: house numbers read the way people say them ("1116" → "11 16", "123" → "1 23"),
 * ZIP codes digit by digit. Numbers with a zero after the split ("1205") stay whole, since
 * "12 05" would be read "twelve five".
 */
export function spokenAddress(address: string): string {
  return address
    .replace(/^(\d{3,4})(?=\s+\p{L})/u, (n) => {
      const head = n.slice(0, n.length - 2);
      const tail = n.slice(-2);
      return tail.startsWith('0') ? n : `${head} ${tail}`;
    })
    .replace(/\b(\d{5})(?:-(\d{4}))?\b(?=[,.\s]|$)/g, (_m, zip: string, plus?: string) => spokenDigitGroups(plus ? [zip, plus] : [zip]).replace(/, /g, ' '));
}

const PHONE_IN_TEXT = /(?:\+\d{1,3}[\s.-]?)?(?:\(\d{3}\)|\b\d{3})[\s.-]?\d{3}[\s.-]\d{4}\b|\+\d{6,14}\b|\+\d{1,3}(?:[\s.-]\d{2,4}){2,5}\b/g;
const EMAIL_IN_TEXT = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const MONEY = String.raw`\$\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?`;

function dollars(whole: string, cents?: string): string {
  const n = whole.replace(/,/g, '');
  const unit = n === '1' ? 'dollar' : 'dollars';
  return cents && cents !== '00' ? `${whole} ${unit} and ${Number(cents)} cents` : `${whole} ${unit}`;
}

/** Site text made speakable: phone numbers, emails, money, symbols and links. */
export function speakable(text: string): string {
  return text
    .replace(/https?:\/\/\S+/g, 'our website')
    .replace(EMAIL_IN_TEXT, (m) => spokenEmail(m))
    .replace(PHONE_IN_TEXT, (m) => spokenPhone(m))
    .replace(new RegExp(`${MONEY}\\s*(?:-|–|to)\\s*${MONEY}`, 'g'), (_m, a: string, ac: string | undefined, b: string, bc: string | undefined) => `${a}${ac ? `.${ac}` : ''} to ${dollars(b, bc)}`)
    .replace(new RegExp(MONEY, 'g'), (_m, whole: string, cents: string | undefined) => dollars(whole, cents))
    .replace(/\b24\/7\b/g, '24 7')
    .replace(/\be\.g\.,?/gi, 'for example')
    .replace(/\bi\.e\.,?/gi, 'that is')
    .replace(/½/g, 'half')
    .replace(/\s*&\s*/g, ' and ')
    .replace(/(\p{L})\/(\p{L})/gu, '$1 or $2')
    .replace(/\s*[—–]\s*/g, ', ')
    .replace(/[“”«»]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

const ABBREVIATION = /(?:^|\s)(?:dr|mr|mrs|ms|st|ave|rd|blvd|jr|sr|vs|etc|no|inc|ltd|co|approx|[a-z])\.$/i;

/** Sentences of a text (not split after "Dr." or an initial). */
export function sentences(text: string): string[] {
  const out: string[] = [];
  let carry = '';
  for (const part of text.replace(/\s+/g, ' ').trim().split(/(?<=[.!?])\s+(?=["'(]?[\p{Lu}\p{N}])/u)) {
    carry = carry ? `${carry} ${part}` : part;
    if (!ABBREVIATION.test(carry)) {
      out.push(carry);
      carry = '';
    }
  }
  if (carry) out.push(carry);
  return out.filter((s) => /[\p{L}\p{N}]/u.test(s));
}

/** Ends with a full stop (or other end punctuation), so TTS closes the sentence. */
export function closed(sentence: string): string {
  const s = sentence.trim().replace(/[,;:\s]+$/, '');
  return /[.!?]["')]?$/.test(s) ? s : `${s}.`;
}

/** First letter lower-cased, for putting a sentence after a lead-in ("We're open " + "every day …"). */
export function lowerFirst(text: string): string {
  if (/^(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december)\b/i.test(text)) return text;
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}
