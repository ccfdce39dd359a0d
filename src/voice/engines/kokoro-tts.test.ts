/**
 * Kokoro through the real kokoro-js (phonemizer, tokenizer, StyleTextToSpeech2Model, the voices it
 * ships) on a worker thread, over the tiny generated model: KOKORO_SAMPLES_PER_TOKEN samples of
 * tone per input token, scaled by 1/speed, at 24 kHz.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTinyModels } from '../../../scripts/generate-tiny-models.js';
import type { PcmAudio } from '../audio/wav.js';
import { KOKORO_SAMPLE_RATE, KokoroTts, kokoroVoices } from './kokoro-tts.js';

let modelsDir: string;
let kokoro: KokoroTts;

beforeAll(async () => {
  modelsDir = await mkdtemp(join(tmpdir(), 'kokoro-tts-'));
  await generateTinyModels(modelsDir);
  kokoro = new KokoroTts({ modelsDir, defaultVoice: 'af_heart' });
  await kokoro.load();
}, 60_000);

afterAll(async () => {
  await kokoro?.close();
  if (modelsDir) await rm(modelsDir, { recursive: true, force: true });
});

async function speak(text: string, options: { voice?: string; speed?: number; signal?: AbortSignal } = {}) {
  const chunks: (PcmAudio & { atMs: number })[] = [];
  const started = performance.now();
  for await (const chunk of kokoro.synthesize(text, { signal: options.signal ?? new AbortController().signal, ...options })) {
    chunks.push({ ...chunk, atMs: performance.now() - started });
  }
  return { chunks, samples: chunks.reduce((n, c) => n + c.samples.length, 0) };
}

describe('local Kokoro text-to-speech', () => {
  it('offers the voices kokoro-js ships', () => {
    expect(kokoroVoices()).toEqual(expect.arrayContaining(['af_heart', 'am_michael', 'bf_emma', 'bm_george']));
    expect(kokoro.voiceFor('bm_george')).toBe('bm_george');
    // An agent moved from another engine (an ElevenLabs id, an espeak language) keeps talking.
    expect(kokoro.voiceFor('pNInz6obpgDQGcFmaJgB')).toBe('af_heart');
    expect(kokoro.voiceFor('en-us')).toBe('af_heart');
  });

  it('speaks 24 kHz PCM whose length follows the text', async () => {
    const short = await speak('Hello there.');
    const long = await speak('Hello there, we are open from nine until five every weekday.');
    expect(short.chunks.every((c) => c.sampleRate === KOKORO_SAMPLE_RATE)).toBe(true);
    expect(short.samples).toBeGreaterThan(0);
    expect(long.samples).toBeGreaterThan(short.samples * 3);
    expect(short.chunks[0]!.samples.some((s) => Math.abs(s) > 1000)).toBe(true); // audible, not zeros
  });

  it('yields the first clause before the rest of the sentence is made', async () => {
    const { chunks } = await speak('We are open from nine until five on weekdays, and from ten until two on Saturdays.');
    expect(chunks).toHaveLength(2);
    expect(chunks[0]!.atMs).toBeLessThan(chunks[1]!.atMs);
  });

  it('speaks faster at a higher speed', async () => {
    const normal = await speak('Thanks for calling.', { speed: 1 });
    const fast = await speak('Thanks for calling.', { speed: 2 });
    expect(fast.samples / normal.samples).toBeCloseTo(0.5, 1);
  });

  it('stops mid-sentence when aborted, without throwing', async () => {
    const controller = new AbortController();
    const chunks: PcmAudio[] = [];
    for await (const chunk of kokoro.synthesize('One two three four, five six seven eight, nine ten eleven twelve.', { signal: controller.signal })) {
      chunks.push(chunk);
      controller.abort(new Error('barge-in'));
    }
    expect(chunks).toHaveLength(1);
  });

  it('uses another shipped voice when asked (same accent: same length, a different style vector)', async () => {
    const heart = await speak('Good morning.', { voice: 'af_heart' });
    const michael = await speak('Good morning.', { voice: 'am_michael' });
    expect(michael.samples).toBe(heart.samples);
    expect(Buffer.from(michael.chunks[0]!.samples.buffer).equals(Buffer.from(heart.chunks[0]!.samples.buffer))).toBe(false);
  });
});
