import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AutoFeatureExtractor, env, Tensor } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../paths.js';
import { decodeWav } from '../audio/wav.js';
import { FAST_FEATURES_JS } from './whisper-fast-features.js';

type Extractor = ((audio: Float32Array) => Promise<{ input_features: Tensor }>) & { config: Record<string, number> };

const jfk = Float32Array.from(decodeWav(readFileSync(resolve(projectRoot, '../shared/fixtures/audio/jfk.wav'))).samples, (s) => s / 32768);
const speedUp = new Function(`${FAST_FEATURES_JS}; return speedUpFeatures;`)() as (extractor: Extractor, tensor: typeof Tensor) => void;
let stock: Extractor;
let fast: Extractor;

beforeAll(async () => {
  // The real whisper-tiny.en preprocessor config (80 mel bins, hop 160, 30 s windows).
  env.allowRemoteModels = false;
  env.localModelPath = resolve(projectRoot, '../shared/models');
  stock = (await AutoFeatureExtractor.from_pretrained('whisper-tiny.en')) as unknown as Extractor;
  fast = (await AutoFeatureExtractor.from_pretrained('whisper-tiny.en')) as unknown as Extractor;
  speedUp(fast, Tensor);
});

const loop = (seconds: number) => Float32Array.from({ length: Math.round(seconds * 16000) }, (_, i) => jfk[i % jfk.length]!);

describe('Whisper log-mel features computed for the utterance only', () => {
  it.each([
    ['3 s of speech', jfk.subarray(0, 3 * 16000)],
    ['a 0.3 s blip', jfk.subarray(16000, 16000 + 4800)],
    ['an odd length', jfk.subarray(5000, 5000 + 12345)],
    ['2 s of digital silence', new Float32Array(32000)],
    ['25 s of speech', loop(25)],
  ])('are the stock extractor’s numbers for %s', async (_name, audio) => {
    const expected = (await stock(audio)).input_features;
    const actual = (await fast(audio)).input_features;
    expect(actual.dims).toEqual(expected.dims);
    let worst = 0;
    for (let i = 0; i < expected.data.length; i++) worst = Math.max(worst, Math.abs((actual.data[i] as number) - (expected.data[i] as number)));
    expect(worst).toBeLessThan(1e-5);
  });

  it('leaves audio near and past 30 s to the stock extractor', async () => {
    const long = loop(31);
    expect((await fast(long)).input_features.dims).toEqual([1, 80, 3000]);
  });
});
