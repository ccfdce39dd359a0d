import { describe, expect, it } from 'vitest';
import { addressValue, findUsAddresses } from './address.js';
import { addToWeek, hoursValue, parseHoursLine, parseSchemaOpeningHours, speakWeek, type Week } from './hours-parse.js';
import { emailValue, findPhones, phoneFromTelHref, phoneValue } from './phone-email.js';
import { speakPrice } from './prices.js';

/** The text-level parsers on their own: hours, phones, emails, addresses, prices. */

function week(...lines: string[]): Week {
  const w: Week = new Map();
  for (const line of lines) {
    const parsed = parseHoursLine(line) ?? parseSchemaOpeningHours(line);
    if (!parsed) throw new Error(`unparsed: ${line}`);
    addToWeek(w, parsed.days, parsed.ranges);
  }
  return w;
}

describe('hours lines', () => {
  it.each([
    ['Mon-Fri 8:00 AM - 6:00 PM', 'Monday to Friday 8 AM to 6 PM.'],
    ['Monday: Closed', 'Closed Monday.'],
    ['Monday - Friday: 9:00 AM - 6:00 PM', 'Monday to Friday 9 AM to 6 PM.'],
    ['Mon–Sun: 9:00 AM – 8:00 PM', 'Every day 9 AM to 8 PM.'],
    ['Sunday Closed', 'Closed Sunday.'],
    ['Sat 9am-2pm', 'Saturday 9 AM to 2 PM.'],
    ['Open daily 7am–8pm', 'Every day 7 AM to 8 PM.'],
    ['8am-6pm Monday to Friday', 'Monday to Friday 8 AM to 6 PM.'],
    ['Weekdays 8-6', 'Monday to Friday 8 AM to 6 PM.'],
    ['Tue & Thu: 9-12, 1-5', 'Tuesday 9 AM to noon and 1 PM to 5 PM; Thursday 9 AM to noon and 1 PM to 5 PM.'],
    ['Hours: Mon-Fri 9-5', 'Monday to Friday 9 AM to 5 PM.'],
    ['Fri-Sat 6pm-2am', 'Friday and Saturday 6 PM to 2 AM.'],
    ['Open 24/7', 'Every day open 24 hours.'],
    ['Mo-Fr 09:00-17:00', 'Monday to Friday 9 AM to 5 PM.'],
    ['Monday through Thursday 7:30 a.m. to 4:30 p.m.', 'Monday to Thursday 7:30 AM to 4:30 PM.'],
  ])('%s', (line, spoken) => {
    expect(speakWeek(week(line))).toBe(spoken);
  });

  it('rejects prose and bare days', () => {
    for (const line of ['We offer extended hours on Tuesdays and Thursdays until 7:00 PM', 'Saturday', 'Call us Monday', 'Founded 1998 - 2005']) {
      expect(parseHoursLine(line), line).toBeUndefined();
    }
  });

  it('gives the same value to a week with and without "Sunday: Closed"', () => {
    const a = week('Monday - Friday: 9:00 AM - 6:00 PM', 'Saturday: 10:00 AM - 3:00 PM', 'Sunday: Closed');
    const b = week('Mo-Fr 09:00-18:00', 'Sa 10:00-15:00');
    expect(hoursValue(a)).toBe(hoursValue(b));
    expect(hoursValue(a)).toBe('mon 09:00-18:00; tue 09:00-18:00; wed 09:00-18:00; thu 09:00-18:00; fri 09:00-18:00; sat 10:00-15:00; sun closed');
  });
});

describe('phones and emails', () => {
  it('normalises to digits, North American numbers without the country code', () => {
    expect(phoneValue('+1 (555) 123-4567')).toBe('5551234567');
    expect(phoneValue('555.123.4567')).toBe('5551234567');
    expect(phoneFromTelHref('tel:+911234567890')).toBe('911234567890');
    expect(findPhones('Call (555) 123-4567 or +44 20 7946 0958, order #1234567890, ZIP 12345-6789').map((p) => p.value)).toEqual(['5551234567', '442079460958']);
  });

  it('drops placeholder and file-name "emails"', () => {
    expect(emailValue('Hello@Example.com')).toBeUndefined();
    expect(emailValue('you@yourdomain.com')).toBeUndefined();
    expect(emailValue('logo@2x.png')).toBeUndefined();
    expect(emailValue('Info@WisdomBites.com')).toBe('info@wisdombites.com');
  });
});

describe('addresses and prices', () => {
  it('finds US addresses and compares them in one form', () => {
    const [m] = findUsAddresses('Visit 123 Dental Avenue\nSmile City, SC 12345 today');
    expect(m?.display).toBe('123 Dental Avenue, Smile City, SC 12345');
    expect(addressValue('123 Dental Avenue, Smile City, SC 12345')).toBe(addressValue('123 Dental Ave., Smile City, South Carolina 12345, USA'));
    expect(addressValue('123 Dental Avenue, Smile City, SC 12345')).not.toBe(addressValue('123 Dental Street, Smile City, SC 12345'));
    expect(findUsAddresses('From I-95: Take exit 23, then follow Main Street for 2 miles')).toEqual([]);
  });

  it('speaks prices', () => {
    expect(speakPrice('$5/hour')).toBe('$5 per hour');
    expect(speakPrice('$95 - $120')).toBe('$95 to $120');
    expect(speakPrice('$49+')).toBe('$49 and up');
  });
});
