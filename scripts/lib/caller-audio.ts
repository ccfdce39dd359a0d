import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resample } from '../../src/voice/audio/resampler.js';
import { decodeWav } from '../../src/voice/audio/wav.js';
import { EspeakTts } from '../../src/voice/engines/espeak-tts.js';

/** What a simulated caller says: 8 kHz PCM16, the telephone rate the simulator sends. */

export const JFK_PATH = fileURLToPath(new URL('../../../shared/fixtures/audio/jfk.wav', import.meta.url));
/** jfk.wav: "And so my fellow Americans" is speech from about 0.35 s to 2.2 s. */
export const JFK_SPEECH_ONSET_MS = 350;

/** A WAV file at any rate, as 8 kHz mono PCM16. */
export function loadWav8k(path: string): Int16Array {
  const wav = decodeWav(readFileSync(path));
  return wav.sampleRate === 8000 ? wav.samples : resample(wav.samples, wav.sampleRate, 8000);
}

let jfk: Int16Array | undefined;
export function jfkAt8k(): Int16Array {
  return (jfk ??= loadWav8k(JFK_PATH));
}

export function slice(pcm8k: Int16Array, fromMs: number, toMs: number): Int16Array {
  return pcm8k.slice(fromMs * 8, toMs * 8);
}

/** Text spoken by the embedded espeak-ng (the server's fallback voice), as 8 kHz PCM16. */
export async function speakText8k(text: string, voice?: string): Promise<Int16Array> {
  const tts = new EspeakTts();
  try {
    const chunks: Int16Array[] = [];
    let rate = 8000;
    for await (const chunk of tts.synthesize(text, { signal: new AbortController().signal, voice })) {
      chunks.push(chunk.samples);
      rate = chunk.sampleRate;
    }
    const all = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
    chunks.reduce((at, c) => (all.set(c, at), at + c.length), 0);
    return rate === 8000 ? all : resample(all, rate, 8000);
  } finally {
    await tts.close();
  }
}

/**
 * Where speech starts and ends in a clip, by 10 ms energy (a WAV carries no labels): the first
 * and last block louder than 10 % of the loudest block, and at least −40 dBFS. Good enough to
 * time barge-ins and responses from the caller's side to within a block.
 */
export function speechBounds(pcm8k: Int16Array): { onsetMs: number; endMs: number } | undefined {
  const rms: number[] = [];
  for (let i = 0; i + 80 <= pcm8k.length; i += 80) {
    let sum = 0;
    for (let j = i; j < i + 80; j++) sum += pcm8k[j]! * pcm8k[j]!;
    rms.push(Math.sqrt(sum / 80));
  }
  const threshold = Math.max(328, 0.1 * Math.max(0, ...rms));
  const first = rms.findIndex((v) => v >= threshold);
  if (first < 0) return undefined;
  const last = rms.length - 1 - [...rms].reverse().findIndex((v) => v >= threshold);
  return { onsetMs: first * 10, endMs: (last + 1) * 10 };
}
