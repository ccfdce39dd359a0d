import { encodeWav } from '../audio/wav.js';
import type { SpeechToText } from './speech-to-text.js';
import { MAX_ERROR_TEXT, postTranscription, SpeechToTextError } from './transcription-request.js';

/**
 * ElevenLabs Scribe through `POST /v1/speech-to-text`: one utterance in, its text out.
 *
 * Plain fetch rather than the official `@elevenlabs/elevenlabs-js` SDK: the SDK could do it (it
 * takes a base URL and an abort signal per request), but for one multipart POST it would add a
 * package with node-fetch v2 and command-exists underneath, and its default retries (two, with
 * back-off) would have to be turned off, since on a live call a late transcript is worse than
 * none. The wire format is small and stable; the test double speaks it, so drift would show there.
 */

export interface ElevenLabsSttOptions {
  apiKey: string;
  /** The API's origin, default `https://api.elevenlabs.io` (a trailing `/v1` is tolerated). */
  baseUrl?: string;
  /** Default `scribe_v1`. */
  modelId?: string;
  /** One utterance is seconds of audio: a reply slower than this is worse than asking again. Default 10,000 ms. */
  timeoutMs?: number;
  /**
   * Scribe marks sounds as "(laughter)", "(footsteps)" by default; on a call those would reach
   * the agent as words the caller said. Default false.
   */
  tagAudioEvents?: boolean;
}

const SAMPLE_RATE = 16_000;
// A blip under 0.1 s holds no words; it is not worth a round trip (or the credits).
const MIN_SAMPLES = SAMPLE_RATE / 10;

export class ElevenLabsSpeechToText implements SpeechToText {
  readonly name = 'elevenlabs';
  private readonly endpoint: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: ElevenLabsSttOptions) {
    const base = (options.baseUrl ?? 'https://api.elevenlabs.io').replace(/\/+$/, '').replace(/\/v1$/, '');
    this.endpoint = `${base}/v1/speech-to-text`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Rejects with the signal's reason when aborted, or with a SpeechToTextError (never naming the key). */
  async transcribe(audio: Int16Array, { signal, language }: { signal: AbortSignal; language?: string }): Promise<{ text: string }> {
    signal.throwIfAborted();
    if (audio.length < MIN_SAMPLES) return { text: '' };

    const form = new FormData();
    form.append('model_id', this.options.modelId ?? 'scribe_v1');
    form.append('file', new Blob([encodeWav({ samples: audio, sampleRate: SAMPLE_RATE })], { type: 'audio/wav' }), 'utterance.wav');
    // Scribe takes ISO 639-1 or -3; agents carry BCP 47 tags ("en-US"). Unset, it detects the language.
    const iso = language?.trim().split(/[-_]/)[0]?.toLowerCase();
    if (iso) form.append('language_code', iso);
    form.append('tag_audio_events', String(this.options.tagAudioEvents ?? false));
    form.append('timestamps_granularity', 'none'); // only the text is used: skip the per-word timings

    return postTranscription({
      endpoint: this.endpoint,
      headers: { 'xi-api-key': this.options.apiKey, accept: 'application/json' },
      form,
      signal,
      timeoutMs: this.timeoutMs,
      label: 'ElevenLabs transcription',
      answeredBy: 'ElevenLabs transcription',
      httpError: (status, body) => this.httpError(status, body),
      scrub: (text) => this.scrub(text),
    });
  }

  /**
   * ElevenLabs errors: `{"detail": {"status": "invalid_api_key", "message": "Invalid API key"}}`,
   * `{"detail": "..."}`, or FastAPI's validation list `{"detail": [{"loc": [...], "msg": "..."}]}`.
   */
  private httpError(status: number, body: string): SpeechToTextError {
    let message = body.trim().slice(0, MAX_ERROR_TEXT) || '(empty body)';
    let code: string | null = null;
    try {
      const detail = (JSON.parse(body) as { detail?: unknown }).detail;
      if (typeof detail === 'string' && detail) message = detail;
      else if (Array.isArray(detail)) {
        const first = detail[0] as { loc?: unknown; msg?: unknown } | undefined;
        if (first && typeof first.msg === 'string') message = Array.isArray(first.loc) ? `${first.loc.join('.')}: ${first.msg}` : first.msg;
        code = 'validation_error';
      } else if (detail && typeof detail === 'object') {
        const d = detail as { status?: unknown; message?: unknown };
        if (typeof d.message === 'string' && d.message) message = d.message;
        if (typeof d.status === 'string') code = d.status;
      }
    } catch {
      // Not JSON (a proxy's HTML page): the raw text is the message.
    }
    const text = `ElevenLabs transcription failed: HTTP ${status}${code ? ` ${code}` : ''}: ${message.slice(0, MAX_ERROR_TEXT)}`;
    return new SpeechToTextError(this.scrub(text), 'http', status, code, null);
  }

  private scrub(text: string): string {
    const key = this.options.apiKey;
    return key && key.length >= 4 ? text.split(key).join('[redacted]') : text;
  }
}
