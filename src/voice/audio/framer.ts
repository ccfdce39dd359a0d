import { FRAME_BYTES } from '../session/media-channel.js';
import { pcmToMulaw } from './mulaw.js';
import { createResampler, type Resampler } from './resampler.js';
import type { PcmAudio } from './wav.js';

const MULAW_SILENCE = 0xff;

/** Engine audio at any rate in, 20 ms 8 kHz mu-law frames out (what Twilio plays). */
export class MulawFramer {
  private resampler?: Resampler;
  private rate = 0;
  private carry: Uint8Array = new Uint8Array(0);

  push(audio: PcmAudio): Uint8Array[] {
    if (audio.sampleRate !== this.rate) {
      const tail = this.resampler?.flush();
      this.rate = audio.sampleRate;
      this.resampler = audio.sampleRate === 8000 ? undefined : createResampler(audio.sampleRate, 8000);
      if (tail?.length) this.carry = concat(this.carry, pcmToMulaw(tail));
    }
    const pcm8k = this.resampler ? this.resampler.push(audio.samples) : audio.samples;
    return this.cut(concat(this.carry, pcmToMulaw(pcm8k)));
  }

  /** The rest, with the last frame padded with silence. */
  flush(): Uint8Array[] {
    const tail = this.resampler?.flush();
    const bytes = concat(this.carry, tail?.length ? pcmToMulaw(tail) : new Uint8Array(0));
    this.carry = new Uint8Array(0);
    if (bytes.length === 0) return [];
    const padded = new Uint8Array(Math.ceil(bytes.length / FRAME_BYTES) * FRAME_BYTES).fill(MULAW_SILENCE);
    padded.set(bytes);
    return this.cut(padded);
  }

  private cut(bytes: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    let offset = 0;
    for (; offset + FRAME_BYTES <= bytes.length; offset += FRAME_BYTES) frames.push(bytes.slice(offset, offset + FRAME_BYTES));
    this.carry = bytes.slice(offset);
    return frames;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
