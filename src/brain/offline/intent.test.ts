import { describe, expect, it } from 'vitest';
import { classify, contentTerms, daysAsked, normalise } from './intent.js';

/** Utterances as speech-to-text hands them over: lower case, no punctuation, with disfluencies. */
const kind = (text: string) => classify(text).kind;

describe('normalise', () => {
  it('drops fillers, punctuation and apostrophes', () => {
    expect(normalise("Um, so yeah... what's your, uh, address?")).toBe('whats your address');
    expect(normalise('uhm okay so are you open')).toBe('are you open');
    expect(normalise('   ')).toBe('');
  });

  it('keeps only content words as terms', () => {
    expect(contentTerms(normalise('um do you guys do teeth whitening'))).toEqual(['teeth', 'whitening']);
    expect(contentTerms(normalise('how much is a service call'))).toEqual(['service', 'call']);
  });
});

describe('conversation moves', () => {
  it.each([
    ['hi', 'greeting'],
    ['hello is this the dental clinic', 'greeting'],
    ['good morning', 'greeting'],
    ['thanks', 'thanks'],
    ['thank you so much', 'thanks'],
    ['okay bye', 'goodbye'],
    ['no thats all thank you', 'goodbye'],
    ['have a good day', 'goodbye'],
    ['can i talk to a human', 'human'],
    ['uh can i speak to someone please', 'human'],
    ['i want to talk to a real person', 'human'],
    ['representative', 'human'],
    ['connect me with the receptionist', 'human'],
    ['is the manager there', 'human'],
    ['can i leave a message', 'message'],
    ['have someone call me back', 'message'],
    ['yes', 'yes'],
    ['yeah sure', 'yes'],
    ['yes please', 'yes'],
    ['no', 'no'],
    ['no thanks', 'no'],
    ['nope', 'no'],
    ['say that again', 'repeat'],
    ['sorry i didnt catch that', 'repeat'],
    ['can you repeat that', 'repeat'],
    ['what', 'repeat'],
    ['um uh', 'unclear'],
    ['', 'unclear'],
  ])('%j → %s', (text, expected) => expect(kind(text)).toBe(expected));
});

describe('questions', () => {
  it.each([
    ['what are your hours', 'hours'],
    ['what time do you open on saturday', 'hours'],
    ['are you open on sunday', 'hours'],
    ['how late are you open tonight', 'hours'],
    ['when do you close', 'hours'],
    ['are you open on the weekend', 'hours'],
    ['what about saturday', 'hours'],
    ['whats your phone number', 'phone'],
    ['what number can i call you on', 'phone'],
    ['whats your email address', 'email'],
    ['where are you located', 'address'],
    ['whats the address', 'address'],
    ['how do i get there', 'address'],
    ['is there parking', 'address'],
    ['how long have you been around', 'founded'],
    ['when were you founded', 'founded'],
    ['when did you first open', 'founded'],
    ['how much is a service call', 'prices'],
    ['how much does a cleaning cost', 'prices'],
    ['what are your prices', 'prices'],
    ['what services do you offer', 'services'],
    ['what do you do', 'services'],
    ['do you do teeth whitening', 'services'],
    ['can you fix a water heater', 'services'],
    ['do you sell pizza', 'services'],
    ['i need to book an appointment', 'booking'],
    ['do you take walk ins', 'booking'],
    ['can you see me today', 'booking'],
    ['do you take my insurance', 'payment'],
    ['do you accept credit cards', 'payment'],
    ['do you offer payment plans', 'payment'],
    ['whats your cancellation policy', 'policies'],
    ['can i get a refund', 'policies'],
    ['do you offer a warranty', 'policies'],
    ['my pipe burst and theres water everywhere', 'emergency'],
    ['i have a really bad toothache', 'emergency'],
    ['what should i do in a dental emergency', 'emergency'],
    ['what areas do you serve', 'area'],
    ['do you come out to springfield', 'area'],
    ['whats your wifi password', 'question'],
    ['how often should i get a checkup', 'question'],
    ['are you licensed and insured', 'question'],
    ['hi um what time do you open', 'hours'],
    ['thanks and where are you located', 'address'],
  ])('%j → %s', (text, expected) => expect(kind(text)).toBe(expected));

  it('an emergency wins over a price or a booking in the same breath', () => {
    expect(kind('how much for an emergency visit my pipe burst')).toBe('emergency');
    expect(kind('i need an appointment today im in severe pain')).toBe('emergency');
  });

  it('extracts the item asked about', () => {
    expect(classify('um how much is a service call').item).toBe('service call');
    expect(classify('how much does teeth whitening cost').item).toBe('teeth whitening');
    expect(classify('do you guys do teeth whitening').item).toBe('teeth whitening');
    expect(classify('can you fix a water heater').item).toBe('water heater');
    expect(classify('what are your prices').item).toBeUndefined();
  });

  it('extracts the day asked about', () => {
    expect(classify('are you open on sunday')).toMatchObject({ kind: 'hours', days: [6] });
    expect(classify('what time do you open on saturdays')).toMatchObject({ days: [5] });
    expect(classify('are you open on the weekend')).toMatchObject({ days: [5, 6] });
    expect(classify('are you open today')).toMatchObject({ when: 'today' });
    expect(classify('are you open right now')).toMatchObject({ when: 'today' });
    expect(classify('what time do you close tomorrow')).toMatchObject({ when: 'tomorrow' });
    expect(classify('are you open on thanksgiving')).toMatchObject({ kind: 'hours', holiday: 'thanksgiving' });
    expect(daysAsked('monday and friday')).toEqual({ days: [0, 4] });
    expect(classify('what are your hours').days).toBeUndefined();
  });

  it('tells parking and directions from the street address', () => {
    expect(classify('is there parking').aspect).toBe('parking');
    expect(classify('can i get directions').aspect).toBe('directions');
    expect(classify('where are you located').aspect).toBe('address');
  });

  it('is deterministic', () => {
    const text = 'um so yeah do you do emergency calls on sunday';
    expect(classify(text)).toEqual(classify(text));
  });
});
