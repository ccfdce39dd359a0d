import { createRequire } from 'node:module';
import { describe, it, expect } from 'vitest';
import { loadJfk, snrDb } from './audio-test-measures.js';
import { mulawToPcm, pcmToMulaw } from './mulaw.js';

const { mulaw } = createRequire(import.meta.url)('alawmulaw') as typeof import('alawmulaw');
const jfk = loadJfk();

describe('G.711 mu-law codec', () => {
  it('round-trips real speech (jfk.wav) with at least 30 dB SNR', () => {
    expect(jfk.samples.length).toBeGreaterThan(16000 * 10);
    const decoded = mulawToPcm(pcmToMulaw(jfk.samples));
    const snr = snrDb(jfk.samples, decoded);
    console.log(`mu-law round-trip SNR on jfk.wav: ${snr.toFixed(2)} dB`);
    expect(snr).toBeGreaterThanOrEqual(30);
  });

  it('encodes every 16-bit value exactly as the alawmulaw reference codec does', () => {
    const all = new Int16Array(65536);
    for (let i = 0; i < 65536; i++) all[i] = i - 32768;
    const ours = pcmToMulaw(all);
    const reference = mulaw.encode(all);
    expect(ours.findIndex((b, i) => b !== reference[i])).toBe(-1);
  });

  it('decodes every byte exactly as the alawmulaw reference codec does', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(Array.from(mulawToPcm(all))).toEqual(Array.from(mulaw.decode(all)));
  });

  it('follows G.711: silence is 0xFF, full scale decodes to ±32124, sign bit clear is negative', () => {
    expect(Array.from(pcmToMulaw(Int16Array.of(0, 32767, -32768)))).toEqual([0xff, 0x80, 0x00]);
    expect(Array.from(mulawToPcm(Uint8Array.of(0xff, 0x7f, 0x80, 0x00)))).toEqual([0, 0, 32124, -32124]);
  });

  it('loses nothing on a second pass: decoded speech re-encodes to the same levels', () => {
    // Bytes may differ only for 0x7F ("negative zero"), which decodes to 0 and re-encodes as 0xFF.
    const once = mulawToPcm(pcmToMulaw(jfk.samples));
    const twice = mulawToPcm(pcmToMulaw(once));
    expect(twice.length).toBe(once.length);
    expect(twice.findIndex((s, i) => s !== once[i])).toBe(-1);
  });

  it('keeps frame sizes: a 20 ms Twilio frame is 160 bytes and 160 samples', () => {
    const frame = new Uint8Array(160).fill(0xff);
    const pcm = mulawToPcm(frame);
    expect(pcm.length).toBe(160);
    expect(pcmToMulaw(pcm).length).toBe(160);
    expect(mulawToPcm(new Uint8Array(0)).length).toBe(0);
  });

  it('accepts views into larger buffers (e.g. decoded base64 payloads)', () => {
    const backing = new Uint8Array(400).fill(0x00);
    backing.fill(0xff, 100, 260);
    expect(Array.from(mulawToPcm(backing.subarray(100, 260))).every((s) => s === 0)).toBe(true);
  });
});
