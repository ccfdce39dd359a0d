import { describe } from 'vitest';
import { reads } from './speech-cases.js';

describe('normalizeForSpeech: money and numbers', () => {
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
});
