import { describe, expect, it } from 'vitest';
import { normalizeForSpeech, type SpeechLocale } from './normalize-for-speech.js';
import { cardinal, ordinal, pairs, year } from './number-words.js';

/** [what the LLM or the website wrote, what the voice should say] */
type Case = [written: string, spoken: string];

const say = (text: string, locale?: SpeechLocale) => normalizeForSpeech(text, locale ? { locale } : {});
const reads = (cases: Case[], locale?: SpeechLocale) =>
  it.each(cases)('%j → %j', (written, spoken) => {
    expect(say(written, locale)).toBe(spoken);
  });

describe('normalizeForSpeech', () => {
  describe('prices are said with their currency, cents after "and"', () => {
    reads([
      ['$1,299.99', 'one thousand two hundred ninety-nine dollars and ninety-nine cents'],
      ['$40', 'forty dollars'],
      ['$1', 'one dollar'],
      ['$0.99', 'ninety-nine cents'],
      ['$12.5', 'twelve dollars and fifty cents'],
      ['$149.00', 'one hundred forty-nine dollars'],
      ['99¢', 'ninety-nine cents'],
      ['£5', 'five pounds'],
      ['£3.50', 'three pounds and fifty pence'],
      ['€3.50', 'three euros and fifty cents'],
      ['€1', 'one euro'],
      ['$2k', 'two thousand dollars'],
      ['$1.5M', 'one point five million dollars'],
    ]);
  });

  describe('a price "per" something', () => {
    reads([
      ['$5/mo', 'five dollars per month'],
      ['$25/hr', 'twenty-five dollars per hour'],
      ['$25 per hr', 'twenty-five dollars per hour'],
      ['$30 per hour', 'thirty dollars per hour'],
      ['$2/sq ft', 'two dollars per square foot'],
    ]);
  });

  describe('ranges say "to", and a whole-number price range names the currency once', () => {
    reads([
      ['$40–$60', 'forty to sixty dollars'],
      ['$40-60', 'forty to sixty dollars'],
      ['$40 - $60', 'forty to sixty dollars'],
      ['$40 to $60', 'forty to sixty dollars'],
      ['$40–$60/hr', 'forty to sixty dollars per hour'],
      ['$1-2M', 'one to two million dollars'],
      ['$9.99-$19.99', 'nine dollars and ninety-nine cents to nineteen dollars and ninety-nine cents'],
      ['9-5', 'nine to five'],
      ['10–15', 'ten to fifteen'],
      ['2-3 days', 'two to three days'],
      ['10-15%', 'ten to fifteen percent'],
      ['2024-2025', 'twenty twenty-four to twenty twenty-five'],
      ['Mon–Fri', 'Monday to Friday'],
      ['Mon-Sat', 'Monday to Saturday'],
      ['Monday-Friday', 'Monday to Friday'],
      ['Mon thru Fri', 'Monday through Friday'],
      ['Jan–Mar', 'January to March'],
    ]);
  });

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

  describe('phone numbers: digit by digit, a comma (pause) between groups, 0 as "zero" in the US', () => {
    reads([
      ['(555) 123-4567', 'five five five, one two three, four five six seven'],
      ['555-123-4567', 'five five five, one two three, four five six seven'],
      ['555.123.4567', 'five five five, one two three, four five six seven'],
      ['555 123 4567', 'five five five, one two three, four five six seven'],
      ['+1 555-123-4567', 'plus one, five five five, one two three, four five six seven'],
      ['+1 (555) 123-4567', 'plus one, five five five, one two three, four five six seven'],
      ['+15551234567', 'plus one, five five five, one two three, four five six seven'],
      ['1-800-555-0199', 'one, eight hundred, five five five, zero one nine nine'],
      ['(555) 123-4567 ext. 12', 'five five five, one two three, four five six seven, extension one two'],
      ['555-123-4567 x204', 'five five five, one two three, four five six seven, extension two zero four'],
      ['ext. 12', 'extension one two'],
      ['call 555-1234 today', 'call five five five, one two three four today'],
      ['Call 911', 'Call nine one one'],
      ['Text HELP to 55555', 'Text HELP to five five five five five'],
      ['020 7946 0958', 'zero two zero, seven nine four six, zero nine five eight'],
      ['+33 1 23 45 67 89', 'plus three three, one, two three, four five, six seven, eight nine'],
    ]);
  });

  describe('UK phone numbers (en-GB): 0 is "oh"', () => {
    reads(
      [
        ['020 7946 0958', 'oh two oh, seven nine four six, oh nine five eight'],
        ['+44 20 7946 0958', 'plus four four, two oh, seven nine four six, oh nine five eight'],
        ['+44 (0)20 7946 0958', 'plus four four, two oh, seven nine four six, oh nine five eight'],
        ['07700 900123', 'oh seven seven oh oh, nine oh oh, one two three'],
        ['+447700900123', 'plus four four, seven seven oh oh, nine oh oh, one two three'],
        ['Call us on 0800 123 4567.', 'Call us on oh eight oh oh, one two three, four five six seven.'],
      ],
      'en-GB',
    );
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

  describe('ordinals, percentages, plain numbers and decimals', () => {
    reads([
      ['1st', 'first'],
      ['2nd', 'second'],
      ['3rd', 'third'],
      ['11th', 'eleventh'],
      ['22nd', 'twenty-second'],
      ['101st', 'one hundred first'],
      ['15%', 'fifteen percent'],
      ['2.5%', 'two point five percent'],
      ['1,200', 'one thousand two hundred'],
      ['1,000,000', 'one million'],
      ['3.5', 'three point five'],
      ['0.75', 'zero point seven five'],
      ['42', 'forty-two'],
      ['0', 'zero'],
      ['-5', 'minus five'],
      ['We have 2 locations.', 'We have two locations.'],
      ['50+ years', 'fifty plus years'],
      ['72°F', 'seventy-two degrees Fahrenheit'],
      ['10x12 room', 'ten by twelve room'],
      ['3x a week', 'three times a week'],
      ['50k followers', 'fifty thousand followers'],
      ['007', 'zero zero seven'], // a code, not a quantity
      ['Order 12345678', 'Order one two three four five six seven eight'], // an ID
    ]);
  });

  describe('years are read in pairs; a count is not a year', () => {
    reads([
      ['in 1998', 'in nineteen ninety-eight'],
      ['since 2026', 'since twenty twenty-six'],
      ['2026', 'twenty twenty-six'],
      ['1905', 'nineteen oh five'],
      ['2000', 'two thousand'],
      ['2008', 'two thousand eight'],
      ['the 1990s', 'the nineteen nineties'],
      ["the '80s", 'the eighties'],
      ['over 1500 clients', 'over one thousand five hundred clients'],
    ]);
  });

  describe('"#5" and "No. 5"', () => {
    reads([
      ['#5', 'number five'],
      ['No. 5', 'number five'],
      ['no. 12', 'number twelve'],
      ['Lic. #12345', 'Lic. number one two three four five'],
    ]);
  });

  describe('units after a number', () => {
    reads([
      ['1500 sq ft', 'one thousand five hundred square feet'],
      ['1,200 sq. ft.', 'one thousand two hundred square feet.'],
      ['a 1500 sq ft home', 'a one thousand five hundred square foot home'],
      ['1 lb', 'one pound'],
      ['5 lbs', 'five pounds'],
      ['3 mi', 'three miles'],
      ['1 hr', 'one hour'],
      ['2 hrs', 'two hours'],
      ['30 min', 'thirty minutes'],
      ['a 30 min consultation', 'a thirty minute consultation'],
      ['45 mins', 'forty-five minutes'],
      ['10 kg', 'ten kilograms'],
    ]);
  });

  describe('street abbreviations; "St." and "Dr." by context', () => {
    reads([
      ['123 Main St.', 'one twenty-three Main Street.'],
      ['on 5th St. near the park', 'on fifth Street near the park'],
      ['Oak St and Elm Ave', 'Oak Street and Elm Avenue'],
      ['St. Mary’s Hospital', 'Saint Mary’s Hospital'],
      ['Visit St. Louis.', 'Visit Saint Louis.'],
      ['Dr. Smith', 'Doctor Smith'],
      ['Call Dr. Lee at 45 Ocean Dr.', 'Call Doctor Lee at forty-five Ocean Drive.'],
      ['Ocean Dr. is closed', 'Ocean Drive is closed'],
      ['5th Ave.', 'fifth Avenue.'],
      ['Sunset Blvd', 'Sunset Boulevard'],
      ['Mill Rd.', 'Mill Road.'],
      ['Ste. 4', 'Suite four'],
      ['Suite 105', 'Suite one oh five'],
      ['Apt 4B', 'Apartment 4B'],
      ['1116 W 5th Ave', 'eleven sixteen West fifth Avenue'],
      ['221B Baker St', 'two twenty-one B Baker Street'],
      ['Springfield, IL 62704', 'Springfield, Illinois six two seven zero four'],
    ]);
  });

  describe('other abbreviations and symbols', () => {
    reads([
      ['approx. 20 minutes', 'approximately twenty minutes'],
      ['e.g. cleanings', 'for example cleanings'],
      ['E.g., this', 'For example, this'],
      ['i.e. today', 'that is today'],
      ['crowns, fillings, etc.', 'crowns, fillings, et cetera.'],
      ['fillings, etc. We also', 'fillings, et cetera. We also'],
      ['Smith & Sons', 'Smith and Sons'],
      ['cleaning w/ X-rays', 'cleaning with X-rays'],
      ['w/o insurance', 'without insurance'],
      ['cut/color', 'cut or color'],
      ['N/A', 'not applicable'],
      ['John Smith Jr. is here', 'John Smith Junior is here'],
    ]);
  });

  describe('web addresses: no scheme or "www", punctuation said', () => {
    reads([
      ['https://www.joes-plumbing.com/contact', 'joes dash plumbing dot com slash contact'],
      ['http://acme.com/', 'acme dot com'],
      ['www.acme.co.uk/about-us?ref=1#top.', 'acme dot co dot uk slash about dash us.'],
      ['joes-plumbing.com', 'joes dash plumbing dot com'],
      ['Visit Acme.com today.', 'Visit acme dot com today.'],
      ['book.acme.com/new_patient', 'book dot acme dot com slash new underscore patient'],
    ]);
  });

  describe('email addresses', () => {
    reads([
      ['info@acme.co', 'info at acme dot co'],
      ['Email info@acme.co.', 'Email info at acme dot co.'],
      ['john.smith+appt@my-clinic.org', 'john dot smith plus appt at my dash clinic dot org'],
      ['mailto:help@acme.com', 'help at acme dot com'],
    ]);
  });

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
