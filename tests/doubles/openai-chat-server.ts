import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for OpenAI's `POST /v1/chat/completions`, speaking its real wire format:
 * a `chat.completion` object, or with `stream: true` server-sent `chat.completion.chunk`
 * events ending in `data: [DONE]`, and OpenAI's error objects.
 */
export interface ChatRequest {
  authorization: string | null;
  body: {
    model: string;
    messages: { role: string; content: string | null }[];
    stream?: boolean;
    response_format?: { type: string; json_schema?: { name: string; schema: unknown } };
    [key: string]: unknown;
  };
}

export type ChatReply = { content: string; delayMs?: number } | { status: number; error: { message: string; type: string; code: string | null } };
export type ChatResponder = (request: ChatRequest) => ChatReply | string | Promise<ChatReply | string>;

export interface OpenAiChatServer {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly requests: ChatRequest[];
  respond: ChatResponder;
  close(): Promise<void>;
}

export async function startOpenAiChatServer(options: { apiKey?: string; respond?: ChatResponder } = {}): Promise<OpenAiChatServer> {
  const apiKey = options.apiKey ?? 'sk-test-chat';
  const requests: ChatRequest[] = [];
  let completions = 0;
  const state: OpenAiChatServer = {
    baseUrl: '',
    apiKey,
    requests,
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
    const sendError = (status: number, error: { message: string; type: string; code: string | null }) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { ...error, param: null } }));
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return sendError(404, { message: `Unknown request URL: ${req.method} ${req.url}`, type: 'invalid_request_error', code: 'unknown_url' });
    const authorization = req.headers.authorization ?? null;
    if (authorization !== `Bearer ${apiKey}`) return sendError(401, { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' });
    let body: ChatRequest['body'];
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return sendError(400, { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', code: null });
    }
    const request = { authorization, body };
    requests.push(request);
    const raw = await state.respond(request);
    const reply: ChatReply = typeof raw === 'string' ? { content: raw } : raw;
    if ('status' in reply) return sendError(reply.status, reply.error);
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    const id = `chatcmpl-${++completions}`;
    const created = Math.floor(Date.now() / 1000);
    const usage = { prompt_tokens: Math.ceil(JSON.stringify(body.messages).length / 4), completion_tokens: Math.ceil(reply.content.length / 4), total_tokens: 0 };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: reply.content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
    res.write(chunk({ role: 'assistant', content: '' }, null));
    for (const piece of reply.content.match(/\S+\s*/g) ?? []) res.write(chunk({ content: piece }, null));
    res.write(chunk({}, 'stop'));
    res.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (state as { baseUrl: string }).baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return state;
}
