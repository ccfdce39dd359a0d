import type { PcmAudio } from '../audio/wav.js';

/**
 * Text in, audio out as it is made: chunks of mono PCM16 at the engine's own rate (the call
 * session converts to 8 kHz mu-law). Stops promptly, without throwing, once `signal` aborts.
 */
export interface TextToSpeech {
  readonly name: string;
  synthesize(text: string, options: { signal: AbortSignal; voice?: string }): AsyncIterable<PcmAudio>;
}
