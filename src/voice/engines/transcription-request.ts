/**
 * What the cloud speech-to-text adapters (OpenAI-compatible, ElevenLabs) share: the error they
 * fail with, and one multipart upload → `{text}` round trip with the caller's abort, a timeout,
 * and failures named for the caller to decide between a retry and another engine.
 */
export type SttFailure = 'http' | 'timeout' | 'network' | 'bad_response';

/**
 * The transcription endpoint refused, failed or could not be reached. `status`, `code` and `type`
 * come from the HTTP answer and OpenAI's `{error: {message, type, code}}` body when there is one.
 */
export class SpeechToTextError extends Error {
  override readonly name = 'SpeechToTextError';
  constructor(
    message: string,
    readonly failure: SttFailure,
    readonly status: number | null = null,
    readonly code: string | null = null,
    readonly type: string | null = null,
  ) {
    super(message);
  }

  /** Worth another try: rate limits, server faults, timeouts and lost connections; not bad keys or bad input. */
  get retryable(): boolean {
    return this.failure !== 'http' || this.status === 408 || this.status === 429 || (this.status ?? 0) >= 500;
  }
}

/** Error bodies quoted in messages are cut to this many characters. */
export const MAX_ERROR_TEXT = 300;

export interface TranscriptionRequest {
  endpoint: string;
  headers: Record<string, string>;
  form: FormData;
  signal: AbortSignal;
  timeoutMs: number;
  /** How messages name the service: "transcription", "ElevenLabs transcription". */
  label: string;
  /** How a reply without text is attributed: "transcription endpoint", "ElevenLabs transcription". */
  answeredBy: string;
  /** The service's own error body → an error (status, code, message). */
  httpError: (status: number, body: string) => SpeechToTextError;
  /** Applied to every message that quotes the service (e.g. removing a key it echoed). */
  scrub?: (text: string) => string;
}

/** Rejects with the signal's reason when aborted, or with a SpeechToTextError. */
export async function postTranscription(r: TranscriptionRequest): Promise<{ text: string }> {
  const scrub = r.scrub ?? ((text: string) => text);
  const timeout = AbortSignal.timeout(r.timeoutMs);
  let response: Response;
  let body: string;
  try {
    response = await fetch(r.endpoint, { method: 'POST', headers: r.headers, body: r.form, signal: AbortSignal.any([r.signal, timeout]) });
    body = await response.text();
  } catch (error) {
    r.signal.throwIfAborted(); // the caller's abort wins, as itself, not as a failure
    if (timeout.aborted) throw new SpeechToTextError(`${r.label} timed out after ${r.timeoutMs} ms`, 'timeout');
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new SpeechToTextError(scrub(`${r.label} endpoint unreachable (${r.endpoint}): ${detail}`), 'network');
  }

  if (!response.ok) throw r.httpError(response.status, body);
  let text: unknown;
  try {
    text = (JSON.parse(body) as { text?: unknown }).text;
  } catch {
    // Falls through: not JSON.
  }
  if (typeof text !== 'string') {
    throw new SpeechToTextError(
      scrub(`${r.answeredBy} answered ${response.status} without a "text" field: ${body.slice(0, MAX_ERROR_TEXT)}`),
      'bad_response',
      response.status,
    );
  }
  return { text: text.trim() };
}
