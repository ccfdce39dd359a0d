import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';

describe('circuit breaker', () => {
  const make = () => {
    const clock = { now: 1_000 };
    return { clock, breaker: new CircuitBreaker({ failureThreshold: 3, cooldownMs: 10_000, now: () => clock.now }) };
  };
  const fail = (breaker: CircuitBreaker, times: number) => {
    for (let i = 0; i < times; i++) breaker.acquire()!.failure();
  };

  it('opens after consecutive failures; a success in between resets the count', () => {
    const { breaker } = make();
    fail(breaker, 2);
    breaker.acquire()!.success();
    fail(breaker, 2);
    expect(breaker.state).toBe('closed');
    fail(breaker, 1);
    expect(breaker.snapshot()).toEqual({ state: 'open', consecutiveFailures: 3, retryAt: 11_000 });
    expect(breaker.acquire()).toBeUndefined();
  });

  it('half-opens after the cool-down with exactly one trial; its success closes the breaker', () => {
    const { breaker, clock } = make();
    fail(breaker, 3);
    clock.now += 10_000;
    expect(breaker.state).toBe('half-open');
    const trial = breaker.acquire()!;
    expect(trial.trial).toBe(true);
    expect(breaker.acquire()).toBeUndefined();
    trial.success();
    expect(breaker.snapshot()).toEqual({ state: 'closed', consecutiveFailures: 0 });
    expect(breaker.acquire()?.trial).toBe(false);
  });

  it('a failed trial opens it for another cool-down; a released trial frees the slot', () => {
    const { breaker, clock } = make();
    fail(breaker, 3);
    clock.now += 10_000;
    breaker.acquire()!.failure();
    expect(breaker.state).toBe('open');
    clock.now += 9_999;
    expect(breaker.acquire()).toBeUndefined();
    clock.now += 1;
    breaker.acquire()!.release();
    expect(breaker.acquire()?.trial).toBe(true);
  });

  it('a request that started before the breaker opened cannot settle the trial', () => {
    const { breaker, clock } = make();
    const early = breaker.acquire()!;
    fail(breaker, 3);
    clock.now += 10_000;
    const trial = breaker.acquire()!;
    early.release();
    early.failure(); // settles once: ignored
    expect(breaker.acquire()).toBeUndefined();
    trial.success();
    expect(breaker.state).toBe('closed');
  });
});
