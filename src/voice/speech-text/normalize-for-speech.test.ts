import { describe, expect, it } from 'vitest';
import { reads, say } from './speech-cases.js';

describe('normalizeForSpeech', () => {
  describe('markdown, bullets and emoji are dropped, their words kept', () => {
    reads([
      ['**bold**', 'bold'],
      ['__bold__', 'bold'],
      ['*italic*', 'italic'],
      ['`code`', 'code'],
      ['~~old~~', 'old'],
      ['# Heading', 'Heading'],
      ['### Our Services', 'Our Services'],
      ['- item', 'item'],
      ['* item', 'item'],
      ['• item', 'item'],
      ['1. First step', 'First step'],
      ['> quoted', 'quoted'],
      ['[link](https://example.com)', 'link'],
      ['See [our prices](https://acme.com/prices "Prices").', 'See our prices.'],
      ['Great 😊 see you', 'Great see you'],
      ['Thanks! 👍', 'Thanks!'],
      ['Hello 👋🏽 there', 'Hello there'],
      ['🦷 Dental care', 'Dental care'],
      ['Cleanings • Whitening • Implants', 'Cleanings, Whitening, Implants'],
      ['© 2026 Acme™', 'copyright twenty twenty-six Acme'],
      ['| Service | Price |\n|---|---|\n| Cleaning | $89 |', 'Service, Price\n\nCleaning, eighty-nine dollars'],
    ]);
  });

  describe('text that needs no change comes back unchanged', () => {
    it.each([
      'Hello, how can I help you today?',
      "I can't make it, but she'll call back. Don't worry!",
      'We’re open Monday through Friday.',
      'May I have your name, please?',
      'The sun is out, so I sat outside on a Wednesday.',
      'Jan is our office manager; Mark handles billing.',
      'We offer cleanings, whitening, and implants.',
      'I am here for you in the a.m. or the p.m.',
      'Q&A with AT&T',
      'A well-known, family-owned business — since forever.',
      'First line\nSecond line',
      'Spaces  stay  as  they  are.',
      '',
    ])('%j', (text) => {
      expect(say(text)).toBe(text);
    });
  });

  describe('a realistic paragraph, end to end', () => {
    it('reads a small business website blurb', () => {
      expect(say('Call us at (555) 123-4567, Mon–Fri 9am–5pm. Visit 123 Main St., Ste. 4. Cleanings from $89.')).toBe(
        'Call us at five five five, one two three, four five six seven, Monday to Friday, nine AM to five PM. ' +
          'Visit one twenty-three Main Street, Suite four. Cleanings from eighty-nine dollars.',
      );
    });

    it('reads an LLM answer written in markdown', () => {
      const answer = [
        'Sure! Here are our hours 😊:',
        '- **Mon–Fri:** 8:30am–6pm',
        '- **Sat:** 9am–1pm',
        '- **Sun:** Closed',
        '',
        'New patients get 15% off a cleaning (normally $129). Book at https://smiledental.com/book or email hello@smiledental.com.',
      ].join('\n');
      expect(say(answer)).toBe(
        [
          'Sure! Here are our hours:',
          'Monday to Friday: eight thirty AM to six PM',
          'Saturday: nine AM to one PM',
          'Sunday: Closed',
          '',
          'New patients get fifteen percent off a cleaning (normally one hundred twenty-nine dollars). ' +
            'Book at smiledental dot com slash book or email hello at smiledental dot com.',
        ].join('\n'),
      );
    });

    it('reads a tradesman’s page with a toll-free number, ranges and an ID', () => {
      expect(
        say('Joe’s Plumbing & Heating has served Springfield since 1998. Emergency service 24/7: call 1-800-555-0199. Drain cleaning $99–$149; installs from $1,250.'),
      ).toBe(
        'Joe’s Plumbing and Heating has served Springfield since nineteen ninety-eight. Emergency service twenty-four seven: ' +
          'call one, eight hundred, five five five, zero one nine nine. Drain cleaning ninety-nine to one hundred forty-nine dollars; ' +
          'installs from one thousand two hundred fifty dollars.',
      );
    });

    it('reads an appointment reminder', () => {
      expect(say('Your appointment with Dr. Patel is on Tue, Dec 2nd at 3:15 PM at 4500 Oak Dr., Suite 210. Please arrive 10-15 min early.')).toBe(
        'Your appointment with Doctor Patel is on Tuesday, December second at three fifteen PM at forty-five hundred Oak Drive, Suite two ten. ' +
          'Please arrive ten to fifteen minutes early.',
      );
    });

    it('reads a UK page in the UK style', () => {
      expect(say('Ring us on 020 7946 0958 (Mon–Sat, 9.30am–5.30pm). Prices from £45, e.g. a 30 min consultation for £1,299.99.', 'en-GB')).toBe(
        'Ring us on oh two oh, seven nine four six, oh nine five eight (Monday to Saturday, nine thirty AM to five thirty PM). ' +
          'Prices from forty-five pounds, for example a thirty minute consultation for one thousand two hundred and ninety-nine pounds and ninety-nine pence.',
      );
    });

    it('leaves its own output alone when run twice', () => {
      const once = say('Call us at (555) 123-4567, Mon–Fri 9am–5pm. Visit 123 Main St., Ste. 4. Cleanings from $89.');
      expect(say(once)).toBe(once);
    });
  });

  describe('stays fast on hostile input (no catastrophic backtracking)', () => {
    const SIZE = 20_000;
    const fill = (unit: string) => unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);
    // Each a shape some pattern starts on and then fails to finish, repeated to 20 KB.
    const hostile: Record<string, string> = {
      'spaces then a letter': `${' '.repeat(SIZE)}x`,
      'tabs then a letter': `${'\t'.repeat(SIZE)}x`,
      'one long number': fill('1'),
      'numbers and spaces': fill('1 '),
      'number dashes': fill('1-'),
      'comma groups': fill('1,000'),
      'dotted labels': fill('a.'),
      'one long word': fill('a'),
      'at signs': fill('a@a.'),
      'open brackets': fill('['),
      'half links': fill('[a]('),
      asterisks: fill('*a '),
      underscores: fill('_a '),
      'table pipes and dashes': `|${fill('---|')}`,
      'dollar dashes': fill('$1-'),
      'phone-ish groups': fill('(555) '),
      'plus groups': fill('+1 '),
      colons: fill('12:'),
      'a.m. without a time': fill('a.m.'),
      'time dashes': fill('9am-'),
      'slashes between words': fill('ab/'),
      'street abbreviations': fill('Main St '),
      'day dashes': fill('Mon-'),
      'www prefixes': `www.${fill('a-')}`,
      'a path that never ends': `https://x.com/${fill('a-')}`,
      emoji: fill('😊 '),
      'everything at once': fill('Call (555) 123-4567, Mon–Fri 9am–5pm, $40–$60/hr, **St.** e.g. 12/25 info@acme.co 😊 '),
    };
    say('warm up: $5, 9am, (555) 123-4567, Mon–Fri, St. Mary, acme.com');

    // Best of three: a shared, busy test machine can stall any single run, but a catastrophic
    // pattern (quadratic or worse) is slow every time, at 20 KB by seconds, not milliseconds.
    it.each(Object.entries(hostile))('%s: 20 KB in under 200 ms', (_name, text) => {
      let best = Infinity;
      for (let attempt = 0; attempt < 3 && best >= 200; attempt++) {
        const started = performance.now();
        const out = say(text);
        best = Math.min(best, performance.now() - started);
        expect(typeof out).toBe('string');
      }
      expect(best).toBeLessThan(200);
    });
  });
});
