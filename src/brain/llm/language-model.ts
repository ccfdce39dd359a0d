/** A chat model behind an OpenAI-compatible API, as the brain sees it. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  /** On assistant messages that called tools. */
  toolCalls?: ToolCall[];
  /** On tool messages: which call this answers. */
  toolCallId?: string;
}

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface ToolCall {
  id: string;
  name: string;
  /** JSON text, as the model wrote it. */
  arguments: string;
}

export type LlmEvent =
  | { type: 'text'; text: string }
  | { type: 'tool-call'; call: ToolCall }
  | { type: 'usage'; promptTokens: number; completionTokens: number }
  | { type: 'done'; finishReason: string; provider: string };

export interface LlmRequest {
  messages: ChatMessage[];
  tools?: ToolSpec[];
  maxTokens?: number;
  temperature?: number;
}

/**
 * Streams one completion. Text arrives as it is generated; tool calls arrive whole (their
 * argument deltas assembled). Stops quietly when `signal` aborts (barge-in); throws LlmError
 * when no provider could answer.
 */
export interface LanguageModel {
  stream(request: LlmRequest, signal: AbortSignal): AsyncIterable<LlmEvent>;
}

export { LlmError, type LlmErrorKind } from './llm-error.js';
