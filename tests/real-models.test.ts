/**
 * The local voice engines over their REAL weights: Whisper hears jfk.wav, and what Kokoro says
 * Whisper hears back. The weights are not in the repository or in CI (`npm run models` fetches
 * them into DATA_DIR/models, or MODELS_DIR); without them these tests are skipped and say so in
 * one line. The tiny generated models (scripts/generate-tiny-models.ts) cover the plumbing in the
 * engines' own tests; only real weights can show that speech actually becomes the right words.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/paths.js';
import { resample } from '../src/voice/audio/resampler.js';
import { decodeWav } from '../src/voice/audio/wav.js';
import { KOKORO_SAMPLE_RATE, KokoroTts } from '../src/voice/engines/kokoro-tts.js';
import { WhisperSpeechToText } from '../src/voice/engines/whisper-stt.js';
import { kokoroEntry, modelStatus, WHISPER_SIZES, whisperEntry } from '../src/voice/models/model-catalog.js';

const modelsDir = resolve(process.env.MODELS_DIR ?? resolve(projectRoot, 'data', 'models'));
// base.en first: the server's default, and the more accurate of the two.
const whisperSize = WHISPER_SIZES.find((size) => modelStatus(modelsDir, whisperEntry(size)).ready);
const hasKokoro = modelStatus(modelsDir, kokoroEntry()).ready;

const absent = [whisperSize ? undefined : 'Whisper', hasKokoro ? undefined : 'Kokoro'].filter(Boolean);
if (absent.length > 0) {
  console.warn(
    `${absent.length === 2 ? 'real-model tests skipped' : 'some real-model tests skipped'}: no ${absent.join('/')} weights in ${modelsDir}; run npm run models to fetch them`,
  );
}

const never = () => new AbortController().signal;
/** Lowercase words, punctuation gone, small numbers spelled out ("9 to 5" and "nine to five" alike). */
function words(text: string): string[] {
  const spelled = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}' ]+/gu, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => (/^\d+$/.test(w) && Number(w) < spelled.length ? spelled[Number(w)]! : w));
}

describe.skipIf(!whisperSize)(`real Whisper (${whisperSize ?? 'absent'})`, () => {
  let whisper: WhisperSpeechToText;

  beforeAll(async () => {
    whisper = new WhisperSpeechToText({ modelsDir, repo: whisperEntry(whisperSize!).repo });
    await whisper.load();
  }, 180_000);

  afterAll(async () => {
    await whisper?.close();
  });

  it('transcribes jfk.wav', async () => {
    const jfk = decodeWav(readFileSync(resolve(projectRoot, '../shared/fixtures/audio/jfk.wav')));
    expect(jfk.sampleRate).toBe(16_000);
    const { text } = await whisper.transcribe(jfk.samples, { signal: never() });
    expect(words(text).join(' ')).toMatch(/ask not what your country can do for you/i);
    expect(words(text).join(' ')).toMatch(/my fellow americans/i);
  }, 60_000);

  describe.skipIf(!hasKokoro)('with real Kokoro', () => {
    let kokoro: KokoroTts;

    beforeAll(async () => {
      kokoro = new KokoroTts({ modelsDir });
      await kokoro.load();
    }, 180_000);

    afterAll(async () => {
      await kokoro?.close();
    });

    it('says a sentence that Whisper hears back', async () => {
      const sentence = 'Thanks for calling, we are open from nine to five.';
      const chunks: Int16Array[] = [];
      for await (const chunk of kokoro.synthesize(sentence, { signal: never(), voice: 'af_heart' })) {
        expect(chunk.sampleRate).toBe(KOKORO_SAMPLE_RATE);
        chunks.push(chunk.samples);
      }
      const speech = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
      chunks.reduce((at, c) => (speech.set(c, at), at + c.length), 0);
      const seconds = speech.length / KOKORO_SAMPLE_RATE;
      expect(seconds).toBeGreaterThan(1); // ten words (about 3 s), not a click
      expect(seconds).toBeLessThan(8);

      const { text } = await whisper.transcribe(resample(speech, KOKORO_SAMPLE_RATE, 16_000), { signal: never() });
      const heard = new Set(words(text));
      const expected = words(sentence);
      const found = expected.filter((w) => heard.has(w));
      expect(found.length / expected.length, `heard "${text}"`).toBeGreaterThanOrEqual(0.7);
    }, 60_000);
  });
});
