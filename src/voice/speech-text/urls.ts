/**
 * Web addresses and email addresses, read the way a person spells one out over the phone:
 * "https://www.joes-plumbing.com/contact" → "joes dash plumbing dot com slash contact" and
 * "info@acme.co" → "info at acme dot co". The scheme, "www.", query strings and fragments are
 * dropped: nobody types them from memory, and they are long noise when read aloud.
 */
import { spellDigits } from './number-words.js';
import type { SpeechContext } from './speech-context.js';

// Bare domains ("joes-plumbing.com") need a known top-level domain, or "approx.5" and "St.Louis"
// would be read as addresses. Left out on purpose: TLDs that are common words (it, is, in, to, be, at, no, so).
const TLDS = 'com|net|org|edu|gov|mil|info|biz|io|co|us|uk|ca|au|nz|ie|me|tv|ai|app|dev|shop|store|online|site|tech|xyz|health|dental|law|clinic|salon|restaurant|church|club|pro|page|email';
const LABEL = String.raw`[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?`;
// A path runs to the next space or bracket; trailing punctuation is trimmed afterwards.
const PATH = String.raw`(?:[/?#][^\s<>()\[\]{}"'\u{E000}-\u{E001}]*)?`;
// The lookbehind lets an address start only at the start of a "word", so a long run of
// "a.a.a.a…" is tried once, not from every position.
const WEB_ADDRESS = new RegExp(
  String.raw`(?<![\w.@/-])(?:(?:https?|ftp):\/\/(?:www\.)?(${LABEL}(?:\.${LABEL})*)(?::\d{1,5})?|(?:www\.)(${LABEL}(?:\.${LABEL})+)|((?:${LABEL}\.)+(?:${TLDS}))(?![\w-]))${PATH}`,
  'giu',
);
const EMAIL = /(?<![\w.+-])(?:mailto:)?([\w.+-]+)@([a-z0-9-]+(?:\.[a-z0-9-]+)+)/gi;

const SYMBOL_WORDS: Record<string, string> = { '.': 'dot', '-': 'dash', _: 'underscore', '+': 'plus', '/': 'slash', '~': 'tilde', '@': 'at' };

/** Letters stay as written (lower-cased), digits one by one, each symbol as its name. */
function spellAddressPart(part: string): string {
  return part
    .toLowerCase()
    .replace(/\d+/g, (d) => ` ${spellDigits(d)} `)
    .replace(/[.\-_+/~@]/g, (s) => ` ${SYMBOL_WORDS[s]} `)
    .replace(/[^\p{L}\p{N}' ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** "joes-plumbing.com" + "/contact/" → "joes dash plumbing dot com slash contact". */
export function spokenUrl(host: string, path = ''): string {
  const cleanPath = path.replace(/[?#].*$/s, '').replace(/\/+$/, '');
  const spokenPath = cleanPath
    .split('/')
    .filter(Boolean)
    .map(spellAddressPart)
    .join(' slash ');
  return spokenPath ? `${spellAddressPart(host)} slash ${spokenPath}` : spellAddressPart(host);
}

/** "info@acme.co" → "info at acme dot co". */
export function spokenEmail(local: string, domain: string): string {
  return `${spellAddressPart(local)} at ${spellAddressPart(domain)}`;
}

export function speakWebAddresses(text: string, ctx: SpeechContext): string {
  return text
    .replace(EMAIL, (match, local: string, domain: string) => {
      // "info@acme.co." — the sentence's full stop is not part of the address.
      const trimmed = domain.replace(/[.-]+$/, '');
      return ctx.freeze(spokenEmail(local, trimmed)) + match.slice(match.length - (domain.length - trimmed.length));
    })
    .replace(WEB_ADDRESS, (match, schemeHost?: string, wwwHost?: string, bareHost?: string) => {
      const host = (schemeHost ?? wwwHost ?? bareHost ?? '').replace(/^www\./i, '');
      const trailing = /[.,;:!?]+$/.exec(match)?.[0] ?? '';
      const address = match.slice(0, match.length - trailing.length);
      const pathStart = address.toLowerCase().indexOf(host.toLowerCase()) + host.length;
      const path = address.slice(pathStart).replace(/^:\d+/, '');
      return ctx.freeze(spokenUrl(host, path)) + trailing;
    });
}
