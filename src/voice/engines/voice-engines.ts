import type { SttEngineName, TtsEngineName } from '../../agents/agent-settings.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { ReadinessCheck } from '../../services.js';
import { kokoroEntry, missingModelsMessage, modelStatus, whisperEntry } from '../models/model-catalog.js';
import { PhraseCache } from '../session/phrase-cache.js';
import { SileroVad } from '../vad/silero-vad.js';
import { ElevenLabsSpeechToText } from './elevenlabs-stt.js';
import { ElevenLabsTts } from './elevenlabs-tts.js';
import { EspeakTts } from './espeak-tts.js';
import { FallbackSpeechToText, sttLink, type SttLink } from './fallback-stt.js';
import { FallbackTextToSpeech, ttsLink, type TtsLink } from './fallback-tts.js';
import { KokoroTts } from './kokoro-tts.js';
import { LocalModel } from './local-model.js';
import { OpenAiSpeechToText } from './openai-stt.js';
import type { SpeechToText } from './speech-to-text.js';
import type { TextToSpeech } from './text-to-speech.js';
import { WhisperSpeechToText } from './whisper-stt.js';

/** The process's voice engines, shared by every call (each call keeps its own state). */
export interface VoiceEngines {
  vad: SileroVad;
  /** The server defaults (STT_ENGINE / TTS_ENGINE first, then every other engine configured). */
  stt: SpeechToText;
  tts: TextToSpeech;
  /** The chain for an agent that picked its own engine (undefined: the server default). */
  sttFor(choice?: SttEngineName): SpeechToText;
  ttsFor(choice?: TtsEngineName): TextToSpeech;
  phraseCache: PhraseCache;
}

export interface LoadedVoiceEngines {
  engines: VoiceEngines;
  readiness: Map<string, ReadinessCheck>;
  /** Local models, for tests and the benchmark (their load may still be under way). */
  local: { whisper: LocalModel<WhisperSpeechToText>; kokoro: LocalModel<KokoroTts> };
  close(): Promise<void>;
}

/**
 * Builds the engines once at start-up. Local Whisper and Kokoro load in the background from
 * DATA_DIR/models (downloaded first when MODELS_AUTO_DOWNLOAD is on); until they are ready, and
 * whenever one fails, the chains fall through to the next engine: cloud engines when configured,
 * and embedded espeak-ng, which always speaks. So the server starts and answers calls with no
 * network and no models, and says in one log line what is missing.
 */
export async function loadVoiceEngines(config: Config, log: Logger, metrics: Metrics): Promise<LoadedVoiceEngines> {
  const vad = await SileroVad.load();
  const espeak = new EspeakTts();
  await espeak.warmUp();

  const whisperFiles = whisperEntry(config.models.whisper);
  const whisper = new LocalModel(
    whisperFiles,
    new WhisperSpeechToText({
      modelsDir: config.models.dir,
      repo: whisperFiles.repo,
      maxWaiting: config.stt.maxWaiting,
      observer: { depth: (n) => metrics.sttQueueDepth.set(n), waited: (s) => metrics.sttQueueWait.observe(s) },
    }),
    config.models.dir,
    log,
  );
  const kokoro = new LocalModel(kokoroEntry(), new KokoroTts({ modelsDir: config.models.dir, defaultVoice: config.models.kokoroVoice }), config.models.dir, log);

  const cloud = config.elevenLabs;
  const stts = new Map<SttEngineName, SttLink>([['whisper', sttLink(whisper.engine, () => whisper.ready)]]);
  if (config.stt.apiKey) stts.set('openai', sttLink(new OpenAiSpeechToText({ baseUrl: config.stt.baseUrl, apiKey: config.stt.apiKey, model: config.stt.model })));
  if (cloud) stts.set('elevenlabs', sttLink(new ElevenLabsSpeechToText({ apiKey: cloud.apiKey, baseUrl: cloud.baseUrl })));

  const ttss = new Map<TtsEngineName, TtsLink>([['kokoro', ttsLink(kokoro.engine, () => kokoro.ready)]]);
  if (cloud) ttss.set('elevenlabs', ttsLink(new ElevenLabsTts({ apiKey: cloud.apiKey, baseUrl: cloud.baseUrl, modelId: cloud.model, defaultVoiceId: cloud.voiceId })));
  ttss.set('espeak', ttsLink(espeak));

  const sttChains = new Map<string, SpeechToText>();
  const sttFor = (choice?: SttEngineName): SpeechToText => {
    const order = unique([choice, config.stt.engine, 'whisper', 'openai', 'elevenlabs'] as (SttEngineName | undefined)[]);
    const key = order.join('>');
    let chain = sttChains.get(key);
    if (!chain) {
      chain = new FallbackSpeechToText(order.flatMap((name) => stts.get(name) ?? []), { log, timeoutMs: config.stt.timeoutMs, onFallback: (engine) => metrics.engineFallbacks.inc({ kind: 'stt', engine }) });
      sttChains.set(key, chain);
    }
    return chain;
  };
  const ttsChains = new Map<string, TextToSpeech>();
  const ttsFor = (choice?: TtsEngineName): TextToSpeech => {
    // espeak-ng is the floor: always last, whatever was chosen.
    const order = unique([choice === 'espeak' ? undefined : choice, config.tts.engine === 'espeak' ? undefined : config.tts.engine, 'kokoro', 'elevenlabs', 'espeak'] as (TtsEngineName | undefined)[]);
    const picked = choice === 'espeak' || (!choice && config.tts.engine === 'espeak') ? (['espeak'] as TtsEngineName[]) : order;
    const key = picked.join('>');
    let chain = ttsChains.get(key);
    if (!chain) {
      chain = new FallbackTextToSpeech(picked.flatMap((name) => ttss.get(name) ?? []), {
        log,
        onFallback: (engine) => metrics.engineFallbacks.inc({ kind: 'tts', engine }),
        firstAudioTimeoutMs: config.tts.firstAudioTimeoutMs,
      });
      ttsChains.set(key, chain);
    }
    return chain;
  };

  // Local models load in the background: the port opens at once and calls use the next engine meanwhile.
  const download = config.models.autoDownload ? { endpoint: config.models.hfEndpoint, token: config.models.hfToken } : undefined;
  const missing = missingModelsMessage([modelStatus(config.models.dir, whisper.entry), modelStatus(config.models.dir, kokoro.entry)]);
  if (missing) {
    log.warn(
      { event: 'models.missing' },
      download ? `${missing} Downloading them now from ${download.endpoint}; espeak-ng speaks meanwhile.` : `${missing} Until then: espeak-ng speaks${stts.size > 1 ? ' and cloud speech-to-text listens' : ' and callers cannot be heard'}.`,
    );
  }
  void whisper.start(download);
  void kokoro.start(download);

  const readiness = new Map<string, ReadinessCheck>([
    ['vad', () => ({ ok: true, detail: 'silero' })],
    ['stt', () => chainReadiness(sttFor().name, [['whisper', whisper], ...[...stts.keys()].filter((k) => k !== 'whisper').map((k) => [k, { ready: true, state: 'configured', detail: '' }] as const)])],
    ['tts', () => chainReadiness(ttsFor().name, [['kokoro', kokoro], ...[...ttss.keys()].filter((k) => k !== 'kokoro').map((k) => [k, { ready: true, state: 'configured', detail: '' }] as const)], true)],
  ]);

  return {
    engines: { vad, stt: sttFor(), tts: ttsFor(), sttFor, ttsFor, phraseCache: new PhraseCache(1024) },
    readiness,
    local: { whisper, kokoro },
    close: async () => {
      await Promise.all([espeak.close(), vad.close(), whisper.close(), kokoro.close()]);
    },
  };
}

/**
 * Engines are not critical for readiness: a call with espeak-ng and a cloud or no STT still beats
 * a refused call. `ok` says whether the first engine in the chain is usable now.
 */
function chainReadiness(
  chain: string,
  engines: ReadonlyArray<readonly [string, { ready: boolean; state: string; detail: string }]>,
  alwaysSpeaks = false,
): ReturnType<ReadinessCheck> {
  const parts = engines.map(([name, e]) => `${name}: ${e.state}${e.detail ? ` (${e.detail})` : ''}`);
  const anyReady = alwaysSpeaks || engines.some(([, e]) => e.ready);
  return { ok: anyReady, critical: false, detail: `${chain}; ${parts.join('; ')}` };
}

function unique<T>(items: (T | undefined)[]): T[] {
  return [...new Set(items.filter((i): i is T => i !== undefined))];
}
