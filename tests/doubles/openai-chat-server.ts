import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for OpenAI's `POST /v1/chat/completions`, speaking its real wire format:
 * a `chat.completion` object, or with `stream: true` server-sent `chat.completion.chunk`
 * events ending in `data: [DONE]` (tool calls streamed as OpenAI streams them, a usage chunk
 * when `stream_options.include_usage` is set), and OpenAI's error objects. Streams can be
 * slowed, paced and cut off, to test timeouts, barge-in and failover.
 */
export interface ChatRequest {
  authorization: string | null;
  body: {
    model: string;
    messages: { role: string; content: string | null }[];
    stream?: boolean;
    stream_options?: { include_usage?: boolean };
    response_format?: { type: string; json_schema?: { name: string; schema: unknown } };
    [key: string]: unknown;
  };
}

export interface ReplyToolCall {
  id?: string;
  name: string;
  /** JSON text; streamed in fragments of `argumentChunkChars`. */
  arguments: string;
}

export interface ChatContentReply {
  content?: string;
  toolCalls?: ReplyToolCall[];
  /** Before the response headers: the request hangs. */
  delayMs?: number;
  /** Streaming: after the headers, before the first chunk (a slow first token). */
  firstChunkDelayMs?: number;
  /** Streaming: between chunks, so a client can abort mid-answer. */
  chunkDelayMs?: number;
  /** Streaming: tool-call argument fragment length (default 3). */
  argumentChunkChars?: number;
  /** Streaming: destroy the socket after this many chunks (the role chunk counts), with no [DONE]. */
  cutOffAfterChunks?: number;
  /** Default 'tool_calls' when there are tool calls, else 'stop'. */
  finishReason?: string;
}

export interface ChatErrorReply {
  status: number;
  error: { message: string; type: string; code: string | null };
  headers?: Record<string, string>;
}

export type ChatReply = ChatContentReply | ChatErrorReply;
export type ChatResponder = (request: ChatRequest) => ChatReply | string | Promise<ChatReply | string>;

/** OpenAI's own error replies, as its API sends them. */
export const chatErrors = {
  rateLimited: (retryAfterSeconds = 1): ChatErrorReply => ({
    status: 429,
    error: { message: 'Rate limit reached for requests. Please try again later.', type: 'requests', code: 'rate_limit_exceeded' },
    headers: { 'retry-after': String(retryAfterSeconds) },
  }),
  serverError: (): ChatErrorReply => ({ status: 500, error: { message: 'The server had an error while processing your request.', type: 'server_error', code: null } }),
  invalidApiKey: (): ChatErrorReply => ({ status: 401, error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } }),
};

export interface OpenAiChatServer {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly requests: ChatRequest[];
  /** Requests whose client went away before the reply was complete (aborted, timed out). */
  readonly disconnected: ChatRequest[];
  respond: ChatResponder;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startOpenAiChatServer(options: { apiKey?: string; respond?: ChatResponder } = {}): Promise<OpenAiChatServer> {
  const apiKey = options.apiKey ?? 'sk-test-chat';
  const requests: ChatRequest[] = [];
  const disconnected: ChatRequest[] = [];
  let completions = 0;
  const state: OpenAiChatServer = {
    baseUrl: '',
    apiKey,
    requests,
    disconnected,
    respond: options.respond ?? (() => ''),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = createServer((req, res) => void handle(req, res));
  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const sendError = (status: number, error: ChatErrorReply['error'], headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ error: { ...error, param: null } }));
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return sendError(404, { message: `Unknown request URL: ${req.method} ${req.url}`, type: 'invalid_request_error', code: 'unknown_url' });
    const authorization = req.headers.authorization ?? null;
    if (authorization !== `Bearer ${apiKey}`) return sendError(401, chatErrors.invalidApiKey().error);
    let body: ChatRequest['body'];
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return sendError(400, { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', code: null });
    }
    const request = { authorization, body };
    requests.push(request);
    let complete = false;
    res.on('close', () => {
      if (!complete) disconnected.push(request);
    });
    const raw = await state.respond(request);
    const reply: ChatReply = typeof raw === 'string' ? { content: raw } : raw;
    if ('status' in reply) {
      complete = true;
      return sendError(reply.status, reply.error, reply.headers);
    }
    if (reply.delayMs) await sleep(reply.delayMs);
    if (res.destroyed) return;
    const content = reply.content ?? '';
    const toolCalls = (reply.toolCalls ?? []).map((call, index) => ({ ...call, id: call.id ?? `call_${completions + 1}_${index}` }));
    const finishReason = reply.finishReason ?? (toolCalls.length ? 'tool_calls' : 'stop');
    const id = `chatcmpl-${++completions}`;
    const created = Math.floor(Date.now() / 1000);
    const completionText = content + toolCalls.map((c) => c.name + c.arguments).join('');
    const usage = { prompt_tokens: Math.ceil(JSON.stringify(body.messages).length / 4), completion_tokens: Math.ceil(completionText.length / 4), total_tokens: 0 };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    if (!body.stream) {
      complete = true;
      const message = {
        role: 'assistant',
        content: toolCalls.length && !content ? null : content,
        refusal: null,
        ...(toolCalls.length ? { tool_calls: toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) } : {}),
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ id, object: 'chat.completion', created, model: body.model, choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }], usage }),
      );
      return;
    }
    // With include_usage, OpenAI puts `usage: null` on every chunk and adds one usage-only chunk at the end.
    const includeUsage = body.stream_options?.include_usage === true;
    const event = (choices: object[], extra: object = {}) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, system_fingerprint: null, choices, ...(includeUsage ? { usage: null } : {}), ...extra })}\n\n`;
    const chunk = (delta: object, finish: string | null = null) => event([{ index: 0, delta, logprobs: null, finish_reason: finish }]);
    const events: string[] = [];
    const pieces = content.match(/\S+\s*|\s+/g) ?? [];
    if (toolCalls.length && !content) events.push(chunk({ role: 'assistant', content: null, refusal: null, tool_calls: [opening(toolCalls[0]!, 0)] }));
    else events.push(chunk({ role: 'assistant', content: '', refusal: null }));
    for (const piece of pieces) events.push(chunk({ content: piece }));
    toolCalls.forEach((call, index) => {
      if (index > 0 || content) events.push(chunk({ tool_calls: [opening(call, index)] }));
      const size = reply.argumentChunkChars ?? 3;
      for (let at = 0; at < call.arguments.length; at += size) events.push(chunk({ tool_calls: [{ index, function: { arguments: call.arguments.slice(at, at + size) } }] }));
    });
    events.push(chunk({}, finishReason));
    if (includeUsage) events.push(event([], { usage }));
    events.push('data: [DONE]\n\n');

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    if (reply.firstChunkDelayMs) await sleep(reply.firstChunkDelayMs);
    let written: Promise<unknown> = Promise.resolve();
    for (const [n, text] of events.entries()) {
      if (res.destroyed) return;
      if (reply.cutOffAfterChunks !== undefined && n >= reply.cutOffAfterChunks) {
        // Let what was written reach the client first, as a real connection drop would.
        await written;
        res.socket?.destroy();
        return;
      }
      if (n > 0 && reply.chunkDelayMs) await sleep(reply.chunkDelayMs);
      if (res.destroyed) return;
      written = new Promise((resolve) => res.write(text, resolve));
    }
    complete = true;
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (state as { baseUrl: string }).baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return state;
}

/** OpenAI's first fragment of a tool call: id, type and name, with empty arguments. */
function opening(call: ReplyToolCall & { id: string }, index: number) {
  return { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } };
}
