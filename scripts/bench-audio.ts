/**
 * Micro benchmark of the per-frame audio conversions on the media path (one 20 ms frame each),
 * on real speech (jfk.wav). Run: npx tsx scripts/bench-audio.ts
 * Prints a table and writes data/bench/audio.json. libsamplerate-js (WASM) and alawmulaw's own
 * loops are measured alongside, as the baseline the hand-written/table versions replaced.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { mulawToPcm, pcmToMulaw } from '../src/voice/audio/mulaw.js';
import { createResampler, resample } from '../src/voice/audio/resampler.js';
import { decodeWav } from '../src/voice/audio/wav.js';

const require = createRequire(import.meta.url);
const { mulaw } = require('alawmulaw') as typeof import('alawmulaw');

const jfk = decodeWav(readFileSync(new URL('../../shared/fixtures/audio/jfk.wav', import.meta.url))).samples;
const speech = new Map<number, Int16Array>([[16000, jfk]]);
for (const rate of [8000, 22050, 24000]) speech.set(rate, resample(jfk, 16000, rate));

/** The signal at `rate` cut into 20 ms frames, to cycle through. */
function frames(rate: number): Int16Array[] {
  const x = speech.get(rate)!;
  const n = Math.round(rate / 50);
  const out: Int16Array[] = [];
  for (let i = 0; i + n <= x.length; i += n) out.push(x.subarray(i, i + n));
  return out;
}

interface Result {
  operation: string;
  usPerFrame: number; // median round
  bestUsPerFrame: number; // fastest round: least disturbed by other processes on a busy machine
}
const results: Result[] = [];
let sink = 0; // keeps results observable so the JIT cannot drop the work

/** Mean time per call over rounds (median and best of 9); ~0.5 s per operation in all. */
function bench(operation: string, inputs: readonly unknown[], fn: (input: never) => ArrayLike<number>): void {
  const run = (n: number) => {
    for (let i = 0; i < n; i++) sink += fn(inputs[i % inputs.length] as never).length;
  };
  let n = 50;
  const warmupEnd = performance.now() + 100;
  while (performance.now() < warmupEnd) run(n);
  const rounds: number[] = [];
  for (let r = 0; r < 9; r++) {
    const t0 = performance.now();
    run(n);
    const ms = performance.now() - t0;
    rounds.push((ms * 1000) / n);
    if (ms < 40) n = Math.ceil(n * (50 / Math.max(ms, 1)));
  }
  rounds.sort((a, b) => a - b);
  results.push({ operation, usPerFrame: rounds[4]!, bestUsPerFrame: rounds[0]! });
}

const mulawFrames = frames(8000).map((f) => pcmToMulaw(f));
bench('mulawToPcm (160 B)', mulawFrames, (b: Uint8Array) => mulawToPcm(b));
bench('pcmToMulaw (160 samples)', frames(8000), (s: Int16Array) => pcmToMulaw(s));
bench('  alawmulaw mulaw.decode', mulawFrames, (b: Uint8Array) => mulaw.decode(b));
bench('  alawmulaw mulaw.encode', frames(8000), (s: Int16Array) => mulaw.encode(s));

for (const [from, to] of [
  [8000, 16000],
  [16000, 8000],
  [24000, 8000],
  [22050, 8000],
] as const) {
  const r = createResampler(from, to);
  bench(`resample ${from}→${to} push`, frames(from), (s: Int16Array) => r.push(s));
}

// libsamplerate-js, streaming ("full") API, including the Int16↔Float32 conversions it needs.
// Loaded only now: with its 2 MB bundle loaded, the loops above measured 15–100 % slower.
const lsr = require('@alexanderolsen/libsamplerate-js') as typeof import('@alexanderolsen/libsamplerate-js');
for (const [from, to] of [
  [8000, 16000],
  [24000, 8000],
] as const) {
  const src = await lsr.create(1, from, to, { converterType: lsr.ConverterType.SRC_SINC_FASTEST });
  bench(`  libsamplerate-js FASTEST ${from}→${to}`, frames(from), (s: Int16Array) => {
    const f = new Float32Array(s.length);
    for (let i = 0; i < s.length; i++) f[i] = s[i]! / 32768;
    const y = src.full(f);
    const out = new Int16Array(y.length);
    for (let i = 0; i < y.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(y[i]! * 32768)));
    return out;
  });
  src.destroy();
}

const us = (op: string) => results.find((r) => r.operation === op)!.usPerFrame;
// One call, one 20 ms frame each way: caller audio decoded and upsampled for STT; Kokoro audio
// downsampled and encoded for Twilio. At 50 frames/s × 100 calls, this share of one core:
const perCallFrame = us('mulawToPcm (160 B)') + us('resample 8000→16000 push') + us('resample 24000→8000 push') + us('pcmToMulaw (160 samples)');
const coreShare100Calls = (perCallFrame * 50 * 100) / 1e6;

const width = Math.max(...results.map((r) => r.operation.length)) + 2;
console.log(`${'operation'.padEnd(width)}µs per 20 ms frame: median    best`);
for (const r of results) {
  console.log(`${r.operation.padEnd(width)}${r.usPerFrame.toFixed(2).padStart(27)}${r.bestUsPerFrame.toFixed(2).padStart(8)}`);
}
console.log(`\nper call, both directions (decode+8k→16k+24k→8k+encode): ${perCallFrame.toFixed(1)} µs/frame`);
console.log(`100 calls at 50 frames/s: ${(coreShare100Calls * 100).toFixed(1)} % of one core`);

const outFile = fileURLToPath(new URL('../data/bench/audio.json', import.meta.url));
mkdirSync(fileURLToPath(new URL('../data/bench/', import.meta.url)), { recursive: true });
const report = {
  benchmark: 'audio',
  date: new Date().toISOString(),
  node: process.version,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  results,
  perCallBothDirectionsUsPerFrame: perCallFrame,
  coreShareFor100Calls: coreShare100Calls,
};
writeFileSync(outFile, JSON.stringify(report, null, 2) + '\n');
console.log(`wrote ${outFile}${sink < 0 ? '' : ''}`);
