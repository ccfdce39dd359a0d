import { encodeWav } from '../audio/wav.js';
import type { SpeechToText } from './speech-to-text.js';
import { MAX_ERROR_TEXT, postTranscription, SpeechToTextError } from './transcription-request.js';

export { SpeechToTextError } from './transcription-request.js';

export interface OpenAiSttOptions {
  /** Base URL including `/v1`, as OpenAI's own clients take it; default `https://api.openai.com/v1`. */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer`; local servers may need none. */
  apiKey?: string;
  /** e.g. `whisper-1`, `gpt-4o-mini-transcribe`, or whatever the compatible server names its model. */
  model: string;
  /** One utterance is seconds of audio: a reply slower than this is worse than asking again. */
  timeoutMs?: number;
}

const SAMPLE_RATE = 16_000;
// OpenAI rejects audio under 0.1 s ("Audio file is too short"); such a blip has no words anyway.
const MIN_SAMPLES = SAMPLE_RATE / 10;

/** Any OpenAI-compatible `POST {baseUrl}/audio/transcriptions` (OpenAI, Groq, a local whisper server...). */
export class OpenAiSpeechToText implements SpeechToText {
  readonly name = 'openai';
  private readonly endpoint: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: OpenAiSttOptions) {
    this.endpoint = `${(options.baseUrl ?? 'https://api.openai.com/v1').replace(/\/+$/, '')}/audio/transcriptions`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Rejects with the signal's reason when aborted, or with a SpeechToTextError. */
  async transcribe(audio: Int16Array, { signal, language }: { signal: AbortSignal; language?: string }): Promise<{ text: string }> {
    signal.throwIfAborted();
    if (audio.length < MIN_SAMPLES) return { text: '' };

    const form = new FormData();
    form.append('file', new Blob([encodeWav({ samples: audio, sampleRate: SAMPLE_RATE })], { type: 'audio/wav' }), 'utterance.wav');
    form.append('model', this.options.model);
    // The API takes ISO-639-1 ("en"); agents carry BCP 47 tags ("en-US").
    const iso = language?.trim().split(/[-_]/)[0]?.toLowerCase();
    if (iso) form.append('language', iso);
    form.append('response_format', 'json');

    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    return postTranscription({
      endpoint: this.endpoint,
      headers,
      form,
      signal,
      timeoutMs: this.timeoutMs,
      label: 'transcription',
      answeredBy: 'transcription endpoint',
      httpError,
    });
  }
}

function httpError(status: number, body: string): SpeechToTextError {
  let message = body.trim().slice(0, MAX_ERROR_TEXT) || '(empty body)';
  let code: string | null = null;
  let type: string | null = null;
  try {
    const error = (JSON.parse(body) as { error?: { message?: unknown; type?: unknown; code?: unknown } }).error;
    if (error && typeof error === 'object') {
      if (typeof error.message === 'string' && error.message) message = error.message;
      if (typeof error.code === 'string' || typeof error.code === 'number') code = String(error.code);
      if (typeof error.type === 'string') type = error.type;
    }
  } catch {
    // Not JSON (a proxy's HTML page): the raw text is the message.
  }
  const what = code ?? type;
  return new SpeechToTextError(`transcription failed: HTTP ${status}${what ? ` ${what}` : ''}: ${message}`, 'http', status, code, type);
}
