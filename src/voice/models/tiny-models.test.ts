/**
 * The tiny generated models (scripts/generate-tiny-models.ts) run through the REAL libraries:
 * transformers.js's ASR pipeline (feature extractor, generation loop, KV cache, Whisper tokenizer)
 * and kokoro-js (phonemizer, tokenizer, StyleTextToSpeech2Model, voices from its package).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { env, pipeline, type AutomaticSpeechRecognitionPipeline, type Tensor } from '@huggingface/transformers';
import { KokoroTTS, TextSplitterStream } from 'kokoro-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KOKORO_REPO,
  KOKORO_SAMPLE_RATE,
  KOKORO_SAMPLES_PER_TOKEN,
  TINY_WHISPER_PHRASE,
  WHISPER_REPO,
  generateTinyModels,
} from '../../../scripts/generate-tiny-models.js';
import { projectRoot } from '../../paths.js';
import { decodeWav } from '../audio/wav.js';
import { kokoroEntry, modelStatus, whisperEntry } from './model-catalog.js';

const JFK_WAV = resolve(projectRoot, '../shared/fixtures/audio/jfk.wav');

let modelsDir: string;
const saved = { localModelPath: env.localModelPath, allowRemoteModels: env.allowRemoteModels };

beforeAll(async () => {
  modelsDir = await mkdtemp(join(tmpdir(), 'tiny-models-'));
  await generateTinyModels(modelsDir);
  env.localModelPath = modelsDir;
  env.allowRemoteModels = false;
});

afterAll(async () => {
  env.localModelPath = saved.localModelPath;
  env.allowRemoteModels = saved.allowRemoteModels;
  if (modelsDir) await rm(modelsDir, { recursive: true, force: true });
});

function jfk(): Float32Array {
  const { samples, sampleRate } = decodeWav(readFileSync(JFK_WAV));
  expect(sampleRate).toBe(16_000);
  return Float32Array.from(samples, (s) => s / 32768);
}

describe('generated layout', () => {
  it('has every file the model catalogue lists, each model file under 5 MB', async () => {
    for (const entry of [whisperEntry('tiny.en'), kokoroEntry()]) {
      const status = modelStatus(modelsDir, entry);
      expect(status.missing).toEqual([]);
      for (const file of status.present.filter((f) => f.endsWith('.onnx'))) {
        expect((await stat(join(status.dir, file))).size).toBeLessThan(5_000_000);
      }
    }
    expect(whisperEntry('tiny.en').repo).toBe(WHISPER_REPO);
    expect(kokoroEntry().repo).toBe(KOKORO_REPO);
  });
});

describe('tiny Whisper through the transformers.js ASR pipeline', () => {
  let asr: AutomaticSpeechRecognitionPipeline;
  const transcribe = async (audio: Float32Array): Promise<string> => {
    const out = (await asr(audio)) as { text: string };
    return out.text;
  };

  beforeAll(async () => {
    asr = await pipeline('automatic-speech-recognition', WHISPER_REPO, { dtype: 'q8', device: 'cpu' });
  });
  afterAll(async () => {
    await asr?.dispose();
  });

  it('says the scripted phrase, decoded by the real tokenizer, for speech', async () => {
    expect(await transcribe(jfk())).toBe(TINY_WHISPER_PHRASE);
  });

  it('says nothing for silence', async () => {
    expect(await transcribe(new Float32Array(2 * 16_000))).toBe('');
  });

  it('depends on the audio level: quiet speech still counts, a faint noise floor does not', async () => {
    expect(await transcribe(jfk().map((s) => s * 0.1))).toBe(TINY_WHISPER_PHRASE); // -20 dB
    let seed = 1;
    const noise = new Float32Array(2 * 16_000).map(() => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return (seed / 2 ** 32 - 0.5) * 2e-3; // uniform in ±0.001: about -65 dBFS RMS
    });
    expect(await transcribe(noise)).toBe('');
  });

  it('generates step by step through the KV cache: prefix, phrase tokens, end of text', async () => {
    const tokenizer = asr.tokenizer;
    const phrase = tokenizer.encode(TINY_WHISPER_PHRASE, { add_special_tokens: false });
    const { input_features } = (await asr.processor(jfk())) as { input_features: Tensor };
    const sequences = (await asr.model.generate({ inputs: input_features })) as Tensor;
    const ids = (sequences.tolist() as bigint[][])[0]!.map(Number);
    const special = (t: string) => tokenizer.convert_tokens_to_ids([t])[0];
    expect(ids).toEqual([special('<|startoftranscript|>'), special('<|notimestamps|>'), ...phrase, special('<|endoftext|>')]);
  });
});

describe('tiny Kokoro through kokoro-js', () => {
  let tts: KokoroTTS;

  beforeAll(async () => {
    tts = await KokoroTTS.from_pretrained(KOKORO_REPO, { dtype: 'q8', device: 'cpu' });
  });

  /**
   * The tokens kokoro-js feeds the model for one sentence (its own phonemes through the tokenizer).
   * Through a closed TextSplitterStream: kokoro-js 1.2.1's stream(string) never closes its splitter,
   * so it never yields the last sentence and never ends.
   */
  async function tokenCount(sentence: string): Promise<number> {
    const splitter = new TextSplitterStream();
    splitter.push(sentence);
    splitter.close();
    const counts: number[] = [];
    for await (const chunk of tts.stream(splitter, { voice: 'af_heart' })) {
      counts.push((tts.tokenizer(chunk.phonemes, { truncation: true }).input_ids as Tensor).dims.at(-1)!);
    }
    expect(counts).toHaveLength(1);
    return counts[0]!;
  }

  it('returns 24 kHz audio, N·600/speed samples for N tokens', async () => {
    const text = 'Hello there.';
    const tokens = await tokenCount(text);
    expect(tokens).toBeGreaterThan(5);
    for (const speed of [1, 2, 0.5]) {
      const audio = await tts.generate(text, { voice: 'af_heart', speed });
      expect(audio.sampling_rate).toBe(KOKORO_SAMPLE_RATE);
      expect(audio.data.length).toBe(Math.floor((tokens * KOKORO_SAMPLES_PER_TOKEN) / speed));
    }
  });

  it('gets longer with longer text, and is a tone rather than silence', async () => {
    const short = await tts.generate('Hi.', { voice: 'af_heart' });
    const long = await tts.generate('Hello, and thank you for calling. How can I help you today?', { voice: 'af_heart' });
    expect(long.data.length).toBeGreaterThan(3 * short.data.length);
    let peak = 0;
    for (const s of long.data) peak = Math.max(peak, Math.abs(s));
    expect(peak).toBeGreaterThan(0.05);
    expect(peak).toBeLessThanOrEqual(0.3);
  });
});
