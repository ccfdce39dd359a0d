/**
 * Why a language model could not answer. `retryable` says whether the same request may succeed
 * if sent again (rate limits, server errors, timeouts, dropped connections); the failover model
 * uses it to choose between a retry and the next provider.
 */
export type LlmErrorKind =
  /** No first token, or no complete answer, within the configured time. */
  | 'timeout'
  /** The provider answered with an HTTP error (see status, type, code). */
  | 'http'
  /** The connection failed or was cut before the answer finished. */
  | 'network'
  /** The provider sent something that is not a chat completion stream. */
  | 'protocol'
  /** The provider failed after part of the answer had reached the caller: it cannot be retried. */
  | 'interrupted'
  /** Every provider failed or is switched off by its circuit breaker. */
  | 'unavailable';

export interface LlmErrorDetails {
  provider?: string;
  status?: number;
  /** OpenAI's error `type` (e.g. `invalid_request_error`, `server_error`). */
  type?: string;
  /** OpenAI's error `code` (e.g. `rate_limit_exceeded`, `invalid_api_key`). */
  code?: string;
  retryable?: boolean;
  /** From Retry-After / retry-after-ms, when the provider sent one. */
  retryAfterMs?: number;
  /** For 'unavailable': what each attempt failed with, in order. */
  attempts?: LlmError[];
  cause?: unknown;
}

export class LlmError extends Error {
  override readonly name = 'LlmError';
  readonly kind: LlmErrorKind;
  readonly provider?: string;
  readonly status?: number;
  readonly type?: string;
  readonly code?: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly attempts: LlmError[];

  constructor(kind: LlmErrorKind, message: string, details: LlmErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.provider = details.provider;
    this.status = details.status;
    this.type = details.type;
    this.code = details.code;
    this.retryable = details.retryable ?? false;
    this.retryAfterMs = details.retryAfterMs;
    this.attempts = details.attempts ?? [];
  }
}

/** 429, 408 and 5xx may pass on their own; other 4xx mean the request or the credentials are wrong. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}
