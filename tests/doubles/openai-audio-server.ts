import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeWav } from '../../src/voice/audio/wav.js';

/**
 * A stand-in for OpenAI's `POST /v1/audio/transcriptions`, on the real wire format: multipart/form-data
 * in (parsed by the platform's own parser), `{"text": ...}` or `{"error": {message, type, param, code}}` out.
 */

export interface TranscriptionRequest {
  authorization: string | null;
  model: string | null;
  language: string | null;
  responseFormat: string | null;
  filename: string | null;
  fileType: string | null;
  sampleRate: number;
  durationSec: number;
  samples: Int16Array;
  /** The client hung up (abort, timeout) before the answer was written. */
  clientClosedEarly: boolean;
}

export interface OpenAiErrorBody {
  message: string;
  type: string;
  param?: string | null;
  code: string | null;
}

export type ErrorReply = { status: number; error: OpenAiErrorBody; delayMs?: number };
export type TranscriptionReply = { text: string; delayMs?: number } | ErrorReply;

export type Responder = (request: TranscriptionRequest) => TranscriptionReply | string | Promise<TranscriptionReply | string>;

/** Errors exactly as OpenAI words them. */
export const openAiErrors = {
  invalidApiKey: (): ErrorReply => ({
    status: 401,
    error: {
      message: 'Incorrect API key provided: sk-wrong. You can find your API key at https://platform.openai.com/account/api-keys.',
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_api_key',
    },
  }),
  missingApiKey: (): ErrorReply => ({
    status: 401,
    error: {
      message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      type: 'invalid_request_error',
      param: null,
      code: null,
    },
  }),
  rateLimited: (): ErrorReply => ({
    status: 429,
    error: {
      message: 'Rate limit reached for whisper-1 in organization org-test on requests per min (RPM): Limit 50, Used 50, Requested 1. Please try again in 1.2s.',
      type: 'requests',
      param: null,
      code: 'rate_limit_exceeded',
    },
  }),
  serverError: (): ErrorReply => ({
    status: 500,
    error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null },
  }),
  badRequest: (message: string): ErrorReply => ({
    status: 400,
    error: { message, type: 'invalid_request_error', param: null, code: null },
  }),
};

export interface OpenAiAudioServerOptions {
  /** The key clients must send; default `sk-test-key`. */
  apiKey?: string;
  /** The transcript for a request that no scripted reply is queued for. */
  respond?: Responder;
  /** Delay before every answer, on top of a reply's own. */
  delayMs?: number;
}

export interface OpenAiAudioServer {
  /** `http://127.0.0.1:<port>/v1`, the form OpenAI clients take as their base URL. */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly requests: TranscriptionRequest[];
  respond: Responder;
  delayMs: number;
  /** Answers to give, in order, before falling back to `respond`. */
  enqueue(...replies: (TranscriptionReply | string)[]): void;
  close(): Promise<void>;
}

const MAX_BODY = 25 * 1024 * 1024; // OpenAI's upload limit

export async function startOpenAiAudioServer(options: OpenAiAudioServerOptions = {}): Promise<OpenAiAudioServer> {
  const apiKey = options.apiKey ?? 'sk-test-key';
  const queue: (TranscriptionReply | string)[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const state: OpenAiAudioServer = {
    baseUrl: '',
    apiKey,
    requests: [],
    respond: options.respond ?? ((r) => `heard ${r.durationSec.toFixed(2)} seconds`),
    delayMs: options.delayMs ?? 0,
    enqueue: (...replies) => void queue.push(...replies),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const send = (res: ServerResponse, status: number, body: unknown, contentType = 'application/json') => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': contentType });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const sendError = (res: ServerResponse, reply: ErrorReply) =>
    send(res, reply.status, { error: { param: null, ...reply.error } });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://double').pathname;
    if (req.method !== 'POST' || path !== '/v1/audio/transcriptions') {
      req.resume();
      return send(res, 404, { error: { message: `Invalid URL (${req.method} ${path})`, type: 'invalid_request_error', param: null, code: null } });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) return sendError(res, { status: 413, error: { message: 'Maximum content size limit (26214400) exceeded.', type: 'invalid_request_error', code: null } });
      chunks.push(chunk);
    }

    const authorization = req.headers.authorization ?? null;
    if (!authorization) return sendError(res, openAiErrors.missingApiKey());
    if (authorization !== `Bearer ${apiKey}`) return sendError(res, openAiErrors.invalidApiKey());

    let form: FormData;
    try {
      const body = Buffer.concat(chunks);
      form = await new Request('http://double/', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body }).formData();
    } catch {
      return sendError(res, openAiErrors.badRequest('Could not parse multipart form'));
    }
    const field = (name: string) => {
      const value = form.get(name);
      return typeof value === 'string' ? value : null;
    };
    const file = form.get('file');
    if (!file || typeof file === 'string') {
      return sendError(res, openAiErrors.badRequest("1 validation error for Request\nbody -> file\n  field required (type=value_error.missing)"));
    }
    if (!field('model')) return sendError(res, openAiErrors.badRequest('you must provide a model parameter'));
    let audio;
    try {
      audio = decodeWav(Buffer.from(await file.arrayBuffer()));
    } catch {
      return sendError(res, openAiErrors.badRequest("Invalid file format. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']"));
    }

    const request: TranscriptionRequest = {
      authorization,
      model: field('model'),
      language: field('language'),
      responseFormat: field('response_format'),
      filename: (file as File).name ?? null,
      fileType: file.type || null,
      sampleRate: audio.sampleRate,
      durationSec: audio.samples.length / audio.sampleRate,
      samples: audio.samples,
      clientClosedEarly: false,
    };
    state.requests.push(request);
    res.on('close', () => {
      if (!res.writableFinished) request.clientClosedEarly = true;
    });

    const scripted = queue.shift() ?? (await state.respond(request));
    const reply: TranscriptionReply = typeof scripted === 'string' ? { text: scripted } : scripted;
    const delay = state.delayMs + (reply.delayMs ?? 0);
    if (delay > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => (timers.delete(timer), resolve()), delay);
        timers.add(timer);
        res.on('close', () => (clearTimeout(timer), timers.delete(timer), resolve()));
      });
    }
    if ('status' in reply) return sendError(res, reply);
    if (request.responseFormat === 'text') return send(res, 200, reply.text, 'text/plain; charset=utf-8');
    send(res, 200, { text: reply.text });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      send(res, 500, { error: { message: `double failed: ${String(error)}`, type: 'server_error', param: null, code: null } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, { baseUrl: `http://127.0.0.1:${port}/v1` });
}
