import { describe, expect, it } from 'vitest';
import { FRAME_BYTES, type MediaChannel } from './media-channel.js';
import { Playback } from './playback.js';

/** A far end that records what it was sent; marks are echoed by the test, as Twilio would. */
function farEnd() {
  const sent: ({ audio: number } | { mark: string } | { clear: true })[] = [];
  const channel: MediaChannel = {
    sendAudio: () => sent.push({ audio: sent.length }),
    sendMark: (name) => sent.push({ mark: name }),
    sendClear: () => sent.push({ clear: true }),
  };
  return { sent, channel, marks: () => sent.flatMap((m) => ('mark' in m ? [m.mark] : [])), frames: () => sent.filter((m) => 'audio' in m).length };
}

const frames = (n: number) => Array.from({ length: n }, () => new Uint8Array(FRAME_BYTES).fill(0xff));

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error('timed out');
}

/** "One moment." (its mark echoed: heard), then the answer, all sent and played but not yet confirmed. */
async function holdOnThenAnswer(asideHoldOn: boolean) {
  const far = farEnd();
  const playback = new Playback(far.channel);
  const holdOn = playback.open('One moment.', { aside: asideHoldOn });
  playback.append(holdOn, frames(3));
  playback.finish(holdOn);
  const answer = playback.open('We offer cleanings and fillings.');
  playback.append(answer, frames(10));
  playback.finish(answer);
  await until(() => far.marks().length === 2);
  await new Promise((r) => setTimeout(r, 100)); // past the 80 ms lead: every frame has played
  playback.onMark(far.marks()[0]!);
  return playback;
}

describe('playback', () => {
  it('leaves an aside ("One moment.") out of the heard text of the answer it was queued beside', async () => {
    const playback = await holdOnThenAnswer(true);
    const { heardText, interrupted } = playback.stop();
    expect(interrupted).toBe(true);
    expect(heardText).toBe('We offer cleanings and fillings.…');
  });

  it('counts ordinary segments that were heard as part of the answer', async () => {
    const playback = await holdOnThenAnswer(false);
    expect(playback.stop().heardText).toBe('One moment. We offer cleanings and fillings.…');
  });

  it('keeps only the words of a cut sentence that had been played, and clears the far end', async () => {
    const far = farEnd();
    const playback = new Playback(far.channel);
    const words = 'one two three four five six seven eight nine ten'.split(' ');
    const answer = playback.open(words.join(' '));
    playback.append(answer, frames(100)); // 2 s of speech
    await until(() => far.frames() >= 40); // the first words sent (and at most 80 ms of them unplayed)
    const { heardText, interrupted } = playback.stop();
    expect(interrupted).toBe(true);
    expect(far.sent.at(-1)).toEqual({ clear: true });
    const heard = heardText.replace(/…$/, '').split(' ');
    expect(heard.length).toBeGreaterThanOrEqual(1);
    expect(heard.length).toBeLessThan(words.length);
    expect(heard).toEqual(words.slice(0, heard.length));
  });
});
