import { MulawFramer } from '../audio/framer.js';
import type { TextToSpeech } from '../engines/text-to-speech.js';
import type { PhraseCache } from './phrase-cache.js';
import type { Playback, Segment } from './playback.js';

/**
 * Text → TTS → 8 kHz mu-law frames → playback, one segment per sentence, first frames queued as
 * soon as the engine yields them. Fixed phrases come from the cache after their first use.
 *
 * Every sentence up to MAX_CACHED_CHARS is cached: an agent repeats itself across calls (its
 * hours, its address, "Is there anything else?"), and a cached sentence costs no synthesis at
 * all, which is most of the CPU a busy server spends on speech.
 *
 * A sentence takes its place in the playback queue at its first audio, not when asked for: a
 * phrase that is ready (a cached "One moment.") plays before a sentence whose engine is still
 * silent, instead of queueing behind it.
 */
const MAX_CACHED_CHARS = 300;

export class Speaker {
  constructor(
    private readonly tts: TextToSpeech,
    private readonly playback: Playback,
    private readonly cache: PhraseCache,
    private readonly voice: { voice?: string; speed?: number },
  ) {}

  /**
   * Resolves when the sentence is fully queued (not played); `onFirstAudio` fires at its first frames.
   * `aside`: not part of the current answer's text (see Segment.aside).
   */
  async say(text: string, signal: AbortSignal, options: { cacheable?: boolean; aside?: boolean; onFirstAudio?: () => void } = {}): Promise<void> {
    if (signal.aborted || !text.trim()) return;
    const key = this.key(text);
    const cacheable = (options.cacheable ?? true) && text.length <= MAX_CACHED_CHARS;
    const cached = cacheable ? (this.cache.get(key) ?? (await this.cache.pending(key))) : undefined;
    if (cached && !signal.aborted) {
      options.onFirstAudio?.();
      const segment = this.playback.open(text, { aside: options.aside });
      this.playback.append(segment, cached);
      this.playback.finish(segment);
      return;
    }
    let segment: Segment | undefined;
    const queue = (frames: Uint8Array[]) => {
      if (frames.length === 0) return;
      if (!segment) {
        segment = this.playback.open(text, { aside: options.aside });
        options.onFirstAudio?.();
      }
      this.playback.append(segment, frames);
    };
    try {
      await this.synthesize(text, signal, cacheable, queue);
    } finally {
      if (segment) this.playback.finish(segment);
    }
  }

  /** Makes a fixed phrase ready in the cache without playing it (so it can play at once later). */
  async prefetch(text: string, signal: AbortSignal): Promise<void> {
    const key = this.key(text);
    if (signal.aborted || this.cache.get(key) || this.cache.pending(key)) return;
    await this.synthesize(text, signal, true, () => undefined);
  }

  private key(text: string): string {
    return `${this.tts.name}|${this.voice.voice ?? ''}|${this.voice.speed ?? 1}|${text}`;
  }

  /** All frames of `text`, handed to `queue` as they come; cached when asked and complete. */
  private async synthesize(text: string, signal: AbortSignal, cacheable: boolean, queue: (frames: Uint8Array[]) => void): Promise<Uint8Array[]> {
    const done = cacheable ? this.cache.begin(this.key(text)) : undefined;
    const framer = new MulawFramer();
    const all: Uint8Array[] = [];
    try {
      for await (const chunk of this.tts.synthesize(text, { signal, ...this.voice })) {
        if (signal.aborted) break;
        const frames = framer.push(chunk);
        all.push(...frames);
        queue(frames);
      }
    } finally {
      if (!signal.aborted) {
        const tail = framer.flush();
        all.push(...tail);
        queue(tail);
      }
      done?.(signal.aborted ? undefined : all);
    }
    return all;
  }
}
