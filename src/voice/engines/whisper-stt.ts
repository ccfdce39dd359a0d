import { createRequire } from 'node:module';
import { InferenceWorker } from './inference-worker.js';
import { FAST_FEATURES_JS } from './whisper-fast-features.js';
import type { SpeechToText } from './speech-to-text.js';
import { WorkQueue, type WorkQueueObserver } from './work-queue.js';

/**
 * Local Whisper (transformers.js on onnxruntime-node) on a worker thread, behind a bounded queue.
 * Models load from disk only (`allowRemoteModels` off: downloads are `npm run models`' job, with
 * progress, resume and checksums) and are warmed with one silent utterance so the first caller
 * does not pay for graph initialisation.
 */
export interface WhisperOptions {
  /** DATA_DIR/models: files at `${modelsDir}/${repo}/...`. */
  modelsDir: string;
  repo: string;
  /** transformers.js dtype; 'q8' loads the `_quantized` files the catalog downloads. */
  dtype?: string;
  /** onnxruntime intra-op threads per run; on 2 cores one run at a time with 2 threads is fastest. */
  threads?: number;
  /** Utterances transcribed at once (one worker each would double memory; runs share the worker). */
  concurrency?: number;
  maxWaiting?: number;
  observer?: WorkQueueObserver;
  loadTimeoutMs?: number;
  /** Log-mel features for the utterance only, not its 30 s padding (same values; default on). */
  fastFeatures?: boolean;
}

const require = createRequire(import.meta.url);

// Plain JavaScript for the worker thread (see InferenceWorker).
const WORKER_SOURCE = /* js */ `
const { parentPort, workerData } = require('node:worker_threads');
const stoppers = new Map();
let transcriber;
let t;
const englishOnly = /\\.en$/.test(workerData.repo);
function options(stopper, samples) {
  const o = {
    // About 3 tokens a second of speech, with room to spare; a looping decoder stops here.
    max_new_tokens: Math.min(440, 24 + Math.ceil(samples / 16000) * 6),
    // Checked between decoder steps: a cancelled utterance (barge-in, hang-up) frees the CPU.
    stopping_criteria: stopper ? [stopper] : [],
  };
  // Whisper sees 30 s windows; a longer utterance is cut into overlapping ones.
  if (samples > 30 * 16000) Object.assign(o, { chunk_length_s: 30, stride_length_s: 5 });
  return o;
}
${FAST_FEATURES_JS}
(async () => {
  try {
    t = require(workerData.transformersPath);
    t.env.allowRemoteModels = false;
    t.env.allowLocalModels = true;
    t.env.localModelPath = workerData.modelsDir;
    transcriber = await t.pipeline('automatic-speech-recognition', workerData.repo, {
      dtype: workerData.dtype,
      device: 'cpu',
      session_options: { intraOpNumThreads: workerData.threads, interOpNumThreads: 1 },
    });
    if (workerData.fastFeatures) speedUpFeatures(transcriber.processor.feature_extractor, t.Tensor);
    await transcriber(new Float32Array(16000), options(undefined, 16000));
    parentPort.postMessage({ type: 'ready', info: { repo: workerData.repo } });
  } catch (error) {
    parentPort.postMessage({ type: 'fatal', message: String(error && error.message || error) });
  }
})();
parentPort.on('message', async (message) => {
  if (message.type === 'cancel') { stoppers.get(message.id)?.interrupt(); return; }
  const { id, payload } = message;
  const stopper = new t.InterruptableStoppingCriteria();
  stoppers.set(id, stopper);
  try {
    const out = await transcriber(payload.audio, options(stopper, payload.audio.length));
    const text = (Array.isArray(out) ? out.map((o) => o.text).join(' ') : out.text) || '';
    if (!stopper.interrupted) parentPort.postMessage({ type: 'done', id, data: { text: text.trim() } });
  } catch (error) {
    if (!stopper.interrupted) parentPort.postMessage({ type: 'error', id, message: String(error && error.message || error) });
  } finally {
    stoppers.delete(id);
  }
});
`;

export class WhisperSpeechToText implements SpeechToText {
  readonly name: string;
  private readonly worker: InferenceWorker;
  private readonly queue: WorkQueue;

  constructor(options: WhisperOptions) {
    this.name = `whisper (${options.repo.split('/').pop()})`;
    this.worker = new InferenceWorker({
      name: this.name,
      source: WORKER_SOURCE,
      loadTimeoutMs: options.loadTimeoutMs,
      workerData: {
        transformersPath: require.resolve('@huggingface/transformers'),
        modelsDir: options.modelsDir,
        repo: options.repo,
        dtype: options.dtype ?? 'q8',
        threads: options.threads ?? 2,
        fastFeatures: options.fastFeatures ?? true,
      },
    });
    this.queue = new WorkQueue(this.name, { concurrency: options.concurrency ?? 1, maxWaiting: options.maxWaiting ?? 16, observer: options.observer });
  }

  /** Loads and warms the model; rejects with a clear reason when it cannot. */
  async load(): Promise<void> {
    await this.worker.start();
  }

  get loadMs(): number | undefined {
    return this.worker.loadMs;
  }

  get queueDepth(): number {
    return this.queue.depth;
  }

  async transcribe(audio: Int16Array, options: { signal: AbortSignal; language?: string }): Promise<{ text: string }> {
    const samples = new Float32Array(audio.length);
    for (let i = 0; i < audio.length; i++) samples[i] = audio[i]! / 32768;
    return this.queue.run(
      () => this.worker.request<{ text: string }>({ audio: samples }, { signal: options.signal, transfer: [samples.buffer] }),
      options.signal,
    );
  }

  async close(): Promise<void> {
    this.queue.clear(new Error(`${this.name} closed`));
    await this.worker.close();
  }
}
