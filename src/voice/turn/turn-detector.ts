import { VAD_WINDOW_MS } from '../vad/silero-vad.js';
import type { TurnSettings } from './turn-settings.js';

/** One VAD window of caller audio (8 kHz PCM16) with its stream-time start and speech probability. */
export interface VadWindow {
  pcm: Int16Array;
  startMs: number;
  probability: number;
}

export type TurnEvent =
  /** The caller started speaking; `onsetMs` is when the first speech window began (stream time). */
  | { type: 'speech-start'; onsetMs: number; detectedAtMs: number }
  /** The caller stopped: the utterance audio (8 kHz, with pre-roll so no first syllable is lost). */
  | { type: 'speech-end'; onsetMs: number; endMs: number; detectedAtMs: number; audio: Int16Array };

/**
 * Endpointing on VAD windows: hysteresis between the speech and silence thresholds, onset after
 * `speechStartMs` of speech, end of turn after `endOfTurnSilenceMs` of silence.
 */
export class TurnDetector {
  private speaking = false;
  private speechRunMs = 0;
  private silenceRunMs = 0;
  private onsetMs = 0;
  private lastSpeechEndMs = 0;
  private readonly history: VadWindow[] = [];
  private utterance: Int16Array[] = [];

  constructor(private readonly settings: TurnSettings) {}

  push(window: VadWindow): TurnEvent | undefined {
    const endMs = window.startMs + VAD_WINDOW_MS;
    if (!this.speaking) {
      this.history.push(window);
      const keep = Math.ceil((this.settings.preRollMs + this.settings.speechStartMs) / VAD_WINDOW_MS) + 1;
      while (this.history.length > keep) this.history.shift();
      if (window.probability >= this.settings.speechThreshold) {
        if (this.speechRunMs === 0) this.onsetMs = window.startMs;
        this.speechRunMs += VAD_WINDOW_MS;
        if (this.speechRunMs >= this.settings.speechStartMs) {
          this.speaking = true;
          this.silenceRunMs = 0;
          this.lastSpeechEndMs = endMs;
          const preRollFrom = this.onsetMs - this.settings.preRollMs;
          this.utterance = this.history.filter((w) => w.startMs >= preRollFrom).map((w) => w.pcm);
          this.history.length = 0;
          return { type: 'speech-start', onsetMs: this.onsetMs, detectedAtMs: endMs };
        }
      } else {
        this.speechRunMs = 0;
      }
      return undefined;
    }

    this.utterance.push(window.pcm);
    if (window.probability >= this.settings.silenceThreshold) {
      this.silenceRunMs = 0;
      this.lastSpeechEndMs = endMs;
    } else {
      this.silenceRunMs += VAD_WINDOW_MS;
    }
    const tooLong = endMs - this.onsetMs >= this.settings.maxUtteranceMs;
    if (this.silenceRunMs >= this.settings.endOfTurnSilenceMs || tooLong) return this.finish(endMs);
    return undefined;
  }

  get isSpeaking(): boolean {
    return this.speaking;
  }

  private finish(detectedAtMs: number): TurnEvent {
    // Keep ~150 ms of the trailing silence: enough for the last consonant, not the whole wait.
    const trailingWindows = Math.max(0, Math.floor((this.silenceRunMs - 150) / VAD_WINDOW_MS));
    const kept = this.utterance.slice(0, this.utterance.length - trailingWindows);
    const audio = new Int16Array(kept.reduce((n, w) => n + w.length, 0));
    let offset = 0;
    for (const w of kept) {
      audio.set(w, offset);
      offset += w.length;
    }
    const event: TurnEvent = { type: 'speech-end', onsetMs: this.onsetMs, endMs: this.lastSpeechEndMs, detectedAtMs, audio };
    this.speaking = false;
    this.speechRunMs = 0;
    this.silenceRunMs = 0;
    this.utterance = [];
    return event;
  }
}
