import type { Config } from '../../config.js';
import type { Logger } from '../../observability/logger.js';
import type { ReadinessCheck } from '../../services.js';
import { PhraseCache } from '../session/phrase-cache.js';
import { SileroVad } from '../vad/silero-vad.js';
import { EspeakTts } from './espeak-tts.js';
import { OpenAiSpeechToText } from './openai-stt.js';
import type { SpeechToText } from './speech-to-text.js';
import type { TextToSpeech } from './text-to-speech.js';

/** The process's voice engines, shared by every call (each call keeps its own state). */
export interface VoiceEngines {
  vad: SileroVad;
  stt: SpeechToText;
  tts: TextToSpeech;
  phraseCache: PhraseCache;
}

/** Says what it cannot do instead of pretending: the caller is heard as silence. */
class UnavailableStt implements SpeechToText {
  readonly name = 'unavailable';
  async transcribe(): Promise<{ text: string }> {
    return { text: '' };
  }
}

/**
 * Builds the engines from configuration, once at start-up. Local Whisper and Kokoro arrive with
 * the speech-engine work; until then STT_ENGINE=whisper has no engine behind it (reported by
 * /readyz and logged once) and every TTS_ENGINE speaks through embedded espeak-ng.
 */
export async function loadVoiceEngines(config: Config, log: Logger): Promise<{ engines: VoiceEngines; readiness: Map<string, ReadinessCheck>; close(): Promise<void> }> {
  const vad = await SileroVad.load();
  const readiness = new Map<string, ReadinessCheck>([['vad', () => ({ ok: true, detail: 'silero' })]]);

  let stt: SpeechToText;
  if (config.stt.engine === 'openai' && config.stt.apiKey) {
    stt = new OpenAiSpeechToText({ baseUrl: config.stt.baseUrl, apiKey: config.stt.apiKey, model: config.stt.model });
    readiness.set('stt', () => ({ ok: true, detail: `openai-compatible (${config.stt.model})` }));
  } else {
    stt = new UnavailableStt();
    log.warn({ event: 'engine.unavailable', engine: 'stt' }, 'no speech-to-text engine: local Whisper is not installed yet; set STT_ENGINE=openai with STT_API_KEY to hear callers');
    readiness.set('stt', () => ({ ok: false, critical: false, detail: 'local Whisper not available; set STT_ENGINE=openai' }));
  }

  const espeak = new EspeakTts();
  await espeak.warmUp();
  const tts: TextToSpeech = espeak;
  if (config.tts.engine !== 'espeak') {
    log.warn({ event: 'engine.fallback', engine: 'tts', wanted: config.tts.engine }, `TTS_ENGINE=${config.tts.engine} is not available yet; speaking with espeak-ng`);
  }
  readiness.set('tts', () => ({ ok: true, detail: config.tts.engine === 'espeak' ? 'espeak-ng' : `espeak-ng (fallback for ${config.tts.engine})` }));

  return {
    engines: { vad, stt, tts, phraseCache: new PhraseCache() },
    readiness,
    close: async () => {
      await Promise.all([espeak.close(), vad.close()]);
    },
  };
}
