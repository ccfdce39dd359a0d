import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LlmEvent } from '../src/brain/llm/language-model.js';
import { LlmError } from '../src/brain/llm/llm-error.js';
import { OpenAiCompatibleModel, type OpenAiCompatibleOptions } from '../src/brain/llm/openai-compatible-model.js';
import { chatErrors, startOpenAiChatServer, type OpenAiChatServer } from './doubles/openai-chat-server.js';

export async function collect(events: AsyncIterable<LlmEvent>): Promise<LlmEvent[]> {
  const out: LlmEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

export async function failure(events: AsyncIterable<LlmEvent>): Promise<LlmError> {
  try {
    await collect(events);
  } catch (error) {
    expect(error).toBeInstanceOf(LlmError);
    return error as LlmError;
  }
  throw new Error('expected the stream to fail');
}

const text = (events: LlmEvent[]) => events.flatMap((e) => (e.type === 'text' ? [e.text] : [])).join('');
const ask = { messages: [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: 'When are you open?' }] };

describe('OpenAI-compatible model (streaming, against the double)', () => {
  let server: OpenAiChatServer;
  const model = (options: Partial<OpenAiCompatibleOptions> = {}) =>
    new OpenAiCompatibleModel({ name: 'double', baseUrl: server.baseUrl, apiKey: server.apiKey, model: 'test-model', ...options });

  beforeAll(async () => {
    server = await startOpenAiChatServer();
  });
  afterAll(() => server.close());

  it('streams text deltas as they arrive, then usage and done', async () => {
    server.respond = () => ({ content: 'We are open nine to five, Monday to Friday.', chunkDelayMs: 30 });
    const started = Date.now();
    const seen: { event: LlmEvent; at: number }[] = [];
    for await (const event of model().stream(ask, new AbortController().signal)) seen.push({ event, at: Date.now() - started });
    const events = seen.map((s) => s.event);
    expect(text(events)).toBe('We are open nine to five, Monday to Friday.');
    expect(events.filter((e) => e.type === 'text').length).toBeGreaterThan(5);
    // Deltas are passed on as they come, not gathered up at the end.
    expect(seen.find((s) => s.event.type === 'text')!.at).toBeLessThan(seen.at(-1)!.at - 100);
    expect(events.slice(-2)).toEqual([
      { type: 'usage', promptTokens: expect.any(Number), completionTokens: expect.any(Number) },
      { type: 'done', finishReason: 'stop', provider: 'double' },
    ]);
    const body = server.requests.at(-1)!.body;
    expect(body).toMatchObject({ model: 'test-model', stream: true, stream_options: { include_usage: true } });
    expect(body.messages).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'When are you open?' }]);
  });

  it('tolerates a server that sends no usage', async () => {
    server.respond = () => 'Hello.';
    const events = await collect(model({ streamUsage: false }).stream(ask, new AbortController().signal));
    expect(server.requests.at(-1)!.body.stream_options).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['text', 'done']);
  });

  it('assembles tool calls from fragments: two calls in one answer, after the text', async () => {
    const lookup = { query: 'opening hours on "holidays"', limit: 3 };
    const message = { message: 'Please call me back, it is about my order — number 1234.' };
    server.respond = () => ({
      content: 'Let me check.',
      toolCalls: [
        { id: 'call_a', name: 'lookup_knowledge', arguments: JSON.stringify(lookup) },
        { id: 'call_b', name: 'take_message', arguments: JSON.stringify(message) },
      ],
      argumentChunkChars: 2,
    });
    const tools = [{ name: 'lookup_knowledge', description: 'Search the knowledge base', parameters: { type: 'object', properties: { query: { type: 'string' } } } }];
    const events = await collect(
      model().stream(
        { ...ask, tools, maxTokens: 200, temperature: 0.3, messages: [...ask.messages, { role: 'assistant', content: null, toolCalls: [{ id: 'call_0', name: 'x', arguments: '{}' }] }, { role: 'tool', content: 'ok', toolCallId: 'call_0' }] },
        new AbortController().signal,
      ),
    );
    expect(text(events)).toBe('Let me check.');
    expect(events.filter((e) => e.type !== 'text').map((e) => e.type)).toEqual(['tool-call', 'tool-call', 'usage', 'done']);
    const calls = events.flatMap((e) => (e.type === 'tool-call' ? [e.call] : []));
    expect(calls).toEqual([
      { id: 'call_a', name: 'lookup_knowledge', arguments: JSON.stringify(lookup) },
      { id: 'call_b', name: 'take_message', arguments: JSON.stringify(message) },
    ]);
    expect(JSON.parse(calls[1]!.arguments)).toEqual(message);
    expect(events.at(-1)).toEqual({ type: 'done', finishReason: 'tool_calls', provider: 'double' });
    const body = server.requests.at(-1)!.body;
    expect(body).toMatchObject({ max_tokens: 200, temperature: 0.3, tools: [{ type: 'function', function: { name: 'lookup_knowledge' } }] });
    expect(body.messages.slice(2)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'x', arguments: '{}' } }] },
      { role: 'tool', content: 'ok', tool_call_id: 'call_0' },
    ]);
  });

  it('emits a tool call as soon as the next one starts', async () => {
    server.respond = () => ({ toolCalls: [{ name: 'a', arguments: '{"x":1}' }, { name: 'b', arguments: '{"y":"' + 'z'.repeat(60) + '"}' }], chunkDelayMs: 20 });
    const started = Date.now();
    const seen: { type: string; at: number }[] = [];
    for await (const event of model().stream(ask, new AbortController().signal)) seen.push({ type: event.type, at: Date.now() - started });
    expect(seen.map((s) => s.type)).toEqual(['tool-call', 'tool-call', 'usage', 'done']);
    expect(seen[0]!.at).toBeLessThan(seen[1]!.at - 200);
  });

  it('stops promptly and quietly on abort, and the server sees the client go', async () => {
    server.respond = () => ({ content: 'word '.repeat(100), chunkDelayMs: 50 });
    const before = server.disconnected.length;
    const controller = new AbortController();
    const events: LlmEvent[] = [];
    let abortedAt = 0;
    for await (const event of model().stream(ask, controller.signal)) {
      events.push(event);
      if (events.length === 2) {
        abortedAt = Date.now();
        setTimeout(() => controller.abort(), 10);
      }
    }
    expect(Date.now() - abortedAt).toBeLessThan(3_000); // the rest of the answer would take 5 s
    expect(events.every((e) => e.type === 'text')).toBe(true);
    expect(events.length).toBeLessThan(5);
    await vi.waitFor(() => expect(server.disconnected.length).toBe(before + 1));
  });

  it('stops quietly when aborted before the response starts, or already aborted', async () => {
    server.respond = () => ({ content: 'late', delayMs: 5_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    expect(await collect(model().stream(ask, controller.signal))).toEqual([]);
    expect(Date.now() - started).toBeLessThan(3_000); // the response would take 5 s
    expect(await collect(model().stream(ask, AbortSignal.abort()))).toEqual([]);
  });

  it('times out when the first token is slow, whether or not headers came', async () => {
    for (const reply of [{ content: 'Too late.', firstChunkDelayMs: 5_000 }, { content: 'Too late.', delayMs: 5_000 }]) {
      server.respond = () => reply;
      const started = Date.now();
      const error = await failure(model({ firstTokenTimeoutMs: 200 }).stream(ask, new AbortController().signal));
      expect(error).toMatchObject({ kind: 'timeout', retryable: true, provider: 'double' });
      expect(error.message).toMatch(/first token/);
      expect(Date.now() - started).toBeLessThan(3_000); // the first token would take 5 s
    }
  });

  it('times out an answer that keeps trickling past the overall limit', async () => {
    server.respond = () => ({ content: 'slow '.repeat(120), chunkDelayMs: 50 });
    const events: LlmEvent[] = [];
    let error: unknown;
    try {
      // Six seconds of trickle against a two-second limit: some text arrives first even on a loaded machine.
      for await (const event of model({ timeoutMs: 2000 }).stream(ask, new AbortController().signal)) events.push(event);
    } catch (e) {
      error = e;
    }
    expect(events.length).toBeGreaterThan(2);
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
  });

  it('maps HTTP errors with status, type, code, Retry-After and whether to retry', async () => {
    server.respond = () => chatErrors.rateLimited(2);
    expect(await failure(model().stream(ask, new AbortController().signal))).toMatchObject({
      kind: 'http', status: 429, type: 'requests', code: 'rate_limit_exceeded', retryable: true, retryAfterMs: 2_000,
    });
    server.respond = () => chatErrors.serverError();
    expect(await failure(model().stream(ask, new AbortController().signal))).toMatchObject({ kind: 'http', status: 500, type: 'server_error', retryable: true });
    expect(await failure(model({ apiKey: 'sk-wrong' }).stream(ask, new AbortController().signal))).toMatchObject({
      kind: 'http', status: 401, code: 'invalid_api_key', retryable: false,
    });
  });

  it('reports a stream cut off midway, and a refused connection, as retryable network errors', async () => {
    server.respond = () => ({ content: 'This answer will not finish.', cutOffAfterChunks: 3 });
    const events: LlmEvent[] = [];
    let error: unknown;
    try {
      for await (const event of model().stream(ask, new AbortController().signal)) events.push(event);
    } catch (e) {
      error = e;
    }
    expect(text(events)).toBe('This answer ');
    expect(error).toMatchObject({ kind: 'network', retryable: true });

    const closed = await startOpenAiChatServer();
    await closed.close();
    const refused = new OpenAiCompatibleModel({ name: 'gone', baseUrl: closed.baseUrl, model: 'm' });
    expect(await failure(refused.stream(ask, new AbortController().signal))).toMatchObject({ kind: 'network', retryable: true, provider: 'gone' });
  });
});
