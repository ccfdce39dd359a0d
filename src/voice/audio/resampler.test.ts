import { describe, it, expect } from 'vitest';
import { loadJfk, snrDb } from './audio-test-measures.js';
import { createResampler, resample, type Resampler } from './resampler.js';

const jfk = loadJfk();

function sine(hz: number, rate: number, seconds: number, amplitude = 16000): Int16Array {
  return Int16Array.from({ length: Math.round(rate * seconds) }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate)));
}

/** RMS with `trim` samples skipped at each end (the filter's edge transients). */
function rms(x: Int16Array, trim = 0): number {
  let sum = 0;
  for (let i = trim; i < x.length - trim; i++) sum += x[i]! ** 2;
  return Math.sqrt(sum / (x.length - 2 * trim));
}

const db = (ratio: number) => 20 * Math.log10(ratio);


/** In-place iterative radix-2 FFT (length a power of two). */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  const cos = Float64Array.from({ length: n / 2 }, (_, k) => Math.cos((-2 * Math.PI * k) / n));
  const sin = Float64Array.from({ length: n / 2 }, (_, k) => Math.sin((-2 * Math.PI * k) / n));
  for (let len = 2; len <= n; len <<= 1) {
    const step = n / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = cos[k * step]!;
        const wi = sin[k * step]!;
        const a = i + k;
        const b = a + len / 2;
        const xr = re[b]! * wr - im[b]! * wi;
        const xi = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a] = re[a]! + xr;
        im[a] = im[a]! + xi;
      }
    }
  }
}

/**
 * SNR of `actual` against `reference` ideally band-limited (brick wall) below `cutoffHz`, computed
 * on the spectra (Parseval). `within` limits the error to the band below `cutoffHz` too.
 */
function bandLimitedSnrDb(reference: Int16Array, actual: Int16Array, rate: number, cutoffHz: number, within = false): number {
  let n = 1;
  while (n < 2 * Math.max(reference.length, actual.length)) n <<= 1; // zero padding: linear, not circular
  const [rr, ri, ar, ai] = [0, 0, 0, 0].map(() => new Float64Array(n)) as [Float64Array, Float64Array, Float64Array, Float64Array];
  rr.set(reference);
  ar.set(actual);
  fft(rr, ri);
  fft(ar, ai);
  let signal = 0;
  let noise = 0;
  for (let k = 0; k < n; k++) {
    const inBand = Math.min(k, n - k) * (rate / n) < cutoffHz;
    if (inBand) signal += rr[k]! ** 2 + ri[k]! ** 2;
    if (inBand) noise += (rr[k]! - ar[k]!) ** 2 + (ri[k]! - ai[k]!) ** 2;
    else if (!within) noise += ar[k]! ** 2 + ai[k]! ** 2;
  }
  return 10 * Math.log10(signal / noise);
}

/** Feeds `x` in pieces of the given sizes (cycled), then flushes; returns everything joined. */
function streamed(r: Resampler, x: Int16Array, sizes: number[]): Int16Array {
  const parts: Int16Array[] = [];
  for (let i = 0, k = 0; i < x.length; k++) {
    const n = sizes[k % sizes.length]!;
    parts.push(r.push(x.subarray(i, i + n)));
    i += n;
  }
  parts.push(r.flush());
  const out = new Int16Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Index of the first sample that differs (-1: identical). Chunking is bit-exact, not just ±1 LSB. */
function firstDifference(a: Int16Array, b: Int16Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  return a.findIndex((v, i) => v !== b[i]);
}

// The production ratios, each fed with real speech at its input rate.
const pairs: Array<[number, number]> = [
  [8000, 16000],
  [16000, 8000],
  [24000, 8000],
  [22050, 8000],
];
const speechAt = (rate: number) => (rate === 16000 ? jfk.samples : resample(jfk.samples, 16000, rate));

describe('resampler', () => {
  it('produces exactly ceil(length·to/from) samples, e.g. 1 s at 8 kHz becomes 16,000 at 16 kHz', () => {
    expect(resample(new Int16Array(8000), 8000, 16000).length).toBe(16000);
    expect(resample(new Int16Array(16000), 16000, 8000).length).toBe(8000);
    expect(resample(new Int16Array(24000), 24000, 8000).length).toBe(8000);
    expect(resample(new Int16Array(22050), 22050, 8000).length).toBe(8000);
    expect(resample(new Int16Array(48000), 48000, 16000).length).toBe(16000);
    expect(resample(new Int16Array(441), 22050, 8000).length).toBe(160);
    expect(resample(new Int16Array(7), 24000, 8000).length).toBe(3);
    expect(resample(new Int16Array(0), 8000, 16000).length).toBe(0);
  });

  it('holds back only latencySamples of look-ahead while streaming, and flush() returns the rest', () => {
    const r = createResampler(8000, 16000);
    const out = r.push(new Int16Array(8000));
    expect(out.length).toBe(2 * (8000 - r.latencySamples));
    expect(r.latencySamples / 8000).toBeLessThan(0.005); // a few ms, not a frame
    expect(out.length + r.flush().length).toBe(16000);
  });

  it('returns a steady 20 ms of output per 20 ms pushed, after the first frame', () => {
    for (const [from, to] of pairs) {
      const r = createResampler(from, to);
      const lengths = Array.from({ length: 10 }, () => r.push(new Int16Array(from / 50)).length);
      expect(lengths.slice(1), `${from}→${to}`).toEqual(Array(9).fill(to / 50));
      expect(lengths[0], `${from}→${to}`).toBe(Math.ceil(((from / 50 - r.latencySamples) * to) / from));
    }
  });

  for (const [from, to] of pairs) {
    it(`gives the same output for 20 ms chunks, odd-sized chunks and the whole signal (${from}→${to}, speech)`, () => {
      const x = speechAt(from);
      const whole = resample(x, from, to);
      expect(firstDifference(streamed(createResampler(from, to), x, [from / 50]), whole)).toBe(-1);
      expect(firstDifference(streamed(createResampler(from, to), x, [1, 7, 333, 0, 2048, 41]), whole)).toBe(-1);
    });
  }

  it('round-trips speech 16k→8k→16k matching jfk.wav band-limited to 3.4 kHz', () => {
    const down = resample(jfk.samples, 16000, 8000);
    const back = resample(down, 8000, 16000);
    expect(back.length).toBe(jfk.samples.length);
    const snr = bandLimitedSnrDb(jfk.samples, back, 16000, 3400);
    // Within the telephone band only, the resampler's own error shows (ripple, aliasing, rounding),
    // not the 3.4–4.6 kHz transition band that it keeps in part and the brick wall does not.
    const passBandSnr = bandLimitedSnrDb(jfk.samples, back, 16000, 3400, true);
    console.log(`16k→8k→16k vs jfk band-limited to 3.4 kHz: SNR ${snr.toFixed(2)} dB; within 0–3.4 kHz: ${passBandSnr.toFixed(2)} dB`);
    expect(snr).toBeGreaterThanOrEqual(27);
    expect(passBandSnr).toBeGreaterThanOrEqual(60);
  });

  it('attenuates a 6 kHz tone by ≥ 40 dB when downsampling 16k→8k, where sample dropping aliases it to 2 kHz at full level', () => {
    const x = sine(6000, 16000, 1, 30000);
    const y = resample(x, 16000, 8000);
    const attenuation = -db(rms(y, 100) / rms(x));
    const dropped = x.filter((_, i) => i % 2 === 0); // what a naive decimator would send
    const droppedAttenuation = -db(rms(dropped, 100) / rms(x));
    console.log(`6 kHz tone, 16k→8k: attenuated ${attenuation.toFixed(1)} dB (sample dropping: ${droppedAttenuation.toFixed(1)} dB)`);
    expect(droppedAttenuation).toBeLessThan(1); // the measurement would catch aliasing
    expect(attenuation).toBeGreaterThanOrEqual(40);
  });

  it('rejects everything above 4.6 kHz by ≥ 60 dB into 8 kHz output, from every production rate', () => {
    for (const from of [16000, 24000, 22050]) {
      for (const hz of [4700, 6000, 7900, Math.min(11000, from / 2 - 100)]) {
        const y = resample(sine(hz, from, 0.5, 30000), from, 8000);
        expect(db(rms(y, 200) / (30000 / Math.SQRT2)), `${hz} Hz from ${from}`).toBeLessThan(-60);
      }
    }
  });

  it('keeps the images of 8 kHz audio out of the upsampled 16 kHz signal (≥ 60 dB)', () => {
    // A 3 kHz tone at 8 kHz, zero-stuffed, would also carry a 5 kHz image; check only 3 kHz is left.
    const y = resample(sine(3000, 8000, 0.5, 16000), 8000, 16000);
    const ideal = sine(3000, 16000, 0.5, 16000);
    const trimmed = (a: Int16Array) => a.subarray(200, a.length - 200);
    expect(snrDb(trimmed(ideal), trimmed(y))).toBeGreaterThan(60);
  });

  it('keeps a 1 kHz tone within 0.5 dB through 24k→8k (and every other production ratio), without shifting it', () => {
    for (const [from, to] of pairs) {
      const x = sine(1000, from, 1);
      const y = resample(x, from, to);
      const gain = db(rms(y, 100) / rms(x, 100));
      if (from === 24000) console.log(`1 kHz tone, 24k→8k: gain ${gain.toFixed(4)} dB`);
      expect(Math.abs(gain), `${from}→${to}`).toBeLessThan(0.5);
      // Aligned with the ideal tone at the output rate: no delay, no phase shift.
      const ideal = sine(1000, to, 1);
      expect(snrDb(ideal.subarray(100, -100), y.subarray(100, -100)), `${from}→${to}`).toBeGreaterThan(50);
    }
  });

  it('keeps the telephone pass band flat: 300 Hz and 3.3 kHz within 0.5 dB through 24k→8k', () => {
    for (const hz of [300, 3300]) {
      const x = sine(hz, 24000, 1);
      expect(Math.abs(db(rms(resample(x, 24000, 8000), 100) / rms(x, 100))), `${hz} Hz`).toBeLessThan(0.5);
    }
  });

  it('clamps to int16 instead of wrapping when the filter overshoots a full-scale square wave', () => {
    const x = Int16Array.from({ length: 24000 }, (_, i) => (Math.floor(i / 120) % 2 === 0 ? 32767 : -32768));
    const y = resample(x, 24000, 8000);
    // Every output sample in the middle of a plateau must keep the plateau's sign.
    for (let i = 20; i < y.length; i += 40) expect(Math.sign(y[i]!), `sample ${i}`).toBe(Math.sign(x[i * 3]!));
    expect(Math.max(...y)).toBe(32767);
    expect(Math.min(...y)).toBe(-32768);
  });

  it('starts a fresh stream after flush() or reset(), giving the same output again', () => {
    const x = jfk.samples.subarray(0, 16000);
    const r = createResampler(16000, 8000);
    const first = streamed(r, x, [320]);
    expect(firstDifference(streamed(r, x, [320]), first)).toBe(-1);
    r.push(x.subarray(0, 999));
    r.reset();
    expect(firstDifference(streamed(r, x, [320]), first)).toBe(-1);
  });

  it('passes audio through unchanged when the rates are equal', () => {
    const x = jfk.samples.subarray(0, 320);
    const r = createResampler(16000, 16000);
    expect(r.push(x)).toEqual(x);
    expect(r.flush().length).toBe(0);
    expect(resample(x, 8000, 8000)).toEqual(x);
  });

  it('rejects invalid sample rates', () => {
    expect(() => createResampler(0, 8000)).toThrow(RangeError);
    expect(() => createResampler(8000, 44100.5)).toThrow(RangeError);
    expect(() => createResampler(-16000, 8000)).toThrow(RangeError);
    expect(() => createResampler(8001, 44099)).toThrow(/phases/);
  });
});
