import type { PcmAudio } from '../audio/wav.js';

export interface SynthesizeOptions {
  signal: AbortSignal;
  /** The agent's voice id; an engine that lacks it speaks with its default voice. */
  voice?: string;
  /** Speaking rate, 1 = the engine's normal (engines clamp it to what they support). */
  speed?: number;
  /** Told the name of each engine that starts on this text (a fallback chain may try several). */
  onEngine?: (engine: string) => void;
}

/**
 * Text in, audio out as it is made: chunks of mono PCM16 at the engine's own rate (the call
 * session converts to 8 kHz mu-law). Stops promptly, without throwing, once `signal` aborts.
 */
export interface TextToSpeech {
  readonly name: string;
  /**
   * The engine that would speak if asked now (a fallback chain: its first engine that is loaded
   * and not cut off by its breaker). Audio cached under one voice must not play in another.
   */
  voiceNow?(): string;
  synthesize(text: string, options: SynthesizeOptions): AsyncIterable<PcmAudio>;
}
