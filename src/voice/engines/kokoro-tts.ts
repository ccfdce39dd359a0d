import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PcmAudio } from '../audio/wav.js';
import { InferenceWorker } from './inference-worker.js';
import { speakableClauses } from './speakable-clauses.js';
import type { SynthesizeOptions, TextToSpeech } from './text-to-speech.js';
import { WorkQueue } from './work-queue.js';

/**
 * Kokoro-82M through kokoro-js on a worker thread. Each sentence is synthesized clause by clause,
 * so the caller hears the first clause while the next is being made; an abort stops before the
 * next clause and drops the one in flight. The model loads from DATA_DIR/models only; the voices
 * (style vectors) ship inside kokoro-js.
 */
export interface KokoroOptions {
  modelsDir: string;
  repo?: string;
  /** 'q8' (the catalog's quantized model, ~90 MB) or 'fp32'. */
  dtype?: string;
  defaultVoice?: string;
  threads?: number;
  /** Clauses waiting for the worker across all calls before new ones are refused (→ fallback voice). */
  maxWaiting?: number;
  loadTimeoutMs?: number;
}

export const KOKORO_REPO = 'onnx-community/Kokoro-82M-v1.0-ONNX';
export const KOKORO_SAMPLE_RATE = 24_000;
const require = createRequire(import.meta.url);

/** The voices kokoro-js ships (`af_heart`, `bm_george`, …), read from its package. */
export function kokoroVoices(): string[] {
  const folder = join(dirname(require.resolve('kokoro-js')), '..', 'voices');
  return readdirSync(folder)
    .filter((f) => f.endsWith('.bin'))
    .map((f) => f.slice(0, -4))
    .sort();
}

// Plain JavaScript for the worker thread (see InferenceWorker).
const WORKER_SOURCE = /* js */ `
const { parentPort, workerData } = require('node:worker_threads');
let tts;
(async () => {
  try {
    const t = require(workerData.transformersPath);
    t.env.allowRemoteModels = false;
    t.env.allowLocalModels = true;
    t.env.localModelPath = workerData.modelsDir;
    const { KokoroTTS } = require(workerData.kokoroPath);
    // Built by hand rather than KokoroTTS.from_pretrained, which takes no onnxruntime session options.
    const [model, tokenizer] = await Promise.all([
      t.StyleTextToSpeech2Model.from_pretrained(workerData.repo, {
        dtype: workerData.dtype,
        device: 'cpu',
        session_options: { intraOpNumThreads: workerData.threads, interOpNumThreads: 1 },
      }),
      t.AutoTokenizer.from_pretrained(workerData.repo),
    ]);
    tts = new KokoroTTS(model, tokenizer);
    await tts.generate('Hello.', { voice: workerData.defaultVoice });
    parentPort.postMessage({ type: 'ready' });
  } catch (error) {
    parentPort.postMessage({ type: 'fatal', message: String(error && error.message || error) });
  }
})();
const cancelled = new Set();
parentPort.on('message', async (message) => {
  if (message.type === 'cancel') { cancelled.add(message.id); return; }
  const { id, payload } = message;
  try {
    const audio = await tts.generate(payload.text, { voice: payload.voice, speed: payload.speed });
    if (cancelled.has(id)) return;
    // RawAudio.data joins the chunks (.audio may be a list of them in transformers.js 4); copied to be transferable.
    const samples = Float32Array.from(audio.data);
    parentPort.postMessage({ type: 'done', id, data: { samples, sampleRate: audio.sampling_rate } }, [samples.buffer]);
  } catch (error) {
    if (!cancelled.has(id)) parentPort.postMessage({ type: 'error', id, message: String(error && error.message || error) });
  } finally {
    cancelled.delete(id);
  }
});
`;

export class KokoroTts implements TextToSpeech {
  readonly name = 'kokoro';
  readonly voices: ReadonlySet<string>;
  private readonly defaultVoice: string;
  private readonly worker: InferenceWorker;
  private readonly queue: WorkQueue;

  constructor(options: KokoroOptions) {
    this.voices = new Set(kokoroVoices());
    this.defaultVoice = options.defaultVoice && this.voices.has(options.defaultVoice) ? options.defaultVoice : 'af_heart';
    this.worker = new InferenceWorker({
      name: 'kokoro',
      source: WORKER_SOURCE,
      loadTimeoutMs: options.loadTimeoutMs,
      workerData: {
        transformersPath: require.resolve('@huggingface/transformers'),
        kokoroPath: require.resolve('kokoro-js'),
        modelsDir: options.modelsDir,
        repo: options.repo ?? KOKORO_REPO,
        dtype: options.dtype ?? 'q8',
        threads: options.threads ?? 2,
        defaultVoice: this.defaultVoice,
      },
    });
    this.queue = new WorkQueue('kokoro', { concurrency: 1, maxWaiting: options.maxWaiting ?? 32 });
  }

  async load(): Promise<void> {
    await this.worker.start();
  }

  get loadMs(): number | undefined {
    return this.worker.loadMs;
  }

  /** An agent's voice if Kokoro has it; else the default (an agent moved from another engine keeps talking). */
  voiceFor(id: string | undefined): string {
    return id && this.voices.has(id) ? id : this.defaultVoice;
  }

  async *synthesize(text: string, options: SynthesizeOptions): AsyncIterable<PcmAudio> {
    const voice = this.voiceFor(options.voice);
    const speed = Math.min(2, Math.max(0.5, options.speed ?? 1));
    for (const clause of speakableClauses(text)) {
      if (options.signal.aborted) return;
      let audio: { samples: Float32Array; sampleRate: number };
      try {
        audio = await this.queue.run(
          () => this.worker.request({ text: clause, voice, speed }, { signal: options.signal }),
          options.signal,
        );
      } catch (error) {
        if (options.signal.aborted) return;
        throw error;
      }
      yield { samples: toPcm16(audio.samples), sampleRate: audio.sampleRate };
    }
  }

  async close(): Promise<void> {
    this.queue.clear(new Error('kokoro closed'));
    await this.worker.close();
  }
}

function toPcm16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]!));
    out[i] = s < 0 ? s * 32768 : s * 32767;
  }
  return out;
}
