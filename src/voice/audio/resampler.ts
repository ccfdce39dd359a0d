/**
 * Streaming PCM16 sample-rate conversion: a rational polyphase FIR (Kaiser-windowed sinc).
 *
 * Why hand-written rather than `@alexanderolsen/libsamplerate-js` (libsamplerate in WASM): we
 * measured it first (scripts/bench-audio.ts; Node 20, the 2-core box, mono 20 ms frames):
 *  - slow at this frame size: SRC_SINC_FASTEST costs ~80–180 µs per frame for 8k→16k or 24k→8k
 *    (each call crosses JS↔WASM and copies Float32 both ways), 1–1.5 CPU-seconds per second for
 *    100 calls; this file does the same in ~10–25 µs per frame;
 *  - `create()` is async and instantiates a separate ~2 MB WASM module per converter (~10–45 ms,
 *    ~1.5 MB RSS each): awkward per call and direction on the media path;
 *  - its streaming (`full`) API exposes no end-of-input flush, so a TTS utterance's tail is lost;
 *  - just loading it made typed-array loops elsewhere in the process measurably slower.
 * The ratios we need are few and fixed (8k↔16k, 24k→8k, 22050→8k), so a polyphase filter with
 * precomputed coefficient tables, shared by all calls, is short, exact and fast.
 *
 * Filter (the G.712 telephone-channel shape): cutoff at the lower Nyquist, pass band flat to 85 %
 * of it (3.4 kHz when one side is 8 kHz), ~70 dB stop band from 115 % (4.6 kHz) on. Only
 * 4–4.6 kHz can fold back, and only into 3.4–4 kHz, outside the telephone band; in exchange the
 * filter is half as long, and for 2× it is half-band, so upsampling 8k→16k copies every other
 * sample straight through (zero taps are trimmed from each phase).
 *
 * Timing: outputs are centred on the input (linear phase, no shift): output n is the filtered
 * signal at input time n·from/to. So `push()` holds back `latencySamples` input samples of
 * look-ahead (≈1.9 ms for every ratio above) until more input or `flush()` arrives. Any
 * chunking gives bit-identical output to the one-shot `resample()`, and push…+flush() yields
 * exactly ceil(inputLength·to/from) samples.
 */

const STOPBAND_DB = 70;
const PASSBAND_FRACTION = 0.85;
/** Upper bound on phases (the reduced output factor) so odd rate pairs can't build huge tables. */
const MAX_PHASES = 4096;

interface Filter {
  up: number; // output samples per `down` input samples (rates reduced by their gcd)
  down: number;
  half: number; // taps each side of the output instant, in input samples
  taps: number; // 2·half
  coefs: Float64Array; // up phases × taps, each phase summing to 1 (unity gain at DC)
  first: Int32Array; // per phase: first non-zero tap (its coefficients start at p·taps)
  count: Int32Array; // per phase: number of non-zero taps
}

export interface Resampler {
  readonly fromRate: number;
  readonly toRate: number;
  /** Input samples of look-ahead held back by push() before the matching output appears. */
  readonly latencySamples: number;
  /** Feeds the next chunk; returns every output sample that is now complete. */
  push(chunk: Int16Array): Int16Array;
  /** Ends the stream: returns the held-back tail (input padded with silence), then resets. */
  flush(): Int16Array;
  /** Drops all state, to start an unrelated stream (e.g. after a barge-in). */
  reset(): void;
}

const filters = new Map<string, Filter>(); // shared by every call: tables are read-only

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series), for the Kaiser window. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50 && term > sum * 1e-12; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}

function design(fromRate: number, toRate: number): Filter {
  const g = gcd(fromRate, toRate);
  const up = toRate / g;
  const down = fromRate / g;
  if (up > MAX_PHASES) throw new RangeError(`resampling ${fromRate}→${toRate} Hz needs ${up} filter phases (max ${MAX_PHASES})`);
  const nyquist = Math.min(fromRate, toRate) / 2;
  const fc = nyquist / fromRate; // -6 dB cutoff at the lower Nyquist, in cycles per input sample
  const transition = 2 * (1 - PASSBAND_FRACTION) * nyquist; // Hz, symmetric about the cutoff
  // Kaiser's estimate of the length (in input samples) for this attenuation and transition.
  const halfLength = (STOPBAND_DB - 8) / (2.285 * 2 * Math.PI * (transition / fromRate)) / 2;
  const half = Math.ceil(halfLength);
  const taps = 2 * half;
  const beta = 0.1102 * (STOPBAND_DB - 8.7);
  const i0Beta = besselI0(beta);
  const coefs = new Float64Array(up * taps);
  const first = new Int32Array(up);
  const count = new Int32Array(up);
  const row = new Float64Array(taps);
  for (let p = 0; p < up; p++) {
    // Tap j multiplies input sample floor(pos) - half + 1 + j; t is its distance from pos.
    let sum = 0;
    for (let j = 0; j < taps; j++) {
      const t = p / up + half - 1 - j;
      const x = t / halfLength;
      const arg = 2 * Math.PI * fc * t;
      const sinc = t === 0 ? 1 : Math.sin(arg) / arg;
      row[j] = Math.abs(x) >= 1 ? 0 : 2 * fc * sinc * (besselI0(beta * Math.sqrt(1 - x * x)) / i0Beta);
      sum += row[j]!;
    }
    // Trim taps that are zero (window edges; all but the centre of phase 0 when upsampling 2×,
    // a half-band filter), so the inner loop does no useless work.
    let lo = 0;
    let hi = taps - 1;
    while (lo < hi && Math.abs(row[lo]! / sum) < 1e-9) lo++;
    while (hi > lo && Math.abs(row[hi]! / sum) < 1e-9) hi--;
    first[p] = lo;
    count[p] = hi - lo + 1;
    for (let j = lo; j <= hi; j++) coefs[p * taps + j - lo] = row[j]! / sum;
  }
  return { up, down, half, taps, coefs, first, count };
}

function filterFor(fromRate: number, toRate: number): Filter {
  const key = `${fromRate}:${toRate}`;
  let f = filters.get(key);
  if (!f) filters.set(key, (f = design(fromRate, toRate)));
  return f;
}

class PolyphaseResampler implements Resampler {
  readonly latencySamples: number;
  private readonly f: Filter;
  private buf = new Float64Array(0); // input not yet consumed; buf[0] is input index `bufStart`
  private bufStart = 0;
  private bufLen = 0;
  private base = 0; // next output instant = base + phase/up (input samples)
  private phase = 0;
  private inTotal = 0;
  private outTotal = 0;

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {
    this.f = filterFor(fromRate, toRate);
    this.latencySamples = this.f.half;
    this.reset();
  }

  reset(): void {
    // Silence before the first sample, so output 0 sees a full window.
    const history = this.f.half - 1;
    // A fresh buffer (zeroed), small again even if one long push grew the old one.
    this.buf = new Float64Array(history + 1024);
    this.bufStart = -history;
    this.bufLen = history;
    this.base = this.phase = this.inTotal = this.outTotal = 0;
  }

  push(chunk: Int16Array): Int16Array {
    this.append(chunk);
    this.inTotal += chunk.length;
    return this.run(this.outputsReadyThrough(this.inTotal - 1 - this.f.half));
  }

  flush(): Int16Array {
    const { up, down, half } = this.f;
    this.append(new Int16Array(half)); // trailing silence completes the last windows
    const total = Math.ceil((this.inTotal * up) / down);
    const out = this.run(Math.min(total, this.outputsReadyThrough(this.inTotal - 1)));
    this.reset();
    return out;
  }

  /** Number of outputs (counted from the stream start) whose instant floor is ≤ `lastBase`. */
  private outputsReadyThrough(lastBase: number): number {
    const { up, down } = this.f;
    return lastBase < 0 ? 0 : Math.ceil(((lastBase + 1) * up) / down);
  }

  private append(chunk: Int16Array): void {
    if (this.bufLen + chunk.length > this.buf.length) {
      const grown = new Float64Array(Math.max(this.buf.length * 2, this.bufLen + chunk.length));
      grown.set(this.buf.subarray(0, this.bufLen));
      this.buf = grown;
    }
    this.buf.set(chunk, this.bufLen);
    this.bufLen += chunk.length;
  }

  /** Produces outputs up to (not including) absolute output index `until`, then drops used input. */
  private run(until: number): Int16Array {
    const count = Math.max(0, until - this.outTotal);
    const out = new Int16Array(count);
    const { up, down, half, taps, coefs, first, count: counts } = this.f;
    const buf = this.buf;
    const stepInt = Math.floor(down / up);
    const stepFrac = down % up;
    let base = this.base;
    let phase = this.phase;
    const offset = 1 - half - this.bufStart;
    for (let o = 0; o < count; o++) {
      let k = base + offset + first[phase]!; // input index of the first non-zero tap
      let c = phase * taps;
      const n = counts[phase]!;
      const end4 = c + (n & ~3);
      const end = c + n;
      // Four accumulators break the add dependency chain (faster in V8); the order is fixed,
      // so results stay bit-identical however the input is chunked.
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (; c < end4; c += 4, k += 4) {
        a0 += buf[k]! * coefs[c]!;
        a1 += buf[k + 1]! * coefs[c + 1]!;
        a2 += buf[k + 2]! * coefs[c + 2]!;
        a3 += buf[k + 3]! * coefs[c + 3]!;
      }
      for (; c < end; c++, k++) a0 += buf[k]! * coefs[c]!;
      const v = Math.round(a0 + a1 + (a2 + a3));
      out[o] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      base += stepInt;
      phase += stepFrac;
      if (phase >= up) {
        phase -= up;
        base++;
      }
    }
    this.base = base;
    this.phase = phase;
    this.outTotal += count;
    // Keep only what the next output's window still needs.
    const drop = Math.min(this.bufLen, base - half + 1 - this.bufStart);
    if (drop > 0) {
      buf.copyWithin(0, drop, this.bufLen);
      this.bufLen -= drop;
      this.bufStart += drop;
    }
    return out;
  }
}

/** Pass-through for equal rates, so callers need no special case. */
class IdentityResampler implements Resampler {
  readonly latencySamples = 0;
  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {}
  push(chunk: Int16Array): Int16Array {
    return chunk.slice();
  }
  flush(): Int16Array {
    return new Int16Array(0);
  }
  reset(): void {}
}

/** A stateful resampler for one stream (one per call and direction). Rates are integers in Hz. */
export function createResampler(fromRate: number, toRate: number): Resampler {
  for (const r of [fromRate, toRate]) {
    if (!Number.isInteger(r) || r <= 0 || r > 384_000) throw new RangeError(`invalid sample rate: ${r}`);
  }
  return fromRate === toRate ? new IdentityResampler(fromRate, toRate) : new PolyphaseResampler(fromRate, toRate);
}

/** Resamples a whole signal; output length is ceil(length·toRate/fromRate). */
export function resample(samples: Int16Array, fromRate: number, toRate: number): Int16Array {
  const r = createResampler(fromRate, toRate);
  const head = r.push(samples);
  const tail = r.flush();
  if (tail.length === 0) return head;
  const out = new Int16Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}
