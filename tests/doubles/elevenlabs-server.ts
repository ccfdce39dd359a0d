import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { pcmToMulaw } from '../../src/voice/audio/mulaw.js';
import { decodeWav } from '../../src/voice/audio/wav.js';

/**
 * A stand-in for ElevenLabs on a real socket, speaking its wire formats:
 *
 * - TTS input streaming, `GET /v1/text-to-speech/{voice_id}/stream-input` upgraded to a WebSocket.
 *   The key comes in the `xi-api-key` header (or, failing that, the first message's `xi_api_key`).
 *   Client messages: `{"text": " ", voice_settings?, generation_config?}` first, then text
 *   (`{"text": "Hello ", flush?, try_trigger_generation?}`), then `{"text": ""}` for the end of input.
 *   Server messages: `{"audio": <base64>, "isFinal": false, "normalizedAlignment": {...}, "alignment": {...}}`
 *   per chunk, then `{"audio": null, "isFinal": true, ...}`, then a 1000 close. The "speech" is a
 *   440 Hz tone, `msPerChar` per character, in mu-law 8 kHz (only `output_format=ulaw_8000` is spoken).
 * - Scribe, `POST /v1/speech-to-text`, multipart `model_id` + `file` in, `{language_code, text, words}` out;
 *   errors as `{"detail": {"status", "message"}}` (or FastAPI's list for a missing field).
 */

export interface TtsSession {
  voiceId: string;
  /** The query string, e.g. `{model_id: 'eleven_flash_v2_5', output_format: 'ulaw_8000'}`. */
  query: Record<string, string>;
  /** The `xi-api-key` header as received (for assertions; it is the test's key). */
  apiKeyHeader: string | null;
  /** Every client message, parsed. */
  messages: Record<string, unknown>[];
  /** The text sent for synthesis, concatenated (the initial " " excluded). */
  text: string;
  /** The client sent the end-of-input `{"text": ""}`. */
  endOfInput: boolean;
  /** Audio messages sent, and the mu-law bytes in them. */
  chunksSent: number;
  audio: Uint8Array;
  /** The socket is gone; who started the close, and with what code (1006: dropped without one). */
  closed: boolean;
  closedBy: 'client' | 'server' | null;
  closeCode: number | null;
}

export interface SttRequest {
  apiKey: string | null;
  modelId: string | null;
  languageCode: string | null;
  tagAudioEvents: string | null;
  timestampsGranularity: string | null;
  filename: string | null;
  fileType: string | null;
  sampleRate: number;
  durationSec: number;
  samples: Int16Array;
  /** The client hung up (abort, timeout) before the answer was written. */
  clientClosedEarly: boolean;
}

export type SttErrorReply = { status: number; detail: unknown; delayMs?: number };
export type SttReply = { text: string; languageCode?: string; delayMs?: number } | SttErrorReply;
export type SttResponder = (request: SttRequest) => SttReply | string;

/** Errors as ElevenLabs words them. */
export const elevenLabsErrors = {
  invalidApiKey: (): SttErrorReply => ({ status: 401, detail: { status: 'invalid_api_key', message: 'Invalid API key' } }),
  missingApiKey: (): SttErrorReply => ({
    status: 401,
    detail: { status: 'needs_authorization', message: 'Neither authorization header nor xi-api-key received, please provide one.' },
  }),
  quotaExceeded: (): SttErrorReply => ({
    status: 401,
    detail: { status: 'quota_exceeded', message: 'This request exceeds your quota of 10000. You have 3 credits remaining, while 120 credits are required for this request.' },
  }),
  rateLimited: (): SttErrorReply => ({
    status: 429,
    detail: { status: 'too_many_concurrent_requests', message: 'Too many concurrent requests for this model. Please upgrade your subscription or try again later.' },
  }),
  serverError: (): SttErrorReply => ({ status: 500, detail: { status: 'internal_server_error', message: 'An internal server error occurred.' } }),
  missingField: (field: string): SttErrorReply => ({ status: 422, detail: [{ type: 'missing', loc: ['body', field], msg: 'Field required', input: null }] }),
};

export interface TtsKnobs {
  /** How a wrong or missing key is refused: a 1008 close, an error message then the close, or HTTP 401 on the upgrade. */
  authFailure: 'close' | 'message' | 'http';
  /** 'hang': reads everything, never answers. 'disconnect': drops the TCP connection after `disconnectAfterChunks` chunks. */
  mode: 'normal' | 'hang' | 'disconnect';
  disconnectAfterChunks: number;
  /** Sent (then a 1008 close with its message) instead of audio, e.g. `{message: 'quota...', error: 'quota_exceeded'}`. */
  error: { message: string; error?: string; code?: number } | null;
  /** Audio per character of text. */
  msPerChar: number;
  /** Audio messages per generation. */
  chunks: number;
  /** Wait before each audio message. */
  chunkDelayMs: number;
}

export interface ElevenLabsServer {
  /** `http://127.0.0.1:<port>`: the origin both engines take (the TTS engine turns it into ws://). */
  readonly baseUrl: string;
  readonly wsUrl: string;
  readonly apiKey: string;
  readonly ttsSessions: TtsSession[];
  readonly sttRequests: SttRequest[];
  tts: TtsKnobs;
  stt: { respond: SttResponder; delayMs: number; enqueue(...replies: (SttReply | string)[]): void };
  /** Knobs back to their defaults, records emptied. */
  reset(): void;
  close(): Promise<void>;
}

const SAMPLE_RATE = 8_000;
const defaultKnobs = (): TtsKnobs => ({ authFailure: 'close', mode: 'normal', disconnectAfterChunks: 1, error: null, msPerChar: 60, chunks: 3, chunkDelayMs: 0 });
const defaultRespond: SttResponder = (r) => `heard ${r.durationSec.toFixed(2)} seconds`;

/** The tone for `text`, as the mu-law bytes the service would send. */
export function toneFor(text: string, msPerChar: number): Uint8Array {
  const samples = new Int16Array(Math.round((text.length * msPerChar * SAMPLE_RATE) / 1000));
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / SAMPLE_RATE));
  return pcmToMulaw(samples);
}

export async function startElevenLabsServer(options: { apiKey?: string } = {}): Promise<ElevenLabsServer> {
  const apiKey = options.apiKey ?? 'xi-test-key';
  const timers = new Set<NodeJS.Timeout>();
  const sttQueue: (SttReply | string)[] = [];
  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => (timers.delete(timer), fn()), ms);
    timers.add(timer);
    return timer;
  };

  const state: ElevenLabsServer = {
    baseUrl: '',
    wsUrl: '',
    apiKey,
    ttsSessions: [],
    sttRequests: [],
    tts: defaultKnobs(),
    stt: { respond: defaultRespond, delayMs: 0, enqueue: (...replies) => void sttQueue.push(...replies) },
    reset: () => {
      state.tts = defaultKnobs();
      state.stt.respond = defaultRespond;
      state.stt.delayMs = 0;
      sttQueue.length = 0;
      state.ttsSessions.length = 0;
      state.sttRequests.length = 0;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  // ---- TTS: the input-streaming WebSocket ----

  const wss = new WebSocketServer({ noServer: true });
  const STREAM_PATH = /^\/v1\/text-to-speech\/([^/]+)\/stream-input$/;

  function refuseUpgrade(socket: Socket, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    const reason = status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Bad Request';
    socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
  }

  function onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://double');
    const match = STREAM_PATH.exec(url.pathname);
    if (!match) return refuseUpgrade(socket, 404, { detail: 'Not Found' });
    const header = req.headers['xi-api-key'];
    const apiKeyHeader = typeof header === 'string' ? header : null;
    if (apiKeyHeader !== null && apiKeyHeader !== apiKey && state.tts.authFailure === 'http') {
      return refuseUpgrade(socket, 401, { detail: elevenLabsErrors.invalidApiKey().detail });
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session: TtsSession = {
        voiceId: decodeURIComponent(match[1]!),
        query: Object.fromEntries(url.searchParams),
        apiKeyHeader,
        messages: [],
        text: '',
        endOfInput: false,
        chunksSent: 0,
        audio: new Uint8Array(0),
        closed: false,
        closedBy: null,
        closeCode: null,
      };
      state.ttsSessions.push(session);
      runSession(ws, session);
    });
  }

  function runSession(ws: WebSocket, session: TtsSession): void {
    const knobs = state.tts; // as they were when the socket opened
    let authorized = session.apiKeyHeader === apiKey;
    let serverClosing = false;
    let buffer = '';
    let firstSettings: string | undefined;
    let generating: Promise<void> = Promise.resolve();

    const closeWith = (code: number, reason: string) => {
      if (serverClosing || ws.readyState !== ws.OPEN) return;
      serverClosing = true;
      ws.close(code, reason);
    };
    const refuseKey = () => {
      if (knobs.authFailure === 'message') ws.send(JSON.stringify({ message: 'Invalid API key', error: 'invalid_api_key', code: 1008 }));
      closeWith(1008, 'Invalid API key');
    };
    ws.on('close', (code) => {
      session.closed = true;
      session.closedBy ??= serverClosing ? 'server' : 'client';
      session.closeCode = code;
    });
    ws.on('error', () => {}); // a client that vanishes mid-write; 'close' follows

    if (session.apiKeyHeader !== null && !authorized) return refuseKey();
    if (session.query.output_format !== 'ulaw_8000') {
      return closeWith(1008, `This double only speaks output_format=ulaw_8000, got ${session.query.output_format ?? '(none: mp3_44100_128)'}`);
    }

    const send = (message: unknown) => {
      if (ws.readyState === ws.OPEN && !serverClosing) ws.send(JSON.stringify(message));
    };
    const sleep = (ms: number) => new Promise<void>((resolve) => (ms > 0 ? later(ms, resolve) : resolve()));

    /** Speaks `text` as `knobs.chunks` audio messages, each with its characters' alignment. */
    async function generate(text: string): Promise<void> {
      const audio = toneFor(text, knobs.msPerChar);
      const n = Math.max(1, Math.min(knobs.chunks, text.length));
      for (let c = 0; c < n; c++) {
        const from = Math.floor((c * text.length) / n);
        const to = Math.floor(((c + 1) * text.length) / n);
        const chars = [...text.slice(from, to)];
        const bytes = audio.subarray(Math.round((from * knobs.msPerChar * SAMPLE_RATE) / 1000), Math.round((to * knobs.msPerChar * SAMPLE_RATE) / 1000));
        await sleep(knobs.chunkDelayMs);
        if (ws.readyState !== ws.OPEN || serverClosing) return;
        if (knobs.mode === 'disconnect' && session.chunksSent >= knobs.disconnectAfterChunks) {
          serverClosing = true;
          session.closedBy = 'server';
          ws.terminate();
          return;
        }
        const alignment = {
          chars,
          charStartTimesMs: chars.map((_, i) => i * knobs.msPerChar),
          charsDurationsMs: chars.map(() => knobs.msPerChar),
        };
        send({ audio: Buffer.from(bytes).toString('base64'), isFinal: false, normalizedAlignment: alignment, alignment });
        session.chunksSent++;
        const all = new Uint8Array(session.audio.length + bytes.length);
        all.set(session.audio);
        all.set(bytes, session.audio.length);
        session.audio = all;
      }
    }

    ws.on('message', (data: RawData, isBinary: boolean) => {
      let message: Record<string, unknown>;
      try {
        if (isBinary) throw new Error('binary');
        message = JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>;
        if (!message || typeof message !== 'object' || typeof message.text !== 'string') throw new Error('no text');
      } catch {
        return closeWith(1008, 'Invalid message received: expected a JSON object with a "text" field.');
      }
      session.messages.push(message);
      const first = session.messages.length === 1;
      if (first) {
        if (!authorized) {
          const inBody = message.xi_api_key ?? message['xi-api-key'];
          authorized = inBody === apiKey;
          if (!authorized) return refuseKey();
        }
        if (message.text !== ' ') return closeWith(1008, 'The first message must contain a single space as text.');
        firstSettings = JSON.stringify(message.voice_settings ?? null);
        return;
      }
      if (message.voice_settings !== undefined && JSON.stringify(message.voice_settings) !== firstSettings) {
        return closeWith(1008, 'voice_settings field must be provided in the first message and then either be not provided or not change.');
      }
      if (knobs.mode === 'hang') {
        if (message.text === '') session.endOfInput = true;
        return;
      }
      if (knobs.error) {
        send({ message: knobs.error.message, error: knobs.error.error ?? 'error', code: knobs.error.code ?? 1008 });
        return closeWith(1008, knobs.error.message);
      }
      if (message.text === '') {
        session.endOfInput = true;
        const rest = buffer.trim();
        buffer = '';
        generating = generating.then(async () => {
          if (rest) await generate(rest);
          send({ audio: null, isFinal: true, normalizedAlignment: null, alignment: null });
          closeWith(1000, '');
        });
        return;
      }
      session.text += message.text;
      buffer += message.text;
      // auto_mode and flush both mean "generate what you have now"; the double ignores the chunk schedule otherwise.
      if (message.flush === true || session.query.auto_mode === 'true') {
        const now = buffer.trim();
        buffer = '';
        if (now) generating = generating.then(() => generate(now));
      }
    });
  }

  // ---- STT: Scribe over multipart ----

  const sendJson = (res: ServerResponse, status: number, body: unknown) => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const sendError = (res: ServerResponse, reply: SttErrorReply) => sendJson(res, reply.status, { detail: reply.detail });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://double').pathname;
    if (req.method !== 'POST' || path !== '/v1/speech-to-text') {
      req.resume();
      return sendJson(res, 404, { detail: 'Not Found' });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);

    const header = req.headers['xi-api-key'];
    const key = typeof header === 'string' ? header : null;
    if (key === null) return sendError(res, elevenLabsErrors.missingApiKey());
    if (key !== apiKey) return sendError(res, elevenLabsErrors.invalidApiKey());

    let form: FormData;
    try {
      form = await new Request('http://double/', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: Buffer.concat(chunks) }).formData();
    } catch {
      return sendError(res, { status: 400, detail: { status: 'invalid_request', message: 'Could not parse the multipart body.' } });
    }
    const field = (name: string) => {
      const value = form.get(name);
      return typeof value === 'string' ? value : null;
    };
    if (!field('model_id')) return sendError(res, elevenLabsErrors.missingField('model_id'));
    const file = form.get('file');
    if (!file || typeof file === 'string') return sendError(res, { status: 400, detail: { status: 'invalid_request', message: 'Either file or cloud_storage_url must be provided.' } });
    let audio;
    try {
      audio = decodeWav(Buffer.from(await file.arrayBuffer()));
    } catch {
      return sendError(res, { status: 400, detail: { status: 'invalid_content', message: 'The audio file could not be decoded (this double reads PCM16 WAV only).' } });
    }

    const request: SttRequest = {
      apiKey: key,
      modelId: field('model_id'),
      languageCode: field('language_code'),
      tagAudioEvents: field('tag_audio_events'),
      timestampsGranularity: field('timestamps_granularity'),
      filename: (file as File).name ?? null,
      fileType: file.type || null,
      sampleRate: audio.sampleRate,
      durationSec: audio.samples.length / audio.sampleRate,
      samples: audio.samples,
      clientClosedEarly: false,
    };
    state.sttRequests.push(request);
    res.on('close', () => {
      if (!res.writableFinished) request.clientClosedEarly = true;
    });

    const scripted = sttQueue.shift() ?? state.stt.respond(request);
    const reply: SttReply = typeof scripted === 'string' ? { text: scripted } : scripted;
    const delay = state.stt.delayMs + (reply.delayMs ?? 0);
    if (delay > 0) {
      await new Promise<void>((resolve) => {
        const timer = later(delay, resolve);
        res.on('close', () => (clearTimeout(timer), timers.delete(timer), resolve()));
      });
    }
    if ('status' in reply) return sendError(res, reply);
    const words = typeof reply.text === 'string' ? reply.text.split(/\s+/).filter(Boolean) : []; // a test may script a malformed text
    const step = words.length ? request.durationSec / words.length : 0;
    sendJson(res, 200, {
      language_code: reply.languageCode ?? request.languageCode ?? 'eng',
      language_probability: 0.98,
      text: reply.text,
      words: request.timestampsGranularity === 'none' ? [] : words.map((w, i) => ({ text: w, start: i * step, end: (i + 1) * step, type: 'word', logprob: -0.1 })),
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => sendJson(res, 500, { detail: { status: 'internal_server_error', message: `double failed: ${String(error)}` } }));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => onUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, { baseUrl: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}` });
}
