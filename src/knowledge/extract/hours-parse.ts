/**
 * Opening hours: parsing one line of a page ("Mon-Fri 8:00 AM - 6:00 PM", "Sunday: Closed"),
 * schema.org openingHours strings ("Mo-Fr 09:00-17:00") and specifications, into a week; then
 * a canonical `value` ("mon 08:00-18:00; …") for comparing pages, and a sentence for speaking.
 * Parsing is strict on purpose: a line must be only days and times, so prose that mentions a
 * day ("open on Saturdays from 10") never becomes a schedule.
 */

/** Minutes from midnight; a range may close at 1440 (midnight) or later (past midnight). */
export type Range = [number, number];
/** Per day, Monday = 0 … Sunday = 6: ranges, or an empty list for closed. */
export type Week = Map<number, Range[]>;

const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const DAY_CODES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const DAY_WORDS: [RegExp, number][] = [
  [/^mon(day)?s?\.?$/, 0],
  [/^tue(s|sday)?s?\.?$/, 1],
  [/^wed(nesday)?s?\.?$/, 2],
  [/^thu(r|rs|rsday)?s?\.?$/, 3],
  [/^fri(day)?s?\.?$/, 4],
  [/^sat(urday)?s?\.?$/, 5],
  [/^sun(day)?s?\.?$/, 6],
];
const SCHEMA_DAYS: Record<string, number> = { mo: 0, tu: 1, we: 2, th: 3, fr: 4, sa: 5, su: 6 };

function dayIndex(word: string, schema = false): number | undefined {
  const w = word.toLowerCase().replace(/\.$/, '');
  if (schema && w in SCHEMA_DAYS) return SCHEMA_DAYS[w];
  for (const [re, i] of DAY_WORDS) if (re.test(w)) return i;
  const uri = /schema\.org\/(\w+)$/i.exec(word);
  if (uri?.[1]) return dayIndex(uri[1]);
  return undefined;
}

function span(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; ; i = (i + 1) % 7) {
    out.push(i);
    if (i === to || out.length > 7) break;
  }
  return out;
}

/** "Mon-Fri", "Monday through Friday", "Mon, Wed & Fri", "weekdays", "daily" → day indexes. */
export function parseDays(text: string, schema = false): number[] | undefined {
  let t = text.toLowerCase().replace(/[–—−]/g, '-').replace(/[:,]+\s*$/, '').trim();
  t = t.replace(/\b(7 days a week|seven days a week|every ?day|all week|daily)\b/g, 'mon-sun');
  t = t.replace(/\bweekdays\b/g, 'mon-fri').replace(/\bweekends?\b/g, 'sat-sun');
  if (!t) return undefined;
  const days = new Set<number>();
  t = t.replace(/\s*(?:-|\bto\b|\bthrough\b|\bthru\b|\btill\b|\buntil\b)\s*/g, '-');
  for (const item of t.split(/\s*(?:,|&|\band\b|\/|\+|;)\s*|\s+/)) {
    if (!item) continue;
    const range = /^([a-z.]+)-([a-z.]+)$/.exec(item);
    if (range?.[1] && range[2]) {
      const a = dayIndex(range[1], schema);
      const b = dayIndex(range[2], schema);
      if (a === undefined || b === undefined) return undefined;
      for (const d of span(a, b)) days.add(d);
      continue;
    }
    const d = dayIndex(item, schema);
    if (d === undefined) return undefined;
    days.add(d);
  }
  return days.size ? [...days].sort((a, b) => a - b) : undefined;
}

interface Clock {
  h: number;
  m: number;
  mer?: 'am' | 'pm';
}

const TIME = String.raw`(?:noon|midnight|\d{1,2}(?:[:.]\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)?)`;
const RANGE_RE = new RegExp(String.raw`^(${TIME})\s*(?:-|to|until|till|til)\s*(${TIME})$`);

function parseClock(s: string): Clock | undefined {
  const t = s.trim().toLowerCase();
  if (t === 'noon') return { h: 12, m: 0, mer: 'pm' };
  if (t === 'midnight') return { h: 12, m: 0, mer: 'am' };
  const m = /^(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?$/.exec(t);
  if (!m?.[1]) return undefined;
  const h = Number(m[1]);
  const min = m[2] ? Number(m[2]) : 0;
  if (h > 24 || min > 59) return undefined;
  const mer = m[3] ? (m[3].startsWith('a') ? 'am' : 'pm') : undefined;
  if (mer && (h === 0 || h > 12)) return undefined;
  return { h, m: min, ...(mer ? { mer } : {}) };
}

function toMinutes(c: Clock): number {
  if (c.mer === 'am') return (c.h % 12) * 60 + c.m;
  if (c.mer === 'pm') return ((c.h % 12) + 12) * 60 + c.m;
  return c.h * 60 + c.m;
}

/** A range whose meridiems are partly or wholly left out ("9-5", "11-2pm") gets the likely ones. */
function resolveRange(open: Clock, close: Clock): Range | undefined {
  const twelveHour = (c: Clock): boolean => !c.mer && c.h >= 1 && c.h <= 12;
  if (twelveHour(open) && close.mer) {
    // "9-5pm" opens in the morning, "1-5pm" after noon; "10-2am" is a late night.
    const pmOpen = toMinutes({ ...open, mer: 'pm' });
    const mer = close.mer === 'am' ? (open.h < close.h ? 'am' : 'pm') : (open.h >= 6 && open.h < 12) || pmOpen >= toMinutes(close) ? 'am' : 'pm';
    open = { ...open, mer };
  } else if (twelveHour(open) && twelveHour(close)) {
    // "8-6": a daytime business opens between 5 and 11 in the morning, otherwise after noon.
    open = { ...open, mer: open.h >= 5 && open.h < 12 ? 'am' : 'pm' };
  }
  if (twelveHour(close) && open.mer) {
    // The close is the first matching clock time after the opening: "9am-5" closes at 5 PM.
    close = { ...close, mer: close.h !== 12 && toMinutes({ ...close, mer: 'am' }) > toMinutes(open) ? 'am' : 'pm' };
  }
  const a = toMinutes(open);
  let b = toMinutes(close);
  if (close.h === 24 || (close.mer === 'am' && close.h === 12)) b = 1440;
  if (b <= a) b += 1440; // past midnight: 6 PM - 2 AM
  if (a >= 1440 || b - a > 1440) return undefined;
  return [a, b];
}

/** "9:00 AM - 6:00 PM", "9-12, 1-5", "closed", "24 hours" → ranges ([] = closed). */
export function parseTimes(text: string): Range[] | undefined {
  const t = text
    .toLowerCase()
    .replace(/[–—−]/g, '-')
    .replace(/^(?:open|hours)\s*:?\s*/, '')
    .replace(/^from\s+/, '')
    .replace(/\.$/, '')
    .trim();
  if (/^(closed|close|shut|gesloten)$/.test(t)) return [];
  if (/^(open\s+)?(24\s*(hours|hrs|h)|24\/7|all day)$/.test(t)) return [[0, 1440]];
  const ranges: Range[] = [];
  for (const part of t.split(/\s*(?:,|;|&|\band\b|\/)\s*/)) {
    const m = RANGE_RE.exec(part.replace(/^from\s+/, ''));
    if (!m?.[1] || !m[2]) return undefined;
    const open = parseClock(m[1]);
    const close = parseClock(m[2]);
    if (!open || !close) return undefined;
    const range = resolveRange(open, close);
    if (!range) return undefined;
    ranges.push(range);
  }
  return ranges.length ? ranges : undefined;
}

const LABEL = /^(?:(?:opening|business|office|store|shop|regular|our|clinic|hours of operation)\s*)*(?:hours|times)?\s*(?:of operation)?\s*[:\-–]?\s*/i;
const TIME_START = /\b(closed|open 24|24 hours|24\/7|noon|midnight|\d{1,2}(?:[:.]\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)?\s*(?:-|–|—|to|until|till)\s*)/i;

/** One line of a page: days then times (or times then days). */
export function parseHoursLine(line: string): { days: number[]; ranges: Range[] } | undefined {
  let t = line.replace(/\s+/g, ' ').trim().replace(/[.;]$/, '');
  if (t.length > 90 || t.length < 6) return undefined;
  t = t.replace(LABEL, '').replace(/^open\s+/i, '').trim();
  if (/^(24\/7|24 hours?(,? 7 days( a week)?)?|24 hours a day,? 7 days a week)$/i.test(t)) return { days: [0, 1, 2, 3, 4, 5, 6], ranges: [[0, 1440]] };
  const at = TIME_START.exec(t);
  if (!at) return undefined;
  const before = t.slice(0, at.index).replace(/[:\-–—,]\s*$/, '').replace(/\bfrom\s*$/i, '').trim();
  const after = t.slice(at.index).trim();
  if (before) {
    const days = parseDays(before.replace(/^open\s+/i, ''));
    const ranges = parseTimes(after);
    return days && ranges ? { days, ranges } : undefined;
  }
  // Times first: "8am-6pm Monday to Friday".
  const split = /^(.*?\d\s*(?:a\.?m\.?|p\.?m\.?)?|closed)\s*,?\s+((?:on\s+)?[a-z].*)$/i.exec(after);
  if (!split?.[1] || !split[2]) return undefined;
  const ranges = parseTimes(split[1]);
  const days = parseDays(split[2].replace(/^on\s+/i, ''));
  return days && ranges ? { days, ranges } : undefined;
}

/** schema.org openingHours: "Mo-Fr 09:00-17:00", "Sa 10:00-14:00", "Mo,Tu 9-5". */
export function parseSchemaOpeningHours(text: string): { days: number[]; ranges: Range[] } | undefined {
  const m = /^\s*([A-Za-z,\-\s]+?)\s+(\S.*)$/.exec(text.trim());
  if (!m?.[1] || !m[2]) return parseHoursLine(text);
  const days = parseDays(m[1], true);
  const ranges = parseTimes(m[2]);
  return days && ranges ? { days, ranges } : parseHoursLine(text);
}

export function addToWeek(week: Week, days: number[], ranges: Range[]): void {
  for (const d of days) {
    if (ranges.length === 0) {
      if (!week.has(d)) week.set(d, []);
      continue;
    }
    const existing = week.get(d) ?? [];
    for (const r of ranges) if (!existing.some(([a, b]) => a === r[0] && b === r[1])) existing.push(r);
    existing.sort((x, y) => x[0] - y[0]);
    week.set(d, existing);
  }
}

function hhmm(min: number): string {
  const h = Math.floor(min / 60);
  return `${String(h).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
}

/**
 * Canonical form for comparison: "mon 09:00-18:00; … sun closed". A schedule that names at
 * least five days is a full week, so days it leaves out are closed (schema.org reads a
 * specification the same way) and "Sunday: Closed" written or not compares equal.
 */
export function hoursValue(week: Week): string {
  const full = week.size >= 5;
  const parts: string[] = [];
  for (let d = 0; d < 7; d++) {
    const ranges = week.get(d);
    if (!ranges && !full) continue;
    parts.push(`${DAY_CODES[d]} ${!ranges || ranges.length === 0 ? 'closed' : ranges.map(([a, b]) => `${hhmm(a)}-${hhmm(b)}`).join(',')}`);
  }
  return parts.join('; ');
}

function speakTime(min: number): string {
  const m = min % 1440;
  if (m === 0) return 'midnight';
  if (m === 720) return 'noon';
  const h24 = Math.floor(m / 60);
  const h = h24 % 12 === 0 ? 12 : h24 % 12;
  const mm = m % 60;
  return `${h}${mm ? `:${String(mm).padStart(2, '0')}` : ''} ${h24 < 12 ? 'AM' : 'PM'}`;
}

function speakRanges(ranges: Range[]): string {
  if (ranges.length === 1 && ranges[0]?.[0] === 0 && ranges[0][1] === 1440) return 'open 24 hours';
  return ranges.map(([a, b]) => `${speakTime(a)} to ${speakTime(b)}`).join(' and ');
}

/** "Monday to Friday 8 AM to 6 PM; Saturday 9 AM to 2 PM; closed Sunday." (stated days only) */
export function speakWeek(week: Week): string {
  const groups: { from: number; to: number; key: string; ranges: Range[] }[] = [];
  for (let d = 0; d < 7; d++) {
    const ranges = week.get(d);
    if (!ranges) continue;
    const key = JSON.stringify(ranges);
    const last = groups[groups.length - 1];
    if (last && last.key === key && last.to === d - 1) last.to = d;
    else groups.push({ from: d, to: d, key, ranges });
  }
  const dayText = (g: { from: number; to: number }): string =>
    g.from === g.to ? DAY_NAMES[g.from]! : g.to - g.from === 1 ? `${DAY_NAMES[g.from]} and ${DAY_NAMES[g.to]}` : `${DAY_NAMES[g.from]} to ${DAY_NAMES[g.to]}`;
  if (groups.length === 1 && groups[0]!.from === 0 && groups[0]!.to === 6) {
    const g = groups[0]!;
    return `${g.ranges.length ? `Every day ${speakRanges(g.ranges)}` : 'Closed every day'}.`;
  }
  const parts = groups.map((g) => (g.ranges.length === 0 ? `closed ${dayText(g)}` : `${dayText(g)} ${speakRanges(g.ranges)}`));
  const sentence = parts.join('; ');
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}
