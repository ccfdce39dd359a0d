import { describe, expect, it } from 'vitest';
import { sentences, speakable, spokenAddress, spokenEmail, spokenPhone } from './spoken.js';

describe('spoken forms for text-to-speech', () => {
  it('reads phone numbers digit by digit in their groups', () => {
    expect(spokenPhone('(317) 585-8468')).toBe('3 1 7, 5 8 5, 8 4 6 8');
    expect(spokenPhone('3175858468')).toBe('3 1 7, 5 8 5, 8 4 6 8');
    expect(spokenPhone('+1 (555) 000-0000')).toBe('plus 1, 5 5 5, 0 0 0, 0 0 0 0');
    expect(spokenPhone('+911234567890')).toBe('plus 9 1, 1 2 3, 4 5 6, 7 8 9 0');
  });

  it('reads emails, street numbers and ZIP codes the way people say them', () => {
    expect(spokenEmail('dr.chen@wisdombites.com')).toBe('dr dot chen at wisdombites dot com');
    expect(spokenAddress('1116 Orchard Street, Golden Valley, Minnesota')).toBe('11 16 Orchard Street, Golden Valley, Minnesota');
    expect(spokenAddress('123 Dental Avenue, Smile City, SC 12345')).toBe('1 23 Dental Avenue, Smile City, SC 1 2 3 4 5');
    expect(spokenAddress('1205 Main St')).toBe('1205 Main St');
  });

  it('makes site text speakable', () => {
    expect(speakable('Call us at (555) 123-4567 or email info@x.com.')).toBe('Call us at 5 5 5, 1 2 3, 4 5 6 7 or email info at x dot com.');
    expect(speakable('A $50 cancellation fee; cleanings $99.50; $1 coffee.')).toBe('A 50 dollars cancellation fee; cleanings 99 dollars and 50 cents; 1 dollar coffee.');
    expect(speakable('Repairs $100-$250.')).toBe('Repairs 100 to 250 dollars.');
    expect(speakable('Faucets & traps — call/text 24/7')).toBe('Faucets and traps, call or text 24 7');
  });

  it('splits sentences but not after titles', () => {
    expect(sentences('Dr. Chen is here. She works Mondays! Ask us.')).toEqual(['Dr. Chen is here.', 'She works Mondays!', 'Ask us.']);
  });
});
