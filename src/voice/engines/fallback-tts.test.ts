import { describe, expect, it } from 'vitest';
import { createLogger } from '../../observability/logger.js';
import type { PcmAudio } from '../audio/wav.js';
import { FallbackTextToSpeech, ttsLink } from './fallback-tts.js';
import type { SynthesizeOptions, TextToSpeech } from './text-to-speech.js';

const log = createLogger('silent');
const chunk = (n: number): PcmAudio => ({ samples: new Int16Array(n).fill(1000), sampleRate: 8000 });

/** Engines that misbehave on purpose, the way a broken model or a dead provider does. */
function engine(name: string, behaviour: 'ok' | 'throw' | 'hang' | 'stall' | 'ignore-abort'): TextToSpeech & { calls: number; aborted: number } {
  const e = {
    name,
    calls: 0,
    aborted: 0,
    async *synthesize(_text: string, { signal }: SynthesizeOptions): AsyncIterable<PcmAudio> {
      e.calls++;
      signal.addEventListener('abort', () => e.aborted++, { once: true });
      if (behaviour === 'throw') throw new Error(`${name} crashed`);
      if (behaviour === 'hang' || behaviour === 'ignore-abort') {
        await new Promise((resolve) => {
          if (behaviour === 'hang') signal.addEventListener('abort', resolve, { once: true });
        });
        return;
      }
      yield chunk(160);
      if (behaviour === 'stall') await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      else yield chunk(160);
    },
  };
  return e;
}

async function collect(tts: TextToSpeech, signal = new AbortController().signal, text = 'Hello there.'): Promise<{ samples: number; ms: number }> {
  const started = performance.now();
  let samples = 0;
  for await (const c of tts.synthesize(text, { signal })) samples += c.samples.length;
  return { samples, ms: performance.now() - started };
}

describe('a text-to-speech fallback chain', () => {
  it('speaks with the first engine when it works', async () => {
    const first = engine('first', 'ok');
    const last = engine('last', 'ok');
    const tts = new FallbackTextToSpeech([ttsLink(first), ttsLink(last)], { log });
    expect((await collect(tts)).samples).toBe(320);
    expect(last.calls).toBe(0);
  });

  it('hands the sentence to the next engine when one throws', async () => {
    const failed: string[] = [];
    const last = engine('last', 'ok');
    const tts = new FallbackTextToSpeech([ttsLink(engine('first', 'throw')), ttsLink(last)], { log, onFallback: (e) => failed.push(e) });
    expect((await collect(tts)).samples).toBe(320);
    expect(failed).toEqual(['first']);
  });

  it('gives up on an engine that has no audio by the deadline, even one that ignores aborts', async () => {
    for (const behaviour of ['hang', 'ignore-abort'] as const) {
      const hung = engine('hung', behaviour);
      const tts = new FallbackTextToSpeech([ttsLink(hung), ttsLink(engine('last', 'ok'))], { log, firstAudioTimeoutMs: 150 });
      const { samples, ms } = await collect(tts);
      expect(samples).toBe(320);
      expect(ms).toBeGreaterThanOrEqual(140);
      expect(ms).toBeLessThan(3000); // the hung engine never answers
      expect(hung.aborted).toBe(1);
    }
  });

  it('lets the next engine finish a sentence that stalled halfway', async () => {
    const tts = new FallbackTextToSpeech([ttsLink(engine('stalls', 'stall')), ttsLink(engine('last', 'ok'))], { log, stallTimeoutMs: 150 });
    // The stalled engine's first chunk was heard; the fallback then speaks the sentence whole.
    expect((await collect(tts)).samples).toBe(160 + 320);
  });

  it('skips an engine after repeated failures (its breaker opens) and one that is not available yet', async () => {
    const broken = engine('broken', 'throw');
    const loading = engine('loading', 'ok');
    const tts = new FallbackTextToSpeech([ttsLink(loading, () => false), ttsLink(broken), ttsLink(engine('last', 'ok'))], { log });
    for (let i = 0; i < 4; i++) await collect(tts);
    expect(loading.calls).toBe(0);
    expect(broken.calls).toBe(2);
  });

  it('stops quietly when the caller barges in, without trying another engine', async () => {
    const slow = engine('slow', 'hang');
    const last = engine('last', 'ok');
    const tts = new FallbackTextToSpeech([ttsLink(slow), ttsLink(last)], { log, firstAudioTimeoutMs: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('barge-in')), 50);
    const { samples, ms } = await collect(tts, controller.signal);
    expect(samples).toBe(0);
    expect(ms).toBeLessThan(2500); // the deadline is 5 s
    expect(last.calls).toBe(0);
  });

  it('waits longer for the last engine, which has nothing behind it', async () => {
    const slowLast: TextToSpeech = {
      name: 'slow-last',
      async *synthesize() {
        await new Promise((r) => setTimeout(r, 400));
        yield chunk(160);
      },
    };
    const tts = new FallbackTextToSpeech([ttsLink(engine('first', 'throw')), ttsLink(slowLast)], { log, firstAudioTimeoutMs: 100 });
    expect((await collect(tts)).samples).toBe(160);
  });

  it('hands every engine text normalised for speech', async () => {
    const heard: string[] = [];
    const listening: TextToSpeech = {
      name: 'listening',
      async *synthesize(text) {
        heard.push(text);
        yield chunk(160);
      },
    };
    await collect(new FallbackTextToSpeech([ttsLink(listening)], { log }), undefined, 'Cleanings from $89, call (555) 123-4567.');
    expect(heard[0]).toBe('Cleanings from eighty-nine dollars, call five five five, one two three, four five six seven.');
  });

  it('reports the last engine failing when every engine fails', async () => {
    const tts = new FallbackTextToSpeech([ttsLink(engine('a', 'throw')), ttsLink(engine('b', 'throw'))], { log });
    await expect(collect(tts)).rejects.toThrow(/b crashed/);
  });
});
