import { describe } from 'vitest';
import { reads } from './speech-cases.js';

describe('normalizeForSpeech: phone numbers, addresses, web and email', () => {
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
});
