import { describe, expect, it } from 'vitest';
import { SpeakableSplitter, speakableChunks, toSpeech } from './speakable-chunks.js';

/** Splits `text` fed one character at a time (the worst case for look-ahead), then all at once. */
function split(text: string): string[] {
  const bySlice = (size: number) => {
    const splitter = new SpeakableSplitter();
    const out: string[] = [];
    for (let i = 0; i < text.length; i += size) out.push(...splitter.push(text.slice(i, i + size)));
    out.push(...splitter.end());
    return out;
  };
  const oneByOne = bySlice(1);
  // The result must not depend on how the model happened to chunk its tokens.
  expect(bySlice(text.length || 1)).toEqual(oneByOne);
  expect(bySlice(7)).toEqual(oneByOne);
  return oneByOne;
}

describe('speakable chunks', () => {
  it('splits on sentence ends, keeping quotes and brackets with their sentence', () => {
    expect(split('Sure! What time works? I said "Tuesday." (Or Wednesday.) Thanks')).toEqual([
      'Sure!',
      'What time works?',
      'I said "Tuesday."',
      '(Or Wednesday.)',
      'Thanks',
    ]);
  });

  it('does not split on titles, initials and e.g./i.e.', () => {
    expect(split('Dr. Smith and Mrs. Jones see patients. Ask for John F. Kennedy, e.g. at the desk, i.e. the front. Done.')).toEqual([
      'Dr. Smith and Mrs. Jones see patients.',
      'Ask for John F. Kennedy, e.g. at the desk, i.e. the front.',
      'Done.',
    ]);
  });

  it('tells St. the saint from St. the street by the house number', () => {
    expect(split('We moved from St. Louis to 123 Main St. Parking is free.')).toEqual(['We moved from St. Louis to 123 Main St.', 'Parking is free.']);
  });

  it('keeps a.m./p.m. and U.S. inside a sentence, but ends one on them before a capital', () => {
    expect(split('We open at 9 a.m. and close at 5 p.m. See you then. We ship across the U.S. and Canada.')).toEqual([
      'We open at 9 a.m. and close at 5 p.m.',
      'See you then.',
      'We ship across the U.S. and Canada.',
    ]);
    expect(split('Hours are 9 a.m. to 5 p.m., Monday to Friday.')).toEqual(['Hours are 9 a.m. to 5 p.m.,', 'Monday to Friday.']);
  });

  it('does not split decimals, prices, times, thousands, URLs or emails', () => {
    expect(split('A latte is $4.50 and rated 3.5 stars. Come at 9:30. We served 1,000 people. See acme.com/menu?x=1 or mail info@acme.co.uk. Bye.')).toEqual([
      'A latte is $4.50 and rated 3.5 stars.',
      'Come at 9:30.',
      'We served 1,000 people.',
      'See acme.com/menu?x=1 or mail info@acme.co.uk.',
      'Bye.',
    ]);
    expect(split('Book at https://acme.com/book. It takes a minute.')).toEqual(['Book at acme.com/book.', 'It takes a minute.']);
  });

  it('treats an ellipsis before lowercase as a pause, before a capital as an end', () => {
    expect(split('Well... let me check. Hmm… Yes, we have it.')).toEqual(['Well... let me check.', 'Hmm…', 'Yes, we have it.']);
  });

  it('keeps "No. 5" and "ext. 204" whole but ends "the answer is no."', () => {
    expect(split('Call ext. 204 for room No. 5 please. The answer is no. Sorry.')).toEqual([
      'Call ext. 204 for room No. 5 please.',
      'The answer is no.',
      'Sorry.',
    ]);
  });

  it('strips markdown: bold, italics, code, headings, bullets, numbered lists, links', () => {
    const text = '## Opening hours\n\n**Monday** to _Friday_: 9 to 5.\n- Call `555-0100`\n- Or [book online](https://acme.com/book)\n1. Bring ID.\n2. Arrive early.\n---\nThat is all.';
    expect(split(text)).toEqual(['Opening hours', 'Monday to Friday: 9 to 5.', 'Call 555-0100', 'Or book online', 'Bring ID.', 'Arrive early.', 'That is all.']);
  });

  it('does not cut inside a markdown link, and leaves snake_case alone', () => {
    // "Please visit [our lovely new page," would be a long enough first chunk, were it not inside a link.
    expect(split('Please visit [our lovely new page, with the menu. And prices](https://x.com/a) today, my_friend. Bye.')).toEqual([
      'Please visit our lovely new page, with the menu. And prices today,',
      'my_friend.',
      'Bye.',
    ]);
    expect(toSpeech('__bold__ and *it* and ![logo](x.png)', true)).toBe('bold and it and logo');
  });

  it('lets the first chunk end early at a comma once it is long enough', () => {
    expect(split('Thanks for calling Acme Dental today, how can I help you?')).toEqual(['Thanks for calling Acme Dental today,', 'how can I help you?']);
    // Too short to stand alone: wait for the sentence.
    expect(split('Sure, I can help with that.')).toEqual(['Sure, I can help with that.']);
  });

  it('splits a long clause at a comma or dash past ~80 characters, and an unpunctuated one at a space', () => {
    expect(split('Hello there. We have three locations downtown and one near the airport, the one on the east side is newest — it has parking; we are open every day')).toEqual([
      'Hello there.',
      'We have three locations downtown and one near the airport, the one on the east side is newest —',
      'it has parking; we are open every day',
    ]);

    const words = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
    const pieces = split(words);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join(' ')).toBe(words);
  });

  it('yields the first clause before the stream ends', async () => {
    let finished = false;
    async function* slowModel() {
      for (const piece of ['Our ', 'hours ', 'are ', 'nine ', 'to ', 'five. ', 'On ', 'Saturdays ']) {
        await new Promise((r) => setTimeout(r, 5));
        yield piece;
      }
      await new Promise((r) => setTimeout(r, 100));
      yield 'we close at noon.';
      finished = true;
    }
    const seen: { chunk: string; finished: boolean }[] = [];
    for await (const chunk of speakableChunks(slowModel())) seen.push({ chunk, finished });
    expect(seen).toEqual([
      { chunk: 'Our hours are nine to five.', finished: false },
      { chunk: 'On Saturdays we close at noon.', finished: true },
    ]);
  });
});
