import type { Element } from 'domhandler';
import type { Block } from './blocks.js';
import type { Candidate } from './candidate.js';
import { addToWeek, hoursValue, parseHoursLine, speakWeek, type Week } from './hours-parse.js';

/**
 * Opening-hours schedules on a page: runs of consecutive lines that each parse as "days +
 * times" (the rows of one table, the items of one list, the lines of one paragraph). Read from
 * the whole page, footer included, because that is where most small businesses put them.
 */

export interface HoursFound {
  candidate: Candidate;
  /** Elements the schedule was read from, so content sections do not repeat it. */
  elements: Element[];
}

/** Schedules that are not the main opening hours keep their own title and no `hours` key. */
const SPECIAL = /holiday|emergenc|after[- ]hours|phone|call|kitchen|delivery|brunch|happy hour|seasonal|summer|winter|christmas|thanksgiving/i;

interface Run {
  week: Week;
  elements: Element[];
  group: Element;
  lastIndex: number;
  headings: string[];
  lines: number;
}

export function findHours(blocks: Block[]): HoursFound[] {
  const runs: Run[] = [];
  let current: Run | undefined;
  blocks.forEach((block, index) => {
    const parsed = block.lines.map((l) => parseHoursLine(l)).filter((p) => p !== undefined);
    if (parsed.length === 0) {
      // A label line ("Hours", "Office Hours:") between items does not break a run.
      if (current && index === current.lastIndex + 1 && block.lines.join(' ').length < 25 && /hours|open/i.test(block.lines.join(' '))) current.lastIndex = index;
      return;
    }
    const sameRun =
      current &&
      index === current.lastIndex + 1 &&
      (block.group === current.group || block.el.parent === current.elements[current.elements.length - 1]?.parent);
    if (!sameRun) {
      current = { week: new Map(), elements: [], group: block.group, lastIndex: index, headings: block.headings, lines: 0 };
      runs.push(current);
    }
    const run = current!;
    for (const p of parsed) addToWeek(run.week, p.days, p.ranges);
    run.elements.push(block.el);
    run.lastIndex = index;
    run.lines += parsed.length;
  });

  const found: HoursFound[] = [];
  for (const run of runs) {
    const heading = run.headings[run.headings.length - 1] ?? '';
    const special = SPECIAL.test(heading) && !/^(opening|office|business|store|shop)?\s*hours$/i.test(heading.trim());
    const content = speakWeek(run.week);
    found.push({
      elements: run.elements,
      candidate: {
        kind: 'hours',
        title: special ? heading : 'Opening hours',
        content: special ? `${heading}: ${content}` : content,
        ...(special ? {} : { factKey: 'hours', value: hoursValue(run.week) }),
        headings: run.headings,
        ...(special && /emergenc|after[- ]hours/i.test(heading) ? { category: 'emergency' } : {}),
        origin: 'dom',
      },
    });
  }
  return found;
}
