import { describe, expect, it } from 'vitest';
import { createLogger } from '../../observability/logger.js';
import type { PcmAudio } from '../audio/wav.js';
import { FallbackTextToSpeech, ttsLink } from '../engines/fallback-tts.js';
import type { SynthesizeOptions, TextToSpeech } from '../engines/text-to-speech.js';
import type { MediaChannel } from './media-channel.js';
import { PhraseCache } from './phrase-cache.js';
import { Playback } from './playback.js';
import { Speaker } from './speaker.js';

const log = createLogger('silent');
const channel: MediaChannel = { sendAudio: () => undefined, sendMark: () => undefined, sendClear: () => undefined };
const never = new AbortController().signal;

/** A voice that counts its work; `failures` of its next calls throw after their first chunk, as a dropped connection does. */
function voice(name: string) {
  const v = {
    name,
    calls: 0,
    failures: 0,
    async *synthesize(_text: string, _options: SynthesizeOptions): AsyncIterable<PcmAudio> {
      v.calls++;
      yield { samples: new Int16Array(320).fill(2000), sampleRate: 8000 };
      if (v.failures > 0) {
        v.failures--;
        throw new Error(`${name} dropped`);
      }
      yield { samples: new Int16Array(320).fill(2000), sampleRate: 8000 };
    },
  };
  return v;
}

function speakerWith(tts: TextToSpeech) {
  return new Speaker(tts, new Playback(channel), new PhraseCache(16), {});
}

describe('the speaker and its phrase cache', () => {
  it('replays a sentence from the cache once its voice has spoken it whole', async () => {
    const kokoro = voice('kokoro');
    const speaker = speakerWith(new FallbackTextToSpeech([ttsLink(kokoro), ttsLink(voice('espeak'))], { log }));
    await speaker.say('Thanks for calling.', never);
    await speaker.say('Thanks for calling.', never);
    expect(kokoro.calls).toBe(1);
  });

  it('does not keep a sentence that a fallback voice finished: the next caller hears the chosen voice again', async () => {
    const kokoro = voice('kokoro');
    const espeak = voice('espeak');
    const speaker = speakerWith(new FallbackTextToSpeech([ttsLink(kokoro), ttsLink(espeak)], { log }));
    kokoro.failures = 1;
    await speaker.say('Thanks for calling.', never); // kokoro drops mid-sentence; espeak says it
    expect(espeak.calls).toBe(1);
    await speaker.say('Thanks for calling.', never);
    expect(kokoro.calls).toBe(2); // asked again, not served half-kokoro, half-espeak from the cache
    await speaker.say('Thanks for calling.', never);
    expect(kokoro.calls).toBe(2); // and now cached
    expect(espeak.calls).toBe(1);
  });

  it('caches in the voice that speaks while the chosen one loads, and switches once it is ready', async () => {
    const kokoro = voice('kokoro');
    const espeak = voice('espeak');
    let loaded = false;
    const tts = new FallbackTextToSpeech([ttsLink(kokoro, () => loaded), ttsLink(espeak)], { log });
    const speaker = speakerWith(tts);
    expect(tts.voiceNow()).toBe('espeak');
    await speaker.say('One moment.', never);
    await speaker.say('One moment.', never);
    expect(espeak.calls).toBe(1); // cached, in espeak's voice
    loaded = true;
    expect(tts.voiceNow()).toBe('kokoro');
    await speaker.say('One moment.', never);
    expect(kokoro.calls).toBe(1); // not the espeak recording
  });

  it('does not keep a sentence cut off by an engine error', async () => {
    const only = voice('only');
    const speaker = speakerWith(only);
    only.failures = 1;
    await expect(speaker.say('Goodbye.', never)).rejects.toThrow(/dropped/);
    await speaker.say('Goodbye.', never);
    expect(only.calls).toBe(2);
  });
});
