/**
 * A circuit breaker per provider: after `failureThreshold` consecutive failures it opens and the
 * provider is skipped (no caller waits on a dead endpoint); after `cooldownMs` it lets one trial
 * request through (half-open); that trial's success closes it, its failure opens it again.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  failureThreshold?: number;
  cooldownMs?: number;
  /** Milliseconds; injectable so tests can move time. */
  now?: () => number;
}

export interface BreakerSnapshot {
  state: BreakerState;
  consecutiveFailures: number;
  /** When an open breaker will let a trial through (ms, on the breaker's clock). */
  retryAt?: number;
}

export interface BreakerPermit {
  /** True when this request is the half-open trial. */
  readonly trial: boolean;
  success(): void;
  failure(): void;
  /** The request ended without telling anything about the provider (the caller hung up first). */
  release(): void;
}

export class CircuitBreaker {
  private readonly failureThreshold: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  private failures = 0;
  private openedAt: number | undefined;
  /** When the half-open trial started; a trial that never reports back expires after a cool-down. */
  private trialStartedAt: number | undefined;

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 5;
    this.cooldownMs = options.cooldownMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    if (this.trialStartedAt !== undefined && this.now() - this.trialStartedAt < this.cooldownMs) return 'half-open';
    return this.now() - this.openedAt >= this.cooldownMs ? 'half-open' : 'open';
  }

  /**
   * A permit for one request, or undefined while the breaker is open (or its half-open trial is
   * already out). Each permit settles once; a permit tells whether it carries the trial, so a
   * request that started before the breaker opened cannot settle someone else's trial.
   */
  acquire(): BreakerPermit | undefined {
    const now = this.now();
    let trial = false;
    if (this.openedAt !== undefined) {
      if (now - this.openedAt < this.cooldownMs) return undefined;
      if (this.trialStartedAt !== undefined && now - this.trialStartedAt < this.cooldownMs) return undefined;
      this.trialStartedAt = now;
      trial = true;
    }
    const startedAt = this.trialStartedAt;
    let settled = false;
    const settle = (outcome: 'success' | 'failure' | 'release') => {
      if (settled) return;
      settled = true;
      const ownsTrial = trial && this.trialStartedAt === startedAt;
      if (outcome === 'success') {
        this.failures = 0;
        this.openedAt = undefined;
        this.trialStartedAt = undefined;
      } else if (outcome === 'failure') {
        this.failures++;
        if (ownsTrial || (this.openedAt === undefined && this.failures >= this.failureThreshold)) {
          this.openedAt = this.now();
          this.trialStartedAt = undefined;
        }
      } else if (ownsTrial) {
        this.trialStartedAt = undefined;
      }
    };
    return { trial, success: () => settle('success'), failure: () => settle('failure'), release: () => settle('release') };
  }

  snapshot(): BreakerSnapshot {
    const state = this.state;
    return {
      state,
      consecutiveFailures: this.failures,
      ...(state === 'open' && this.openedAt !== undefined ? { retryAt: this.openedAt + this.cooldownMs } : {}),
    };
  }
}
