import type { Logger } from 'pino';
import { CircuitBreaker, type BreakerSnapshot } from '../../resilience/circuit-breaker.js';
import type { LanguageModel, LlmEvent, LlmRequest } from './language-model.js';
import { LlmError } from './llm-error.js';
import { toLlmError } from './openai-compatible-model.js';

export interface NamedLanguageModel extends LanguageModel {
  readonly name: string;
}

export interface FailoverOptions {
  /** Retries on the same provider for a retryable error, before moving on (default 1). */
  maxRetries?: number;
  /** First back-off; doubles per retry; half of it is random jitter (default 200 ms). */
  backoffBaseMs?: number;
  /** Longest back-off; a Retry-After longer than this moves on to the next provider (default 2 s). */
  backoffMaxMs?: number;
  failureThreshold?: number;
  cooldownMs?: number;
  /** Injectable for tests: the breakers' clock, the jitter source and the back-off sleep. */
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  log?: Pick<Logger, 'warn'>;
  /** Called after every attempt, for metrics. */
  onAttempt?: (attempt: AttemptReport) => void;
}

export interface AttemptReport {
  provider: string;
  outcome: 'success' | 'failure' | 'aborted' | 'skipped';
  durationMs: number;
  error?: LlmError;
}

export interface FailoverStatus {
  /** At least one provider would be tried now. */
  ready: boolean;
  providers: (BreakerSnapshot & { name: string })[];
}

/**
 * Providers in order of preference, each behind a circuit breaker. A retryable failure is retried
 * (with back-off) on the same provider, then the next provider is tried. Once text or a tool call
 * has reached the caller nothing is retried: the caller may already have spoken it, so the error
 * goes to the caller as LlmError 'interrupted'. All failed: LlmError 'unavailable'.
 */
export class FailoverModel implements LanguageModel {
  private readonly providers: { model: NamedLanguageModel; breaker: CircuitBreaker }[];
  private readonly maxRetries: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly now: () => number;

  constructor(
    providers: NamedLanguageModel[],
    private readonly options: FailoverOptions = {},
  ) {
    if (providers.length === 0) throw new Error('FailoverModel needs at least one provider');
    this.now = options.now ?? Date.now;
    this.providers = providers.map((model) => ({
      model,
      breaker: new CircuitBreaker({ failureThreshold: options.failureThreshold, cooldownMs: options.cooldownMs, now: this.now }),
    }));
    this.maxRetries = options.maxRetries ?? 1;
    this.backoffBaseMs = options.backoffBaseMs ?? 200;
    this.backoffMaxMs = options.backoffMaxMs ?? 2_000;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? abortableSleep;
  }

  status(): FailoverStatus {
    const providers = this.providers.map(({ model, breaker }) => ({ name: model.name, ...breaker.snapshot() }));
    return { ready: providers.some((p) => p.state !== 'open'), providers };
  }

  async *stream(request: LlmRequest, signal: AbortSignal): AsyncIterable<LlmEvent> {
    const failures: LlmError[] = [];
    for (const { model, breaker } of this.providers) {
      for (let attempt = 0; ; attempt++) {
        if (signal.aborted) return;
        const permit = breaker.acquire();
        if (!permit) {
          this.report({ provider: model.name, outcome: 'skipped', durationMs: 0 });
          break;
        }
        const started = this.now();
        let received = false;
        // Text or a tool call reached the caller: from here on a failure cannot be retried.
        let committed = false;
        let settled = false;
        try {
          for await (const event of model.stream(request, signal)) {
            received = true;
            if (event.type === 'text' || event.type === 'tool-call') committed = true;
            yield event;
          }
          settled = true;
          // An answer cut short by the caller still shows the provider was answering.
          if (signal.aborted && !received) permit.release();
          else permit.success();
          this.report({ provider: model.name, outcome: signal.aborted ? 'aborted' : 'success', durationMs: this.now() - started });
          return;
        } catch (thrown) {
          settled = true;
          if (signal.aborted) {
            permit.release();
            this.report({ provider: model.name, outcome: 'aborted', durationMs: this.now() - started });
            return;
          }
          const error = toLlmError(thrown, model.name);
          // A 400/422 is about this request (too long, bad schema), not the provider's health.
          if (error.status === 400 || error.status === 422) permit.release();
          else permit.failure();
          this.report({ provider: model.name, outcome: 'failure', durationMs: this.now() - started, error });
          this.options.log?.warn(
            { event: 'llm.attempt_failed', provider: model.name, kind: error.kind, status: error.status, code: error.code, attempt, committed },
            'language model attempt failed',
          );
          if (committed) {
            throw new LlmError('interrupted', `${model.name} failed mid-answer: ${error.message}`, { provider: model.name, status: error.status, code: error.code, cause: error });
          }
          failures.push(error);
          const wait = this.backoff(attempt, error);
          if (wait === undefined) break;
          await this.sleep(wait, signal);
        } finally {
          // The caller stopped pulling (break/return): neither a success nor a failure of the provider.
          if (!settled) {
            if (received) permit.success();
            else permit.release();
          }
        }
      }
    }
    const summary = failures.map((f) => `${f.provider}: ${f.kind}${f.status ? ` ${f.status}` : ''}`).join('; ');
    throw new LlmError('unavailable', `no language model could answer${summary ? ` (${summary})` : ' (all circuit breakers open)'}`, { attempts: failures });
  }

  /** Milliseconds to wait before retrying the same provider, or undefined to move on. */
  private backoff(attempt: number, error: LlmError): number | undefined {
    if (!error.retryable || attempt >= this.maxRetries) return undefined;
    // A provider that just sat silent past the deadline will most likely do it again, and the
    // caller has already waited that long: the next provider (or the fallback line) comes now.
    if (error.kind === 'timeout') return undefined;
    // A provider asking for a long pause: the caller is on the line, the next provider is faster.
    if (error.retryAfterMs !== undefined && error.retryAfterMs > this.backoffMaxMs) return undefined;
    const ceiling = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** attempt);
    const jittered = ceiling / 2 + (this.random() * ceiling) / 2;
    return Math.max(jittered, error.retryAfterMs ?? 0);
  }

  private report(attempt: AttemptReport): void {
    try {
      this.options.onAttempt?.(attempt);
    } catch {
      // Metrics must never break a call.
    }
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
