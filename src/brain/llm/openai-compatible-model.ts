import OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ChatMessage, LanguageModel, LlmEvent, LlmRequest, ToolCall } from './language-model.js';
import { isRetryableStatus, LlmError } from './llm-error.js';

export interface OpenAiCompatibleOptions {
  /** Shown in logs, metrics and `done` events; never the key. */
  name: string;
  /** e.g. `https://api.groq.com/openai/v1`; OpenAI's own API when unset. */
  baseUrl?: string;
  /** A local server may need none. */
  apiKey?: string;
  model: string;
  /** No text or tool call by then (from the request going out): LlmError 'timeout'. */
  firstTokenTimeoutMs?: number;
  /** No finished answer by then: LlmError 'timeout'. */
  timeoutMs?: number;
  /** Ask for a usage chunk (`stream_options.include_usage`); off for servers that reject the option. */
  streamUsage?: boolean;
}

/**
 * One OpenAI-compatible chat endpoint (OpenAI, Groq, Together, vLLM, Ollama, llama.cpp…) as a
 * LanguageModel. The SDK's own retries are off: the failover model decides what to retry, so a
 * caller on the phone never waits through the SDK's back-off on a provider that is down.
 */
export class OpenAiCompatibleModel implements LanguageModel {
  readonly name: string;
  readonly model: string;
  private readonly client: OpenAI;
  private readonly firstTokenTimeoutMs: number;
  private readonly timeoutMs: number;
  private readonly streamUsage: boolean;

  constructor(options: OpenAiCompatibleOptions) {
    this.name = options.name;
    this.model = options.model;
    this.firstTokenTimeoutMs = options.firstTokenTimeoutMs ?? 4_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.streamUsage = options.streamUsage ?? true;
    this.client = new OpenAI({ apiKey: options.apiKey ?? 'not-needed', baseURL: options.baseUrl, maxRetries: 0, timeout: this.timeoutMs });
  }

  async *stream(request: LlmRequest, signal: AbortSignal): AsyncIterable<LlmEvent> {
    if (signal.aborted) return;
    // One controller for the caller's abort and both timeouts; `timedOut` tells them apart afterwards.
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let timedOut: LlmError | undefined;
    const deadline = (what: string, ms: number) =>
      setTimeout(() => {
        timedOut ??= new LlmError('timeout', `${this.name}: ${what} within ${ms} ms`, { provider: this.name, retryable: true });
        controller.abort();
      }, ms);
    const firstTokenTimer = deadline('no first token', this.firstTokenTimeoutMs);
    const overallTimer = deadline('no complete answer', this.timeoutMs);
    const toolCalls = new ToolCallAssembler();
    let finishReason: string | undefined;
    let usage: ChatCompletionChunk['usage'] | undefined;
    let finished = false;
    try {
      const stream = await this.client.chat.completions.create(this.body(request), { signal: controller.signal });
      for await (const chunk of stream) {
        if (chunk.usage) usage = chunk.usage;
        // Only n=1 is requested; a usage-only chunk has no choices.
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        const delta = choice.delta ?? {};
        // The role-only opening chunk is not a token: a server may send it long before generating.
        if (delta.content || delta.tool_calls?.length || choice.finish_reason) clearTimeout(firstTokenTimer);
        if (delta.content) yield { type: 'text', text: delta.content };
        for (const fragment of delta.tool_calls ?? []) {
          for (const call of toolCalls.add(fragment)) yield { type: 'tool-call', call };
        }
        if (choice.finish_reason) finishReason = choice.finish_reason;
      }
      finished = true;
    } catch (error) {
      if (timedOut) throw timedOut;
      if (signal.aborted) return;
      throw toLlmError(error, this.name);
    } finally {
      clearTimeout(firstTokenTimer);
      clearTimeout(overallTimer);
      signal.removeEventListener('abort', onAbort);
      // The caller stopped pulling (or an error): close the connection rather than let it run on.
      if (!finished) controller.abort();
    }
    // The SDK ends the iteration quietly when its signal aborts; only now can we say why.
    if (timedOut) throw timedOut;
    if (signal.aborted) return;
    if (!finishReason) {
      throw new LlmError('network', `${this.name}: the stream ended before the answer was finished`, { provider: this.name, retryable: true });
    }
    for (const call of toolCalls.finish()) yield { type: 'tool-call', call };
    if (usage) yield { type: 'usage', promptTokens: usage.prompt_tokens ?? 0, completionTokens: usage.completion_tokens ?? 0 };
    yield { type: 'done', finishReason, provider: this.name };
  }

  private body(request: LlmRequest): ChatCompletionCreateParamsStreaming {
    return {
      model: this.model,
      messages: request.messages.map(toOpenAiMessage),
      stream: true,
      ...(this.streamUsage ? { stream_options: { include_usage: true } } : {}),
      ...(request.tools?.length
        ? { tools: request.tools.map((tool) => ({ type: 'function' as const, function: { name: tool.name, description: tool.description, parameters: tool.parameters } })) }
        : {}),
      // max_tokens rather than max_completion_tokens: it is the one every compatible server knows.
      ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    };
  }
}

function toOpenAiMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content ?? '' };
    case 'user':
      return { role: 'user', content: message.content ?? '' };
    case 'tool':
      return { role: 'tool', content: message.content ?? '', tool_call_id: message.toolCallId ?? '' };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content,
        ...(message.toolCalls?.length
          ? { tool_calls: message.toolCalls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } })) }
          : {}),
      };
  }
}

type ToolCallFragment = NonNullable<ChatCompletionChunk.Choice.Delta['tool_calls']>[number];

/**
 * Tool calls stream as fragments: the first names the call (index, id, function name), the rest
 * carry pieces of its JSON arguments. A call is whole when the next index starts or the stream ends.
 */
class ToolCallAssembler {
  private current: { index: number; id?: string; name: string; arguments: string } | undefined;

  /** Returns the calls this fragment completed (the previous one, when a new index starts). */
  add(fragment: ToolCallFragment): ToolCall[] {
    // Some servers leave out `index`; a new id then means a new call.
    const index = fragment.index ?? (this.current && fragment.id && this.current.id && fragment.id !== this.current.id ? this.current.index + 1 : (this.current?.index ?? 0));
    const completed: ToolCall[] = [];
    if (this.current && this.current.index !== index) completed.push(...this.finish());
    this.current ??= { index, name: '', arguments: '' };
    if (fragment.id) this.current.id = fragment.id;
    if (fragment.function?.name) this.current.name += fragment.function.name;
    if (fragment.function?.arguments) this.current.arguments += fragment.function.arguments;
    return completed;
  }

  finish(): ToolCall[] {
    const call = this.current;
    this.current = undefined;
    if (!call) return [];
    return [{ id: call.id ?? `call_${call.index}`, name: call.name, arguments: call.arguments === '' ? '{}' : call.arguments }];
  }
}

/** Maps what the SDK (or fetch underneath it) threw to an LlmError with a retry decision. */
export function toLlmError(error: unknown, provider: string): LlmError {
  if (error instanceof LlmError) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new LlmError('timeout', `${provider}: ${error.message}`, { provider, retryable: true, cause: error });
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new LlmError('network', `${provider}: ${error.message}`, { provider, retryable: true, cause: error });
  }
  if (error instanceof OpenAI.APIError) {
    const status = typeof error.status === 'number' ? error.status : undefined;
    return new LlmError('http', `${provider}: ${error.message}`, {
      provider,
      status,
      type: error.type ?? undefined,
      code: error.code ?? undefined,
      // An error event inside a 200 stream has no status: the server failed mid-answer.
      retryable: status === undefined ? true : isRetryableStatus(status),
      retryAfterMs: retryAfterMs(error.headers),
      cause: error,
    });
  }
  if (error instanceof SyntaxError) {
    return new LlmError('protocol', `${provider}: unreadable stream (${error.message})`, { provider, retryable: true, cause: error });
  }
  // fetch's "terminated" and socket errors while reading the body: the connection was cut.
  const message = error instanceof Error ? error.message : String(error);
  return new LlmError('network', `${provider}: ${message}`, { provider, retryable: true, cause: error });
}

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (headers?.get('retry-after-ms') && Number.isFinite(ms)) return Math.max(0, ms);
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
