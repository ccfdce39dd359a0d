import { describe, expect, it } from 'vitest';
import { cardinal, ordinal, pairs, year } from './number-words.js';

describe('number words', () => {
  it.each<[number | string, string]>([
    [0, 'zero'],
    [13, 'thirteen'],
    [40, 'forty'],
    [99, 'ninety-nine'],
    [105, 'one hundred five'],
    [1299, 'one thousand two hundred ninety-nine'],
    [1_000_001, 'one million one'],
    ['12,345', 'twelve thousand three hundred forty-five'],
  ])('cardinal %j → %j', (n, words) => {
    expect(cardinal(n)).toBe(words);
  });

  it.each<[number, string]>([
    [105, 'one hundred and five'],
    [1005, 'one thousand and five'],
    [1299, 'one thousand two hundred and ninety-nine'],
  ])('British cardinal %j → %j', (n, words) => {
    expect(cardinal(n, { british: true })).toBe(words);
  });

  it.each<[number, string]>([
    [1, 'first'],
    [12, 'twelfth'],
    [20, 'twentieth'],
    [25, 'twenty-fifth'],
    [100, 'one hundredth'],
  ])('ordinal %j → %j', (n, words) => {
    expect(ordinal(n)).toBe(words);
  });

  it.each<[number, string]>([
    [1998, 'nineteen ninety-eight'],
    [1900, 'nineteen hundred'],
    [2005, 'two thousand five'],
    [2010, 'twenty ten'],
    [2026, 'twenty twenty-six'],
    [1066, 'one thousand sixty-six'],
  ])('year %j → %j', (n, words) => {
    expect(year(n)).toBe(words);
  });

  it.each<[number, string]>([
    [123, 'one twenty-three'],
    [105, 'one oh five'],
    [200, 'two hundred'],
    [1116, 'eleven sixteen'],
    [4500, 'forty-five hundred'],
  ])('house number %j → %j', (n, words) => {
    expect(pairs(n)).toBe(words);
  });
});
