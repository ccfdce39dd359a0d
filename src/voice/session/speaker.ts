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
    const voice = this.voiceNow();
    const key = this.key(voice, text);
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
      await this.synthesize(voice, text, signal, cacheable, queue);
    } finally {
      if (segment) this.playback.finish(segment);
    }
  }

  /** Makes a fixed phrase ready in the cache without playing it (so it can play at once later). */
  async prefetch(text: string, signal: AbortSignal): Promise<void> {
    const voice = this.voiceNow();
    const key = this.key(voice, text);
    if (signal.aborted || this.cache.get(key) || this.cache.pending(key)) return;
    await this.synthesize(voice, text, signal, true, () => undefined);
  }

  /** The engine that would speak now: a chain's first engine while it is loading or failing is not. */
  private voiceNow(): string {
    return this.tts.voiceNow?.() ?? this.tts.name;
  }

  private key(engine: string, text: string): string {
    return `${engine}|${this.voice.voice ?? ''}|${this.voice.speed ?? 1}|${text}`;
  }

  /**
   * All frames of `text`, handed to `queue` as they come. Cached when asked, complete (not cut off
   * by an abort or an engine's error), and spoken
   * by `voice` alone: a sentence that a fallback engine finished (or redid) is played this once but
   * never replayed to later callers in the wrong voice.
   */
  private async synthesize(voice: string, text: string, signal: AbortSignal, cacheable: boolean, queue: (frames: Uint8Array[]) => void): Promise<Uint8Array[]> {
    const done = cacheable ? this.cache.begin(this.key(voice, text)) : undefined;
    const framer = new MulawFramer();
    const all: Uint8Array[] = [];
    const engines: string[] = [];
    let complete = false;
    try {
      for await (const chunk of this.tts.synthesize(text, { signal, ...this.voice, onEngine: (engine) => engines.push(engine) })) {
        if (signal.aborted) break;
        const frames = framer.push(chunk);
        all.push(...frames);
        queue(frames);
      }
      complete = !signal.aborted;
    } finally {
      if (!signal.aborted) {
        const tail = framer.flush();
        all.push(...tail);
        queue(tail);
      }
      const inOneVoice = engines.every((engine) => engine === voice);
      done?.(complete && inOneVoice ? all : undefined);
    }
    return all;
  }
}
