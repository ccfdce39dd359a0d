import { describe, expect, it } from 'vitest';
import type { KnowledgeEntryRow } from '../../db/queries/knowledge.js';
import { chooseFact, pageWeight, parseHoursValue, speakRanges } from './facts.js';
import type { KnowledgeLookup } from './knowledge-lookup.js';

let seq = 0;
function entry(e: Partial<KnowledgeEntryRow> & Pick<KnowledgeEntryRow, 'category' | 'content'>): KnowledgeEntryRow {
  seq++;
  return {
    seq, id: `kn_${seq}`, tenantId: 't', agentId: 'a', title: e.title ?? 'Entry', sourceUrl: e.sourceUrl ?? 'https://x.test/', contentHash: '',
    origin: 'crawl', factKey: null, factValue: null, conflict: false, createdAt: new Date(), updatedAt: new Date(), ...e,
  };
}
const lookupOf = (entries: KnowledgeEntryRow[]): KnowledgeLookup => ({ search: () => [], byCategory: (c) => entries.filter((e) => e.category === c) });
const phone = (value: string, sourceUrl: string, content = `The phone number is ${value}.`) =>
  entry({ category: 'contact', title: 'Phone', content, sourceUrl, factKey: 'phone', factValue: value.replace(/\D/g, ''), conflict: true });

describe('settling a conflicting fact', () => {
  it('takes the contact page over the home page when nothing else speaks', () => {
    const chosen = chooseFact(lookupOf([phone('(555) 111-2222', 'https://x.test/'), phone('(555) 333-4444', 'https://x.test/contact.html')]), 'phone')!;
    expect(chosen.best.factValue).toBe('5553334444');
    expect(chosen.settled).toBe(true);
  });

  it('counts the entries that repeat a value, and their pages', () => {
    const entries = [
      phone('(555) 111-2222', 'https://x.test/'),
      phone('(555) 333-4444', 'https://x.test/services.html'),
      entry({ category: 'booking', content: 'Call us at (555) 111-2222 to book.', sourceUrl: 'https://x.test/contact.html' }),
    ];
    expect(chooseFact(lookupOf(entries), 'phone')).toMatchObject({ best: { factValue: '5551112222' }, settled: true });
  });

  it('leaves a close call unsettled, with every value', () => {
    const chosen = chooseFact(lookupOf([phone('(555) 111-2222', 'https://x.test/'), phone('(555) 333-4444', 'https://x.test/about.html')]), 'phone')!;
    expect(chosen.settled).toBe(false);
    expect([chosen.best, ...chosen.rivals].map((e) => e.factValue)).toEqual(['5553334444', '5551112222']);
  });

  it('ranks a placeholder number last, whatever page it is on', () => {
    const chosen = chooseFact(lookupOf([phone('+1 (555) 000-0000', 'https://x.test/contact.html'), phone('(555) 987-5432', 'https://x.test/')]), 'phone')!;
    expect(chosen).toMatchObject({ best: { factValue: '5559875432' }, rivals: [], settled: true });
  });

  it("takes the owner's own entry over any crawled value", () => {
    const manual = entry({ category: 'contact', title: 'Phone', content: 'Call 555 777 8888.', origin: 'manual' });
    expect(chooseFact(lookupOf([phone('(555) 111-2222', 'https://x.test/'), manual]), 'phone')).toMatchObject({ best: { id: manual.id }, settled: true });
  });

  it('weighs pages by what they are', () => {
    expect(pageWeight('https://x.test/contact-us')).toBe(3);
    expect(pageWeight('https://x.test/about.html')).toBe(2);
    expect(pageWeight('https://x.test/privacy.html')).toBe(0);
    expect(pageWeight('https://x.test/')).toBe(1);
  });
});

describe('hours values', () => {
  it('reads the canonical value and speaks ranges', () => {
    const week = parseHoursValue('mon 07:00-20:00; sat 09:00-12:00,13:00-17:00; sun closed')!;
    expect(week.get(0)).toEqual([[420, 1200]]);
    expect(week.get(6)).toEqual([]);
    expect(week.get(2)).toBeUndefined();
    expect(speakRanges(week.get(5)!)).toBe('9 AM to noon and 1 PM to 5 PM');
    expect(speakRanges([[0, 1440]])).toBe('open 24 hours');
    expect(speakRanges([[1080, 1560]])).toBe('6 PM to 2 AM');
    expect(parseHoursValue('whenever')).toBeUndefined();
  });
});
