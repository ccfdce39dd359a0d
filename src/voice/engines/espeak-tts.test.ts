import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PcmAudio } from '../audio/wav.js';
import { EspeakTts, espeakVoice, splitSentences } from './espeak-tts.js';

const tts = new EspeakTts();
beforeAll(() => tts.warmUp(), 60_000);
afterAll(() => tts.close());

const never = () => new AbortController().signal;
const seconds = (a: PcmAudio) => a.samples.length / a.sampleRate;
function rms(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / Math.max(1, samples.length));
}
async function collect(text: string, options: { signal?: AbortSignal; voice?: string } = {}, engine = tts) {
  const chunks: PcmAudio[] = [];
  for await (const chunk of engine.synthesize(text, { signal: options.signal ?? never(), voice: options.voice })) chunks.push(chunk);
  return chunks;
}

describe('EspeakTts', () => {
  it('speaks a short sentence as audible 22.05 kHz PCM of plausible length', async () => {
    const chunks = await collect('Thanks for calling, how can I help you today?');
    expect(chunks).toHaveLength(1);
    const [audio] = chunks as [PcmAudio];
    expect(audio.sampleRate).toBe(22_050);
    expect(seconds(audio)).toBeGreaterThan(1);
    expect(seconds(audio)).toBeLessThan(4);
    expect(rms(audio.samples)).toBeGreaterThan(500);
  });

  it('yields sentence by sentence, the first before the second is made', async () => {
    const first = 'We are open from nine to five.';
    const [alone] = await collect(first);
    const arrivals: number[] = [];
    const chunks: PcmAudio[] = [];
    for await (const chunk of tts.synthesize(`${first} On Saturdays we open at ten in the morning.`, { signal: never() })) {
      arrivals.push(performance.now());
      chunks.push(chunk);
    }
    expect(chunks).toHaveLength(2);
    // The first chunk is the first sentence alone, not the start of a whole-text render.
    expect(chunks[0]!.samples.length).toBe(alone!.samples.length);
    // The second sentence was still being made when the first was handed over.
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThan(5);
  });

  it('yields nothing and does not throw when aborted before it starts', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await collect('This should never be spoken. Nor this.', { signal: controller.signal })).toEqual([]);
  });

  it('stops after the current sentence when aborted midway, without throwing', async () => {
    const controller = new AbortController();
    const chunks: PcmAudio[] = [];
    const text = 'One sentence here. Two sentences here. Three sentences here. Four sentences here.';
    for await (const chunk of tts.synthesize(text, { signal: controller.signal })) {
      chunks.push(chunk);
      controller.abort();
    }
    expect(chunks).toHaveLength(1);
  });

  it('ends promptly when aborted while a sentence is being made, and keeps working after', async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 1);
    const chunks = await collect('A long first sentence that takes espeak a little while to render, with several clauses in it.', {
      signal: controller.signal,
    });
    expect(chunks).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await collect('Still here.')).toHaveLength(1);
  });

  it('drops queued sentences when the consumer stops iterating', async () => {
    for await (const chunk of tts.synthesize('First. Second. Third. Fourth.', { signal: never() })) {
      expect(chunk.samples.length).toBeGreaterThan(0);
      break;
    }
    expect(await collect('And the engine is free again.')).toHaveLength(1);
  });

  it.each(['-v', '--help', '-w /tmp/pwned.wav hello', '-f /etc/passwd', `"Quoted" 'single' \`rm -rf\` $HOME; echo`, 'Café naïve — 🙂 résumé'])(
    'speaks %j as text, never as command-line flags',
    async (text) => {
      const chunks = await collect(text);
      expect(chunks.length).toBeGreaterThan(0);
      expect(rms(chunks[0]!.samples)).toBeGreaterThan(300);
    },
  );

  it.each(['', '   ', '...', '— —', '\u0000\u0007'])('skips %j, which has nothing to say', async (text) => {
    expect(await collect(text)).toEqual([]);
  });

  it('applies the voice and the speaking rate', async () => {
    const text = 'Can I schedule an appointment for tomorrow afternoon?';
    const [us] = await collect(text, { voice: 'en-US' });
    const [gb] = await collect(text, { voice: 'en-gb' });
    const [unknown] = await collect(text, { voice: 'no-such-voice' });
    expect(us!.samples.length).not.toBe(gb!.samples.length);
    expect(unknown!.samples.length).toBe(us!.samples.length);
    const fast = new EspeakTts({ wordsPerMinute: 300 });
    try {
      const [quick] = await collect(text, {}, fast);
      expect(seconds(quick!)).toBeLessThan(seconds(us!) * 0.8);
    } finally {
      await fast.close();
    }
  });
});

describe('EspeakTts when espeak hangs', () => {
  it('kills a sentence that overruns its time, with an error, and starts a fresh worker for the next', async () => {
    const slow = new EspeakTts({ sentenceTimeoutMs: 1 });
    try {
      await expect(collect('Nobody will hear this.', {}, slow)).rejects.toThrow(/took over 1 ms/);
      await expect(collect('Nor this.', {}, slow)).rejects.toThrow(/took over 1 ms/);
      await slow.warmUp(); // a generous limit: the replacement worker speaks
    } finally {
      await slow.close();
    }
  });

  it('ends a synthesis in flight, without throwing, when closed', async () => {
    const closing = new EspeakTts();
    const pending = collect('Closing while this sentence is made. And this one.', {}, closing);
    await new Promise((r) => setTimeout(r, 20));
    await closing.close();
    expect((await pending).length).toBeLessThanOrEqual(1);
  });
});

describe('espeakVoice', () => {
  it.each([
    [undefined, 'en-us'],
    ['en-US', 'en-us'],
    ['en_GB', 'en-gb'],
    ['espeak:en-gb-x-rp', 'en-gb-x-rp'],
    ['fr', 'fr'],
    ['fr-CA', 'fr'],
    ['en-AU', 'en-us'],
    ['af_heart', 'en-us'],
    ['bm_george', 'en-gb'],
    ['21m00Tcm4TlvDq8ikWAM', 'en-us'],
    ['../../etc', 'en-us'],
  ])('%s → %s', (id, voice) => {
    expect(espeakVoice(id)).toBe(voice);
  });
});

describe('splitSentences', () => {
  it('splits on sentence ends and lines, not after common abbreviations', () => {
    expect(splitSentences('Dr. Smith is in today. Call 555-1234!  Really? Yes…\n"Quoted." It costs $3.50.')).toEqual([
      'Dr. Smith is in today.',
      'Call 555-1234!',
      'Really?',
      'Yes…',
      '"Quoted."',
      'It costs $3.50.',
    ]);
  });

  it('breaks a run-on sentence at clause boundaries', () => {
    const parts = splitSentences(`${'word '.repeat(40)}, and ${'more '.repeat(60)}`, 240);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(240);
    expect(parts.join(' ').replace(/\s+/g, ' ')).toBe(`${'word '.repeat(40)}, and ${'more '.repeat(60)}`.replace(/\s+/g, ' ').trim());
  });
});
