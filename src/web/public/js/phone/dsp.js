/**
 * The web phone's signal path, shared by the AudioWorklet processors and the ScriptProcessor
 * fallback: G.711 mu-law (the same algorithm as the server's codec), a 6th-order low-pass and
 * linear-interpolation resampling between the browser's rate and 8 kHz, and the two halves of
 * the phone: MicEncoder (microphone → 20 ms mu-law frames) and AgentPlayer (agent frames and
 * marks → speaker, marks reported as they are played, `clear` drops what is queued).
 */

export const PHONE_RATE = 8000;
export const FRAME_SAMPLES = 160; // 20 ms at 8 kHz
export const SILENT_BYTE = 0xff; // mu-law zero

const BIAS = 0x84;
const CLIP = 32635;
const EXPONENT = new Uint8Array(256);
for (let i = 2; i < 256; i++) EXPONENT[i] = Math.floor(Math.log2(i));
const DECODE_BASE = [0, 132, 396, 924, 1980, 4092, 8316, 16764];

/** One PCM16 sample (an integer in -32768..32767) to a mu-law byte. */
export function mulawEncode(sample) {
  const sign = (sample >> 8) & 0x80;
  if (sign !== 0) sample = -sample;
  sample += BIAS;
  if (sample > CLIP) sample = CLIP;
  const exponent = EXPONENT[(sample >> 7) & 0xff];
  const mantissa = (sample >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** One mu-law byte to a PCM16 sample. */
export function mulawDecode(byte) {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const sample = DECODE_BASE[exponent] + ((u & 0x0f) << (exponent + 3));
  return u & 0x80 && sample !== 0 ? -sample : sample;
}

const DECODE_FLOAT = new Float32Array(256);
for (let b = 0; b < 256; b++) DECODE_FLOAT[b] = mulawDecode(b) / 32768;

/** RBJ low-pass biquad (direct form II transposed). */
class Biquad {
  constructor(rate, cutoff, q) {
    const w0 = (2 * Math.PI * cutoff) / rate;
    const alpha = Math.sin(w0) / (2 * q);
    const cos = Math.cos(w0);
    const a0 = 1 + alpha;
    this.b0 = (1 - cos) / 2 / a0;
    this.b1 = (1 - cos) / a0;
    this.b2 = this.b0;
    this.a1 = (-2 * cos) / a0;
    this.a2 = (1 - alpha) / a0;
    this.z1 = 0;
    this.z2 = 0;
  }
  step(x) {
    const y = this.b0 * x + this.z1;
    this.z1 = this.b1 * x - this.a1 * y + this.z2;
    this.z2 = this.b2 * x - this.a2 * y;
    return y;
  }
}

/** Butterworth 6th order as three biquads: keeps the telephone band, removes what would alias. */
class LowPass {
  constructor(rate, cutoff) {
    this.a = new Biquad(rate, cutoff, 0.5176);
    this.b = new Biquad(rate, cutoff, 0.7071);
    this.c = new Biquad(rate, cutoff, 1.9319);
  }
  step(x) {
    return this.c.step(this.b.step(this.a.step(x)));
  }
}

/** Microphone samples at the context's rate → 160-sample mu-law frames, handed to `onFrame`. */
export class MicEncoder {
  constructor(inputRate, onFrame) {
    this.onFrame = onFrame;
    this.step = inputRate / PHONE_RATE;
    this.filter = inputRate > PHONE_RATE * 1.05 ? new LowPass(inputRate, 3400) : undefined;
    this.t = 1; // time of the next output sample, in input samples after `prev`
    this.prev = 0;
    this.frame = new Uint8Array(FRAME_SAMPLES);
    this.filled = 0;
    this.energy = 0;
  }

  /** Float samples in -1..1 (one channel). */
  push(input) {
    for (let i = 0; i < input.length; i++) {
      const x = this.filter ? this.filter.step(input[i]) : input[i];
      while (this.t <= 1) {
        this.emit(this.prev + (x - this.prev) * this.t);
        this.t += this.step;
      }
      this.t -= 1;
      this.prev = x;
    }
  }

  emit(value) {
    const clamped = value > 1 ? 1 : value < -1 ? -1 : value;
    this.energy += clamped * clamped;
    this.frame[this.filled++] = mulawEncode(Math.round(clamped * 32767));
    if (this.filled === FRAME_SAMPLES) {
      const level = Math.sqrt(this.energy / FRAME_SAMPLES);
      const frame = this.frame;
      this.frame = new Uint8Array(FRAME_SAMPLES);
      this.filled = 0;
      this.energy = 0;
      this.onFrame(frame, level);
    }
  }
}

/**
 * The agent's voice: mu-law frames and marks in arrival order, played at the output rate.
 * A mark is reported (`onMark`) when everything queued before it has been played, which is
 * when Twilio echoes it too; `clear()` drops the queued audio and reports its marks at once.
 */
export class AgentPlayer {
  constructor(outputRate, onMark) {
    this.onMark = onMark;
    this.step = PHONE_RATE / outputRate;
    this.queue = []; // {samples: Float32Array, offset} | {mark: string}
    this.frac = 0;
    this.s0 = 0;
    this.s1 = 0;
    this.playedSamples = 0; // 8 kHz samples taken from the queue
    this.underruns = 0;
    this.playing = false;
  }

  pushFrame(mulaw) {
    const samples = new Float32Array(mulaw.length);
    for (let i = 0; i < mulaw.length; i++) samples[i] = DECODE_FLOAT[mulaw[i]];
    this.queue.push({ samples, offset: 0 });
  }

  pushMark(name) {
    this.queue.push({ mark: name });
  }

  clear() {
    const marks = this.queue.filter((item) => item.mark !== undefined).map((item) => item.mark);
    this.queue = [];
    this.s0 = this.s1 = this.frac = 0;
    this.playing = false;
    for (const name of marks) this.onMark(name);
  }

  /** Queued 8 kHz samples not yet played. */
  get queuedSamples() {
    let n = 0;
    for (const item of this.queue) if (item.samples) n += item.samples.length - item.offset;
    return n;
  }

  next() {
    for (;;) {
      const head = this.queue[0];
      if (!head) {
        if (this.playing) this.underruns++;
        this.playing = false;
        return 0;
      }
      if (head.mark !== undefined) {
        this.queue.shift();
        this.onMark(head.mark);
        continue;
      }
      if (head.offset >= head.samples.length) {
        this.queue.shift();
        continue;
      }
      this.playing = true;
      this.playedSamples++;
      return head.samples[head.offset++];
    }
  }

  /** Fills `out` (one channel at the output rate). */
  render(out) {
    for (let i = 0; i < out.length; i++) {
      out[i] = this.s0 + (this.s1 - this.s0) * this.frac;
      this.frac += this.step;
      while (this.frac >= 1) {
        this.frac -= 1;
        this.s0 = this.s1;
        this.s1 = this.next();
      }
    }
    // Marks right after the last sample played are due now, not at the next sound.
    while (this.queue[0] && this.queue[0].mark !== undefined) this.onMark(this.queue.shift().mark);
  }
}

export function toBase64(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return btoa(text);
}

export function fromBase64(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}
