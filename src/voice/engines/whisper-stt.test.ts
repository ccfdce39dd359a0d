/**
 * Local Whisper through the real transformers.js pipeline on a worker thread, over the tiny
 * generated whisper-tiny.en (scripts/generate-tiny-models.ts): the real config, feature extractor,
 * generation loop and tokenizer run; the tiny decoder says its scripted phrase for speech and
 * nothing for silence.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTinyModels, TINY_WHISPER_PHRASE, WHISPER_REPO } from '../../../scripts/generate-tiny-models.js';
import { projectRoot } from '../../paths.js';
import { decodeWav } from '../audio/wav.js';
import { QueueFullError } from './work-queue.js';
import { WhisperSpeechToText } from './whisper-stt.js';

const jfk = decodeWav(readFileSync(resolve(projectRoot, '../shared/fixtures/audio/jfk.wav'))).samples;
const never = () => new AbortController().signal;
let modelsDir: string;
let whisper: WhisperSpeechToText;
const depths: number[] = [];
const waits: number[] = [];

beforeAll(async () => {
  modelsDir = await mkdtemp(join(tmpdir(), 'whisper-stt-'));
  await generateTinyModels(modelsDir);
  whisper = new WhisperSpeechToText({
    modelsDir,
    repo: WHISPER_REPO,
    maxWaiting: 2,
    observer: { depth: (n) => depths.push(n), waited: (s) => waits.push(s) },
  });
  await whisper.load();
}, 60_000);

afterAll(async () => {
  await whisper?.close();
  if (modelsDir) await rm(modelsDir, { recursive: true, force: true });
});

describe('local Whisper speech-to-text', () => {
  it('loads from disk and is warmed before the first caller', () => {
    expect(whisper.loadMs).toBeGreaterThan(0);
    expect(whisper.name).toBe('whisper (whisper-tiny.en)');
  });

  it('transcribes a 16 kHz utterance without waiting for a 30 s window, decoded by the real tokenizer', async () => {
    const { text } = await whisper.transcribe(jfk.subarray(0, 16000 * 3), { signal: never() });
    expect(text).toBe(TINY_WHISPER_PHRASE.trim());
  });

  it('hears nothing in silence', async () => {
    expect(await whisper.transcribe(new Int16Array(16000 * 2), { signal: never() })).toEqual({ text: '' });
  });

  it('transcribes an utterance longer than 30 s in overlapping windows', async () => {
    const long = new Int16Array(16000 * 40);
    for (let at = 0; at + jfk.length <= long.length; at += jfk.length) long.set(jfk, at);
    const { text } = await whisper.transcribe(long, { signal: never() });
    expect(text).toContain('tiny model');
  });

  it('queues utterances one at a time, reports the wait, and refuses beyond the bound', async () => {
    depths.length = 0;
    waits.length = 0;
    const audio = jfk.subarray(0, 16000 * 2);
    const accepted = [0, 1, 2].map(() => whisper.transcribe(audio, { signal: never() }));
    await expect(whisper.transcribe(audio, { signal: never() })).rejects.toBeInstanceOf(QueueFullError);
    expect(Math.max(...depths)).toBe(2);
    const texts = await Promise.all(accepted);
    expect(texts.map((t) => t.text)).toEqual(Array(3).fill(TINY_WHISPER_PHRASE.trim()));
    expect(waits).toHaveLength(3);
    expect(waits[2]!).toBeGreaterThan(waits[0]!); // the third waited for two transcriptions
  });

  it('drops an utterance whose caller barged in or hung up, and keeps serving others', async () => {
    const audio = jfk.subarray(0, 16000 * 2);
    const first = whisper.transcribe(audio, { signal: never() });
    const controller = new AbortController();
    const abandoned = whisper.transcribe(audio, { signal: controller.signal });
    controller.abort(new Error('caller hung up'));
    await expect(abandoned).rejects.toThrow('caller hung up');
    const running = new AbortController();
    const interrupted = whisper.transcribe(audio, { signal: running.signal });
    await first;
    running.abort(new Error('barge-in'));
    await expect(interrupted).rejects.toThrow('barge-in');
    expect((await whisper.transcribe(audio, { signal: never() })).text).toBe(TINY_WHISPER_PHRASE.trim());
  });

  it('fails clearly, once, when the model files are not there', async () => {
    const missing = new WhisperSpeechToText({ modelsDir: join(modelsDir, 'nothing-here'), repo: WHISPER_REPO });
    try {
      await expect(missing.load()).rejects.toThrow(/whisper \(whisper-tiny\.en\) failed to load/);
      await expect(missing.transcribe(new Int16Array(1600), { signal: never() })).rejects.toThrow(/failed to load/);
    } finally {
      await missing.close();
    }
  });
});
