import { readFileSync } from 'node:fs';
import { decodeWav, type PcmAudio } from './wav.js';

/** Test measures shared by the audio tests: the real speech fixture and signal-to-noise ratio. */
export function loadJfk(): PcmAudio {
  return decodeWav(readFileSync(new URL('../../../../shared/fixtures/audio/jfk.wav', import.meta.url)));
}

export function snrDb(reference: ArrayLike<number>, actual: ArrayLike<number>): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < reference.length; i++) {
    signal += reference[i]! ** 2;
    noise += (reference[i]! - actual[i]!) ** 2;
  }
  return 10 * Math.log10(signal / noise);
}
