import { MulawFramer } from '../audio/framer.js';
import type { TextToSpeech } from '../engines/text-to-speech.js';
import type { PhraseCache } from './phrase-cache.js';
import type { Playback } from './playback.js';

/**
 * Text → TTS → 8 kHz mu-law frames → playback, one segment per sentence, first frames queued as
 * soon as the engine yields them. Fixed phrases come from the cache after their first use.
 */
export class Speaker {
  constructor(
    private readonly tts: TextToSpeech,
    private readonly playback: Playback,
    private readonly cache: PhraseCache,
    private readonly voice: { voice?: string; speed?: number },
  ) {}

  /** Resolves when the sentence is fully queued (not played); `onFirstAudio` fires at its first frames. */
  async say(text: string, signal: AbortSignal, options: { cacheable?: boolean; onFirstAudio?: () => void } = {}): Promise<void> {
    if (signal.aborted || !text.trim()) return;
    const key = `${this.tts.name}|${this.voice.voice ?? ''}|${this.voice.speed ?? 1}|${text}`;
    const segment = this.playback.open(text);
    const cached = options.cacheable ? (this.cache.get(key) ?? (await this.cache.pending(key))) : undefined;
    if (cached && !signal.aborted) {
      options.onFirstAudio?.();
      this.playback.append(segment, cached);
      this.playback.finish(segment);
      return;
    }
    const done = options.cacheable ? this.cache.begin(key) : undefined;
    const framer = new MulawFramer();
    const all: Uint8Array[] = [];
    let first = true;
    try {
      for await (const chunk of this.tts.synthesize(text, { signal, ...this.voice })) {
        if (signal.aborted) break;
        const frames = framer.push(chunk);
        if (frames.length === 0) continue;
        if (first) {
          first = false;
          options.onFirstAudio?.();
        }
        all.push(...frames);
        this.playback.append(segment, frames);
      }
    } finally {
      if (!signal.aborted) {
        const tail = framer.flush();
        if (first && tail.length) options.onFirstAudio?.();
        all.push(...tail);
        this.playback.append(segment, tail);
      }
      done?.(signal.aborted ? undefined : all);
      this.playback.finish(segment);
    }
  }
}
