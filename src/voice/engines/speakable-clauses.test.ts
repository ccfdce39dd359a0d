import { describe, expect, it } from 'vitest';
import { speakableClauses } from './speakable-clauses.js';

describe('speakable clauses for a neural voice', () => {
  it('cuts a long sentence after a comma so the first clause can be heard early', () => {
    expect(speakableClauses('We are open from nine to five on weekdays, and from ten to two on Saturdays.')).toEqual([
      'We are open from nine to five on weekdays,',
      'and from ten to two on Saturdays.',
    ]);
  });

  it('keeps short lead-ins with what follows instead of voicing them alone', () => {
    expect(speakableClauses('Yes, we can do that for you tomorrow.')).toEqual(['Yes, we can do that for you tomorrow.']);
  });

  it('joins a short tail to the clause before it', () => {
    expect(speakableClauses('We can book you in for Tuesday morning at ten, if that works.')).toEqual([
      'We can book you in for Tuesday morning at ten, if that works.',
    ]);
  });

  it('cuts over-long text at a space within the limit', () => {
    const text = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
    const clauses = speakableClauses(text, { maxChars: 100 });
    expect(clauses.length).toBeGreaterThan(3);
    for (const clause of clauses) expect(clause.length).toBeLessThanOrEqual(100);
    expect(clauses.join(' ')).toBe(text);
  });

  it('drops pieces with nothing to say', () => {
    expect(speakableClauses(' ... — ')).toEqual([]);
    expect(speakableClauses('')).toEqual([]);
  });
});
