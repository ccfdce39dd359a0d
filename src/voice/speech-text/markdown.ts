/**
 * Markdown, emoji and bullets out: a model writes "**Open** today 😊" and a TTS engine would say
 * "asterisk asterisk" or try to pronounce the emoji. Only markup is removed; the words stay.
 * Every negated class below also excludes its own opening delimiter, so an unclosed "[" or "*"
 * scans only to the next one, never to the end of a long line (no quadratic backtracking).
 */

const LINE_RULES: Array<[RegExp, string]> = [
  [/^[ \t]*(?:```|~~~).*$/gm, ''], // code fence lines
  [/^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$/gm, ''], // horizontal rule
  // table separator row; never two space runs side by side, which would backtrack quadratically
  [/^[ \t]*(?:\|[ \t]*)?:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)+(?:\|[ \t]*)?$/gm, ''],
  [/^[ \t]*(?:>[ \t]?)+/gm, ''], // block quote
  [/^[ \t]*#{1,6}[ \t]+/gm, ''], // heading
  [/^[ \t]*[-*+•‣◦▪●][ \t]+/gm, ''], // bullet
  [/^[ \t]*\d{1,3}[.)][ \t]+/gm, ''], // numbered list item
];

const INLINE_RULES: Array<[RegExp, string]> = [
  [/!\[([^\][\n]*)\]\([^()\s]*\)/g, '$1'], // image: its alt text
  [/\[([^\][\n]*)\]\([^()\s]*(?:\s+"[^"\n]*")?\)/g, '$1'], // [link](url "title") → link
  [/<((?:https?:\/\/|mailto:)[^<>\s]+)>/g, '$1'], // <autolink>
  [/<br\s*\/?>/gi, ' '],
  [/\*\*([^*\n]+)\*\*/g, '$1'],
  [/(?<![\p{L}\p{N}_])__([^_\n]+)__(?![\p{L}\p{N}_])/gu, '$1'],
  [/(?<![\p{L}\p{N}*])\*(?=\S)([^*\n]+)(?<=\S)\*(?![\p{L}\p{N}*])/gu, '$1'],
  [/(?<![\p{L}\p{N}_])_(?=\S)([^_\n]+)(?<=\S)_(?![\p{L}\p{N}_])/gu, '$1'],
  [/~~([^~\n]+)~~/g, '$1'],
  [/`([^`\n]+)`/g, '$1'],
  [/\*{2,}|`+/g, ''], // unpaired leftovers
];

// Pictographs, flags, skin tones and the joiners/selectors that glue emoji sequences together.
// ©, ® and ™ are "pictographic" too, so they are dealt with first.
const EMOJI = /(?<![ \t])[ \t]*(?:\p{Extended_Pictographic}|\p{Regional_Indicator}|[\u{1F3FB}-\u{1F3FF}\u{FE0F}\u{200D}\u{20E3}])+[ \t]*/gu;

/** A markdown table row "| Cleaning | $89 |" → "Cleaning, $89". */
function tableRow(_m: string, inner: string): string {
  return inner
    .split('|')
    .map((cell) => cell.trim())
    .filter(Boolean)
    .join(', ');
}

export function stripMarkdown(text: string): string {
  let out = text;
  for (const [pattern, replacement] of LINE_RULES) out = out.replace(pattern, replacement);
  out = out.replace(/^[ \t]*\|([^\n]*)\|[ \t]*$/gm, tableRow);
  for (const [pattern, replacement] of INLINE_RULES) out = out.replace(pattern, replacement);
  return out;
}

export function stripEmoji(text: string): string {
  return text
    .replace(/(?<![ \t])[ \t]*©[ \t]*/g, (_m, at: number) => `${at > 0 ? ' ' : ''}copyright `)
    .replace(/[®™℠]/g, '')
    .replace(EMOJI, (match, at: number, whole: string) => {
      const before = whole[at - 1];
      const after = whole[at + match.length];
      // One space stays where the emoji sat between two words; none at a line's edge or before punctuation.
      if (before === undefined || before === '\n' || after === undefined || after === '\n') return '';
      return /[.,!?;:)\]]/.test(after) ? '' : ' ';
    })
    .replace(/(?<![ \t])[ \t]+[•·▪●][ \t]+/g, ', '); // "Cleanings • Whitening" → a list
}
