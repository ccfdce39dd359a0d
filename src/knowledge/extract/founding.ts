import type { Block } from './blocks.js';
import type { Candidate } from './candidate.js';

/**
 * Founding year ("Founded in 1987", "Est. 1998", "serving Springfield since 2005") and a stated
 * time in business ("15+ Years of Excellence"). A duration never becomes a year: "over 25 years"
 * on a page of unknown date says nothing exact about when the business started.
 */

const YEAR = String.raw`((?:18|19|20)\d{2})`;
const FOUNDED = new RegExp(
  String.raw`\b(?:founded|established|est\.?|estd\.?|opened(?:\s+(?:our|its|their)\s+doors)?|incorporated|started(?:\s+(?:our|the)\s+business)?)` +
    String.raw`(?:\s+by\s+[^.,;]{1,50}?)?\s+(?:back\s+)?(?:in\s+)?(?:the\s+year\s+)?${YEAR}\b`,
  'i',
);
const SINCE = new RegExp(String.raw`\b(?:in business|serving[^.;]{0,40}?|family[- ]owned|locally owned|open|operating|trusted|proudly)?\s*since\s+${YEAR}\b`, 'i');
/** "since 2019" about a person (a patient, a customer) is not the business's age. */
const PERSONAL = /\b(patient|customer|client|member|i've|i have|i'?ve been|we'?ve been coming|my (family|kids|children)|going there|coming here)\b/i;
const DURATION = /\b(?:(over|more than|nearly|almost)\s+)?(\d{1,3})\+?\s*years?\s+(?:of\s+(?:excellence|service|serving|experience serving)|in business|serving)\b/i;

export function findFounding(blocks: Block[], now = new Date()): Candidate[] {
  const out: Candidate[] = [];
  const years = new Set<string>();
  const durations = new Set<string>();
  for (const block of blocks) {
    for (const line of block.lines) {
      const founded = FOUNDED.exec(line);
      const since = founded ? undefined : SINCE.exec(line);
      const m = founded ?? since;
      const year = m?.[1];
      if (m && year && Number(year) <= now.getFullYear() && !years.has(year)) {
        const before = line.slice(Math.max(0, m.index - 40), m.index);
        if (!(since && PERSONAL.test(before + m[0]))) {
          years.add(year);
          out.push({
            kind: 'founded',
            title: 'Founded',
            content: `The business was founded in ${year}.`,
            factKey: 'founded',
            value: year,
            headings: block.headings,
            context: line,
            origin: 'dom',
          });
        }
      }
      const d = DURATION.exec(line);
      if (d?.[2] && !/\b(he|she|dr\.?|his|her)\b/i.test(line.slice(0, d.index))) {
        const amount = `${d[1] ? `${d[1].toLowerCase()} ` : ''}${d[2]}${/\+/.test(d[0]) ? '+' : ''}`;
        if (!durations.has(amount)) {
          durations.add(amount);
          out.push({
            kind: 'years',
            title: 'Years in business',
            content: `The business has been operating for ${amount} years.`,
            headings: block.headings,
            context: line,
            origin: 'dom',
          });
        }
      }
    }
  }
  return out;
}
