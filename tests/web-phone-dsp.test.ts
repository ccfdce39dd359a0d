import { describe, expect, it } from 'vitest';
import { mulawToPcm, pcmToMulaw } from '../src/voice/audio/mulaw.js';

/** The browser phone's signal path (src/web/public/js/phone/dsp.js), run here in Node. */
interface Dsp {
  mulawEncode(sample: number): number;
  mulawDecode(byte: number): number;
  MicEncoder: new (rate: number, onFrame: (frame: Uint8Array, level: number) => void) => { push(input: Float32Array): void };
  AgentPlayer: new (rate: number, onMark: (name: string) => void) => {
    pushFrame(mulaw: Uint8Array): void;
    pushMark(name: string): void;
    clear(): void;
    render(out: Float32Array): void;
    playedSamples: number;
    queuedSamples: number;
  };
}
const dspUrl = new URL('../src/web/public/js/phone/dsp.js', import.meta.url).href;
const load = () => import(/* @vite-ignore */ dspUrl) as Promise<Dsp>;

const tone = (freq: number, rate: number, seconds: number, amplitude = 0.5) =>
  Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => amplitude * Math.sin((2 * Math.PI * freq * i) / rate));
const rms = (pcm: Int16Array) => Math.sqrt(pcm.reduce((s, v) => s + v * v, 0) / pcm.length) / 32768;

describe('web phone DSP', () => {
  it('encodes and decodes mu-law exactly as the server does, for every sample', async () => {
    const dsp = await load();
    const all = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
    const server = pcmToMulaw(all);
    for (let i = 0; i < all.length; i++) if (dsp.mulawEncode(all[i]!) !== server[i]) throw new Error(`sample ${all[i]} differs`);
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(Array.from(bytes, (b) => dsp.mulawDecode(b))).toEqual(Array.from(mulawToPcm(bytes)));
  });

  it('turns a 48 kHz microphone into 20 ms frames at 8 kHz: speech band kept, what would alias removed', async () => {
    const { MicEncoder } = await load();
    for (const rate of [48_000, 44_100]) {
      const frames: Uint8Array[] = [];
      const encoder = new MicEncoder(rate, (f) => frames.push(f));
      const input = tone(1000, rate, 1);
      for (let i = 0; i < input.length; i += 128) encoder.push(input.subarray(i, i + 128)); // render quanta
      expect(frames.length).toBeGreaterThanOrEqual(49);
      expect(frames.length).toBeLessThanOrEqual(50);
      expect(frames.every((f) => f.length === 160)).toBe(true);
      const pcm = mulawToPcm(Uint8Array.from(frames.slice(5).flatMap((f) => Array.from(f))));
      expect(rms(pcm)).toBeGreaterThan(0.3); // 0.5 amplitude sine: rms 0.354
      // Zero crossings of a 1 kHz tone at 8 kHz: 2 per ms.
      let crossings = 0;
      for (let i = 1; i < pcm.length; i++) if ((pcm[i - 1]! < 0) !== (pcm[i]! < 0)) crossings++;
      expect(crossings / (pcm.length / 8)).toBeCloseTo(2, 1);
    }
    const aliased: Uint8Array[] = [];
    const encoder = new MicEncoder(48_000, (f) => aliased.push(f));
    encoder.push(tone(6000, 48_000, 1)); // above 4 kHz: would fold down to 2 kHz without the filter
    expect(rms(mulawToPcm(Uint8Array.from(aliased.slice(5).flatMap((f) => Array.from(f)))))).toBeLessThan(0.02);
  });

  it('plays frames at the output rate, reports a mark only once the audio before it has played, and clear drops the rest', async () => {
    const { AgentPlayer } = await load();
    const marks: string[] = [];
    const player = new AgentPlayer(48_000, (name) => marks.push(name));
    const frame = pcmToMulaw(Int16Array.from(tone(440, 8000, 0.02), (v) => Math.round(v * 32767)));
    for (let i = 0; i < 5; i++) player.pushFrame(frame); // 100 ms
    player.pushMark('m1');
    for (let i = 0; i < 5; i++) player.pushFrame(frame);
    player.pushMark('m2');
    const out = new Float32Array(128);
    let rendered = 0;
    while (!marks.includes('m1')) {
      player.render(out);
      rendered += out.length;
    }
    expect(rendered / 48).toBeGreaterThanOrEqual(99); // ms played before m1: its 100 ms, not less
    expect(rendered / 48).toBeLessThan(104);
    expect(Math.max(...out.map(Math.abs))).toBeGreaterThan(0.3);
    expect(marks).toEqual(['m1']);
    player.clear(); // barge-in: m2's audio is never played, m2 comes back at once
    expect(marks).toEqual(['m1', 'm2']);
    expect(player.queuedSamples).toBe(0);
    player.render(out);
    player.render(out);
    expect(Math.max(...out.map(Math.abs))).toBe(0);
  });
});
