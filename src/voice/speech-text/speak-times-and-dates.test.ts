import { describe } from 'vitest';
import { reads } from './speech-cases.js';

describe('normalizeForSpeech: days, times and dates', () => {
  describe('days of the week', () => {
    reads([
      ['Sat & Sun', 'Saturday and Sunday'],
      ['Mon/Wed/Fri', 'Monday, Wednesday and Friday'],
      ['Tue. and Thu.', 'Tuesday and Thursday.'],
      ['Sun: Closed', 'Sunday: Closed'],
      ['Open Sat 10am-2pm, Sun closed.', 'Open Saturday, ten AM to two PM, Sunday closed.'],
    ]);
  });

  describe('times: a 12-hour clock with "AM"/"PM" (one word, so the engines say "ay em")', () => {
    reads([
      ['9am', 'nine AM'],
      ['9 am', 'nine AM'],
      ['9AM', 'nine AM'],
      ['9:30 a.m.', 'nine thirty AM.'],
      ['9:30am', 'nine thirty AM'],
      ['9:05am', 'nine oh five AM'],
      ['5:00PM', 'five PM'],
      ['5:00 p.m. on Friday', 'five PM on Friday'],
      ['We open at 9 a.m. Call us.', 'We open at nine AM. Call us.'],
      ['12pm', 'noon'],
      ['12am', 'midnight'],
      ['12 noon', 'noon'],
      ['noon', 'noon'],
      ['17:30', 'five thirty PM'],
      ['09:00', 'nine AM'],
      ['00:15', 'twelve fifteen AM'],
      ['10:00', "ten o'clock"],
      ['9:30', 'nine thirty'],
    ]);
  });

  describe('time ranges', () => {
    reads([
      ['9am-5pm', 'nine AM to five PM'],
      ['9am–5pm', 'nine AM to five PM'],
      ['9 AM - 5 PM', 'nine AM to five PM'],
      ['9am to 5pm', 'nine AM to five PM'],
      ['9:00-17:00', 'nine AM to five PM'],
      ['9-11am', 'nine to eleven AM'],
      ['9a-5p', 'nine AM to five PM'],
      ['noon-4pm', 'noon to four PM'],
      ['Mon–Fri 9am–5pm', 'Monday to Friday, nine AM to five PM'],
    ]);
  });

  describe('dates: month/day in the US', () => {
    reads([
      ['12/25', 'December twenty-fifth'],
      ['12/05', 'December fifth'],
      ['12/25/2026', 'December twenty-fifth, twenty twenty-six'],
      ['7/4/26', 'July fourth, twenty twenty-six'],
      ['25/12', 'December twenty-fifth'], // only day/month is a real date
      ['2026-11-22', 'November twenty-second, twenty twenty-six'],
      ['Dec 25', 'December twenty-fifth'],
      ['Dec. 25th, 2026', 'December twenty-fifth, twenty twenty-six'],
      ['December 25', 'December twenty-fifth'],
      ['Jan. 3', 'January third'],
      ['May 2026', 'May twenty twenty-six'],
      ['25 December', 'the twenty-fifth of December'],
      ['the 25th of December', 'the twenty-fifth of December'],
      ['Tue, Dec 2nd', 'Tuesday, December second'],
    ]);
  });

  describe('dates: day/month in the UK (en-GB)', () => {
    reads(
      [
        ['12/05', 'the twelfth of May'],
        ['12/25', 'the twenty-fifth of December'], // only month/day is a real date
        ['25/12/2026', 'the twenty-fifth of December, twenty twenty-six'],
        ['Dec 25', 'the twenty-fifth of December'],
        ['2026-11-22', 'the twenty-second of November, twenty twenty-six'],
      ],
      'en-GB',
    );
  });

  describe('fractions and "24/7" are not dates', () => {
    reads([
      ['1/2 price', 'one half price'],
      ['2 1/2 hours', 'two and a half hours'],
      ['3/4 of the time', 'three quarters of the time'],
      ['open 24/7', 'open twenty-four seven'],
    ]);
  });
});
