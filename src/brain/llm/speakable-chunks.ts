/**
 * Turns a model's text deltas into clauses that text-to-speech can start on at once: whole
 * sentences as soon as they are complete, the first clause early (first audio matters most),
 * long unpunctuated stretches at a comma or dash, markdown stripped because it is spoken.
 */
export interface SpeakableOptions {
  /** The first chunk may end at a comma once it is this long (default 25). */
  firstChunkMinChars?: number;
  /** Past this length, a clause splits at its next comma/semicolon/colon/dash (default 80). */
  longClauseChars?: number;
  /** With no punctuation at all, split at a space past this length (default 200). */
  hardLimitChars?: number;
}

export async function* speakableChunks(deltas: AsyncIterable<string>, options: SpeakableOptions = {}): AsyncIterable<string> {
  const splitter = new SpeakableSplitter(options);
  for await (const delta of deltas) yield* splitter.push(delta);
  yield* splitter.end();
}

/** The same splitting, push-driven, for a caller that already loops over LLM events. */
export class SpeakableSplitter {
  private buffer = '';
  private atLineStart = true;
  private emitted = 0;
  private readonly firstMin: number;
  private readonly longClause: number;
  private readonly hardLimit: number;

  constructor(options: SpeakableOptions = {}) {
    this.firstMin = options.firstChunkMinChars ?? 25;
    this.longClause = options.longClauseChars ?? 80;
    this.hardLimit = options.hardLimitChars ?? 200;
  }

  *push(delta: string): Generator<string> {
    this.buffer += delta;
    yield* this.drain(false);
  }

  /** The stream ended: whatever is left is the last chunk. */
  *end(): Generator<string> {
    yield* this.drain(true);
    const rest = this.take(this.buffer.length);
    if (rest) yield rest;
  }

  private *drain(final: boolean): Generator<string> {
    for (;;) {
      const space = /^\s+/.exec(this.buffer);
      if (space) {
        if (space[0].includes('\n')) this.atLineStart = true;
        this.buffer = this.buffer.slice(space[0].length);
      }
      if (!this.buffer) return;
      const cut = this.findCut(final);
      if (cut === undefined) return;
      const text = this.take(cut);
      if (text) {
        this.emitted++;
        yield text;
      }
    }
  }

  private take(length: number): string {
    const raw = this.buffer.slice(0, length);
    this.buffer = this.buffer.slice(length);
    const text = toSpeech(raw, this.atLineStart);
    this.atLineStart = false;
    return text;
  }

  /** Where the buffer's first speakable chunk ends, or undefined to wait for more text. */
  private findCut(final: boolean): number | undefined {
    const buf = this.buffer;
    const { spans, limit } = linkSpans(buf, final);
    const first = this.emitted === 0;
    let span = 0;
    for (let i = 0; i < limit; i++) {
      // Never cut inside a markdown link: "[text" and "](url)" apart cannot be cleaned.
      if (spans[span] && spans[span]![0] === i) i = spans[span++]![1] - 1;
      const ch = buf[i]!;
      // A line break ends a heading or list item even without punctuation.
      if (ch === '\n') return i;
      if (ENDERS.includes(ch)) {
        let j = i;
        while (j < buf.length && ENDERS.includes(buf[j]!)) j++;
        let k = j;
        while (k < buf.length && CLOSERS.includes(buf[k]!)) k++;
        const verdict = this.sentenceEnd(buf, i, j, k, final);
        if (verdict === 'end') return k;
        if (verdict === 'wait') return undefined;
        i = k - 1;
        continue;
      }
      // Every rule looks only at the text before the cut, so the chunks do not depend on how
      // the model's tokens happened to be split.
      const soft = softBoundary(buf, i, final);
      if (soft !== undefined && soft >= (first ? this.firstMin : this.longClause)) return soft;
    }
    // No punctuation at all for a long stretch: the last space before the limit.
    if (limit > this.hardLimit) {
      const space = buf.slice(0, this.hardLimit + 1).search(/\s\S*$/);
      if (space >= this.firstMin) return space;
    }
    return undefined;
  }

  /** Whether the punctuation run buf[i..j) (closers up to k) ends a sentence. */
  private sentenceEnd(buf: string, i: number, j: number, k: number, final: boolean): 'end' | 'no' | 'wait' {
    const after = buf[k];
    if (after === undefined) return final ? 'end' : 'wait';
    // "3.5", "acme.com", "?b=1", "p.m.,": not followed by a space, not an end.
    if (!/\s/.test(after)) return 'no';
    const next = /\S/.exec(buf.slice(k))?.[0];
    const decideBy = (test: (c: string) => boolean) => (next === undefined ? (final ? 'end' : 'wait') : test(next) ? 'end' : 'no');
    const run = buf.slice(i, j);
    if (/[!?]/.test(run)) return 'end';
    // An ellipsis trailing into lowercase is a pause inside the sentence.
    if (run.length > 1 || run === '…') return decideBy((c) => !/\p{Ll}/u.test(c));
    const tokens = buf.slice(0, i).split(/\s+/);
    const token = (tokens.pop() ?? '').replace(/^[(["'“‘*_]+/, '');
    const lower = token.toLowerCase();
    if (!token) return 'end';
    // "1. Open the app" at the start of a line is a list marker.
    if (this.atLineStart && tokens.length === 0 && /^\d{1,3}$/.test(token)) return 'no';
    if (/^\p{Lu}$/u.test(token) || NEVER_END.has(lower)) return 'no';
    // "Dr."/"St." after a house number are Drive/Street and may end a sentence; otherwise titles.
    if (lower === 'dr' || lower === 'st') return tokens.slice(-3).some((t) => /\d/.test(t)) ? decideBy((c) => /\p{Lu}/u.test(c)) : 'no';
    if (BEFORE_NUMBER.has(lower)) return decideBy((c) => !/[\d#]/.test(c));
    if (MAYBE_END.has(lower) || /^(\p{L}\.)+\p{L}$/u.test(token)) return decideBy((c) => /\p{Lu}/u.test(c));
    return 'end';
  }
}

const ENDERS = '.!?…';
const CLOSERS = '"\'”’)]*_`';
/** Always followed by more of the same sentence. */
const NEVER_END = new Set(['mr', 'mrs', 'ms', 'mx', 'prof', 'sr', 'jr', 'mt', 'ft', 'vs', 'approx', 'apt', 'ste', 'e.g', 'i.e', 'cf', 'ca', 'dept', 'appt']);
/** Abbreviations when a number follows ("No. 5", "ext. 204", "Jan. 3"). */
const BEFORE_NUMBER = new Set(['no', 'nos', 'ext', 'tel', 'ph', 'vol', 'pg', 'pp', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec']);
/** End a sentence only when a capital follows ("9 a.m. to 5" vs "closes at 5 p.m. See you"). */
const MAYBE_END = new Set(['inc', 'ltd', 'co', 'corp', 'llc', 'etc', 'ave', 'rd', 'blvd', 'hwy', 'ph.d']);

/** A comma/semicolon/colon or a dash between words: where a long clause can break. */
function softBoundary(buf: string, i: number, final: boolean): number | undefined {
  const ch = buf[i]!;
  const after = buf[i + 1] ?? (final ? ' ' : undefined);
  if (after === undefined) return undefined;
  // "1,000" and "9:30" stay whole.
  if (',;:'.includes(ch)) return /\s/.test(after) ? i + 1 : undefined;
  const before = buf[i - 1] ?? '';
  if (ch === '—') return /\d/.test(before) && /\d/.test(after) ? undefined : i + 1;
  if (ch === '–' || ch === '-') return /\s/.test(before) && /\s/.test(after) ? i + 1 : undefined;
  return undefined;
}

/** Complete markdown links [text](url) as spans, and the start of an unfinished one as the limit. */
function linkSpans(buf: string, final: boolean): { spans: [number, number][]; limit: number } {
  const spans: [number, number][] = [];
  const unfinished = (at: number) => ({ spans, limit: final || buf.length - at > 300 ? buf.length : at });
  for (let i = buf.indexOf('['); i !== -1; i = buf.indexOf('[', i + 1)) {
    const close = buf.indexOf(']', i + 1);
    if (close === -1 || close === buf.length - 1) return unfinished(i);
    if (buf[close + 1] !== '(') continue;
    const end = buf.indexOf(')', close + 2);
    if (end === -1) return unfinished(i);
    spans.push([i, end + 1]);
    i = end;
  }
  return { spans, limit: buf.length };
}

/** Markdown and URL noise out, whitespace collapsed: what the caller should hear. */
export function toSpeech(raw: string, atLineStart: boolean): string {
  let text = raw;
  if (atLineStart) {
    if (/^\s*([-*_]\s*){3,}$/.test(text)) return '';
    // Quote marks, a heading's hashes, a bullet or a list number.
    text = text.replace(/^\s*(?:>\s*)*(?:#{1,6}\s+)?(?:[-*+•]\s+|\d{1,3}[.)]\s+)?/, '');
  }
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<((?:https?:\/\/|mailto:)[^>\s]+)>/g, '$1')
    .replace(/\b(?:https?:\/\/|mailto:)(?=\S)/g, '')
    .replace(/[*`]+|~~/g, '')
    .replace(/(^|[^\p{L}\p{N}])_{1,2}(?=\S)([^_]*?\S)_{1,2}(?![\p{L}\p{N}])/gu, '$1$2')
    .replace(/\s+/g, ' ')
    .trim();
}
