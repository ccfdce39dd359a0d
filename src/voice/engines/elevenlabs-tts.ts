import WebSocket, { type RawData } from 'ws';
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../../observability/logger.js';
import type { PcmAudio } from '../audio/wav.js';
import { mulawToPcm } from '../audio/mulaw.js';
import type { TextToSpeech } from './text-to-speech.js';

/**
 * ElevenLabs over its WebSocket input-streaming API
 * (`/v1/text-to-speech/{voice_id}/stream-input`), asking for `ulaw_8000`: the telephone's own
 * codec, so the bytes that come back are decoded to PCM16 at 8 kHz here and re-encoded by the
 * call session without loss (G.711 decode→encode is the identity) and without resampling.
 *
 * One socket per synthesize() call, i.e. per sentence, on purpose:
 * - the single-context socket is one generation: after the end-of-input message (`{"text": ""}`)
 *   the server sends `isFinal` and closes, so it cannot be reused for the next sentence;
 * - keeping sockets open instead means the multi-context endpoint, keep-alives against its
 *   20 s inactivity close, and `close_context` bookkeeping on every barge-in, all for a saving of
 *   one TLS handshake per sentence (tens of ms next to the model's own first-byte time);
 * - an abort is then just "close this socket": nothing from a cancelled sentence can leak into
 *   the next one, and a broken connection costs one sentence, never the rest of the call.
 *
 * The API key goes in the `xi-api-key` upgrade header, which the API documents as sufficient
 * (the first message's `xi_api_key` is only for clients that cannot set headers), so the key is
 * never part of a message body. It never appears in errors or logs either: any text the server
 * sends back is scrubbed of it before it is used in a message.
 */

export interface ElevenLabsVoiceSettings {
  stability?: number;
  similarity_boost?: number;
  style?: number;
  use_speaker_boost?: boolean;
  /** 0.7 to 1.2; 1.0 is the voice's normal pace. */
  speed?: number;
}

export interface ElevenLabsTtsOptions {
  apiKey: string;
  /**
   * The API's origin: `https://api.elevenlabs.io` (the default), a data-residency host, or a test
   * double (`ws://127.0.0.1:1234`). http(s) becomes ws(s); a trailing `/v1` is tolerated.
   */
  baseUrl?: string;
  /** Default `eleven_flash_v2_5`, the lowest-latency multilingual model. */
  modelId?: string;
  /** Used when synthesize() gets no voice, or one that is not an ElevenLabs voice id. */
  defaultVoiceId?: string;
  /** Sent once per sentence in the first message; left out, the voice's saved settings apply. */
  voiceSettings?: ElevenLabsVoiceSettings;
  /**
   * Sent as `auto_mode`: the server skips its text buffering schedule, which is right when whole
   * sentences are sent at once (always, here). Default true.
   */
  autoMode?: boolean;
  /** `enable_logging=false` is ElevenLabs' zero-retention mode (enterprise plans); unset, it is not sent. */
  enableLogging?: boolean;
  /** TCP + TLS + WebSocket upgrade. Default 3,000 ms. */
  connectTimeoutMs?: number;
  /**
   * From sending the text to the first audio. A sentence that takes longer fails with a
   * TextToSpeechError ('timeout'), so that a fallback engine can say it instead. Default 3,000 ms.
   */
  firstAudioTimeoutMs?: number;
  /** Longest silence between two audio messages once audio flows. Default 5,000 ms. */
  stallTimeoutMs?: number;
  /** Debug lines per sentence (connect and first-audio times). Never given the key. */
  log?: Logger;
}

export type TtsFailure = 'config' | 'connect' | 'auth' | 'rejected' | 'timeout' | 'network' | 'bad_response';

/**
 * A sentence could not be spoken. `code` is the HTTP status of a refused upgrade or the close
 * code the server ended the socket with; `status` the service's own error code when it sent one
 * (e.g. `invalid_api_key`, `quota_exceeded`).
 */
export class TextToSpeechError extends Error {
  override readonly name = 'TextToSpeechError';
  constructor(
    message: string,
    readonly failure: TtsFailure,
    readonly code: number | null = null,
    readonly status: string | null = null,
  ) {
    super(message);
  }

  /** Worth trying again with the same engine: timeouts and lost connections; not bad keys, quotas or bad voices. */
  get retryable(): boolean {
    return this.failure === 'timeout' || this.failure === 'network' || this.failure === 'connect';
  }
}

export const ELEVENLABS_SAMPLE_RATE = 8_000;
const DEFAULT_BASE_URL = 'https://api.elevenlabs.io';
const SPEAKABLE = /[\p{L}\p{N}]/u;
// ElevenLabs voice ids are 20 alphanumerics ("21m00Tcm4TlvDq8ikWAM"); allow some slack for other
// id schemes, but not Kokoro ids ("af_heart") or espeak voices ("en-us") an agent may still carry.
const VOICE_ID = /^[A-Za-z0-9]{16,40}$/;
const MAX_REASON = 300;

/** The agent's voice when it is an ElevenLabs voice id, else the fallback. */
export function elevenLabsVoice(id: string | undefined, fallback: string | undefined): string | undefined {
  const v = id?.trim();
  return v && VOICE_ID.test(v) ? v : fallback;
}

type Event = { kind: 'audio'; samples: Int16Array } | { kind: 'end' } | { kind: 'error'; error: TextToSpeechError };

export class ElevenLabsTts implements TextToSpeech {
  readonly name = 'elevenlabs';
  private readonly origin: string;
  private readonly modelId: string;
  private readonly connectTimeoutMs: number;
  private readonly firstAudioTimeoutMs: number;
  private readonly stallTimeoutMs: number;

  constructor(private readonly options: ElevenLabsTtsOptions) {
    this.origin = wsOrigin(options.baseUrl ?? DEFAULT_BASE_URL);
    this.modelId = options.modelId ?? 'eleven_flash_v2_5';
    this.connectTimeoutMs = options.connectTimeoutMs ?? 3_000;
    this.firstAudioTimeoutMs = options.firstAudioTimeoutMs ?? 3_000;
    this.stallTimeoutMs = options.stallTimeoutMs ?? 5_000;
  }

  /**
   * Yields 8 kHz PCM16 chunks as ElevenLabs sends them. Returns early, without throwing, once
   * `signal` aborts (the socket is closed); throws a TextToSpeechError on any failure.
   */
  async *synthesize(text: string, options: { signal: AbortSignal; voice?: string }): AsyncIterable<PcmAudio> {
    const { signal } = options;
    // Control characters out, whitespace collapsed; the API wants text to end with one space.
    const clean = text.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
    if (signal.aborted || !SPEAKABLE.test(clean)) return;
    const voiceId = elevenLabsVoice(options.voice, this.options.defaultVoiceId);
    if (!voiceId) {
      throw new TextToSpeechError('no ElevenLabs voice: the agent has no ElevenLabs voice id and no default voice is configured', 'config');
    }

    const query = new URLSearchParams({ model_id: this.modelId, output_format: 'ulaw_8000' });
    if (this.options.autoMode ?? true) query.set('auto_mode', 'true');
    if (this.options.enableLogging !== undefined) query.set('enable_logging', String(this.options.enableLogging));
    const url = `${this.origin}/v1/text-to-speech/${encodeURIComponent(voiceId)}/stream-input?${query}`;
    const where = `${this.origin}/v1/text-to-speech/${voiceId}/stream-input`;

    const events: Event[] = [];
    let wake: (() => void) | undefined;
    let finished = false; // an end or an error has been queued: later events are noise
    const push = (event: Event) => {
      if (finished) return;
      if (event.kind !== 'audio') finished = true;
      events.push(event);
      wake?.();
    };
    const fail = (message: string, failure: TtsFailure, code: number | null = null, status: string | null = null) =>
      push({ kind: 'error', error: new TextToSpeechError(this.scrub(message), failure, code, status) });

    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number, message: string, failure: TtsFailure) => {
      clearTimeout(timer);
      timer = setTimeout(() => fail(message, failure), ms);
    };

    const ws = new WebSocket(url, { headers: { 'xi-api-key': this.options.apiKey }, perMessageDeflate: false });
    let opened = false;
    let gotAudio = false;
    arm(this.connectTimeoutMs, `ElevenLabs did not connect within ${this.connectTimeoutMs} ms (${where})`, 'connect');

    ws.on('unexpected-response', (request, response: IncomingMessage) => {
      // The upgrade was refused with a plain HTTP answer (a bad key or voice can end here).
      readBody(response).then(
        (body) => {
          const { status, message } = parseServerError(body);
          const failure = response.statusCode === 401 || response.statusCode === 403 ? 'auth' : 'rejected';
          fail(`ElevenLabs refused the stream: HTTP ${response.statusCode}${status ? ` ${status}` : ''}: ${message ?? (body.trim().slice(0, MAX_REASON) || '(empty body)')}`, failure, response.statusCode ?? null, status);
        },
        () => fail(`ElevenLabs refused the stream: HTTP ${response.statusCode}`, 'rejected', response.statusCode ?? null),
      ).finally(() => request.destroy());
    });
    ws.on('open', () => {
      opened = true;
      const connectMs = Math.round(performance.now() - started);
      const first: Record<string, unknown> = { text: ' ' };
      if (this.options.voiceSettings) first.voice_settings = this.options.voiceSettings;
      ws.send(JSON.stringify(first));
      ws.send(JSON.stringify({ text: `${clean} `, flush: true }));
      ws.send(JSON.stringify({ text: '' })); // end of input: the server finishes and closes
      arm(this.firstAudioTimeoutMs, `ElevenLabs sent no audio within ${this.firstAudioTimeoutMs} ms`, 'timeout');
      this.options.log?.debug({ event: 'tts.elevenlabs.connected', voiceId, model: this.modelId, connectMs }, 'ElevenLabs stream open');
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (finished) return;
      let message: ServerMessage;
      try {
        if (isBinary) throw new Error('binary frame');
        message = JSON.parse(rawText(data)) as ServerMessage;
        if (!message || typeof message !== 'object') throw new Error('not an object');
      } catch {
        return fail(`ElevenLabs sent an unreadable message: ${rawText(data).slice(0, 120)}`, 'bad_response');
      }
      if (message.error || (typeof message.message === 'string' && !message.audio)) {
        const status = typeof message.error === 'string' ? message.error : null;
        const detail = typeof message.message === 'string' ? message.message : String(message.error);
        const code = typeof message.code === 'number' ? message.code : null;
        return fail(`ElevenLabs error${status ? ` ${status}` : ''}: ${detail.slice(0, MAX_REASON)}`, classify(`${status} ${detail}`), code, status);
      }
      if (typeof message.audio === 'string' && message.audio.length > 0) {
        const bytes = Buffer.from(message.audio, 'base64');
        if (bytes.length > 0) {
          if (!gotAudio) {
            gotAudio = true;
            const firstAudioMs = Math.round(performance.now() - started);
            this.options.log?.debug({ event: 'tts.elevenlabs.first_audio', voiceId, model: this.modelId, firstAudioMs }, 'ElevenLabs first audio');
          }
          push({ kind: 'audio', samples: mulawToPcm(bytes) });
          arm(this.stallTimeoutMs, `ElevenLabs audio stalled for ${this.stallTimeoutMs} ms mid-sentence`, 'timeout');
        }
      }
      if (message.isFinal === true) push({ kind: 'end' });
    });
    ws.on('close', (code: number, reason: Buffer) => {
      if (finished) return;
      const why = reason.toString('utf8').slice(0, MAX_REASON);
      if (code === 1000 && gotAudio) return push({ kind: 'end' }); // a clean close after audio: take it as the end
      if (!opened) return fail(`ElevenLabs closed the connection before it opened (${code})`, 'connect', code);
      if (code === 1008) return fail(`ElevenLabs closed the stream (1008 policy violation): ${why || 'no reason given'}`, classify(why), code);
      const what = code === 1006 ? 'connection lost' : `closed with ${code}${why ? `: ${why}` : ''}`;
      fail(`ElevenLabs ${what} before the end of the audio`, code >= 4000 || code === 1011 || code === 1003 ? 'rejected' : 'network', code);
    });
    ws.on('error', (error: Error & { code?: string }) => {
      // After 'unexpected-response' or our own close() ws reports an error too; a queued outcome wins.
      const detail = error.code ?? error.message;
      fail(opened ? `ElevenLabs connection failed: ${detail}` : `ElevenLabs unreachable (${where}): ${detail}`, opened ? 'network' : 'connect');
    });

    const onAbort = () => wake?.();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!signal.aborted) {
        const event = events.shift();
        if (!event) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        if (event.kind === 'end') return;
        if (event.kind === 'error') throw event.error;
        yield { samples: event.samples, sampleRate: ELEVENLABS_SAMPLE_RATE };
      }
    } finally {
      finished = true;
      signal.removeEventListener('abort', onAbort);
      clearTimeout(timer);
      // Done, failed, aborted, or the consumer stopped listening: the socket goes either way.
      // close() sends a close frame (and gives up on a CONNECTING socket); ws destroys the
      // socket itself if the server never answers it, so nothing here waits for the server.
      if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close(1000);
    }
  }

  /** Text from the server or the network, with the key cut out should it ever appear there. */
  private scrub(text: string): string {
    const key = this.options.apiKey;
    return key && key.length >= 4 ? text.split(key).join('[redacted]') : text;
  }
}

interface ServerMessage {
  audio?: string | null;
  isFinal?: boolean | null;
  error?: unknown;
  message?: unknown;
  code?: unknown;
}

function classify(text: string): TtsFailure {
  return /api[ _-]?key|unauthori[sz]ed|authenticat|permission/i.test(text) ? 'auth' : 'rejected';
}

function wsOrigin(base: string): string {
  const url = new URL(base);
  if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol !== 'wss:' && url.protocol !== 'ws:') throw new Error(`ElevenLabs base URL must be http(s) or ws(s): ${url.protocol}`);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '')}`;
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

/** ElevenLabs REST errors: `{"detail": {"status": "invalid_api_key", "message": "Invalid API key"}}` or `{"detail": "..."}`. */
function parseServerError(body: string): { status: string | null; message: string | null } {
  try {
    const detail = (JSON.parse(body) as { detail?: unknown }).detail;
    if (typeof detail === 'string') return { status: null, message: detail };
    if (detail && typeof detail === 'object' && !Array.isArray(detail)) {
      const d = detail as { status?: unknown; message?: unknown };
      return { status: typeof d.status === 'string' ? d.status : null, message: typeof d.message === 'string' ? d.message : null };
    }
  } catch {
    // Not JSON.
  }
  return { status: null, message: null };
}

async function readBody(response: IncomingMessage, limit = 4_096): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= limit) break;
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, limit);
}
