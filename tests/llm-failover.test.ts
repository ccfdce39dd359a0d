import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FailoverModel, type FailoverOptions } from '../src/brain/llm/failover-model.js';
import type { LlmEvent } from '../src/brain/llm/language-model.js';
import { LlmError } from '../src/brain/llm/llm-error.js';
import { OpenAiCompatibleModel } from '../src/brain/llm/openai-compatible-model.js';
import { chatErrors, startOpenAiChatServer, type OpenAiChatServer } from './doubles/openai-chat-server.js';

const ask = { messages: [{ role: 'user' as const, content: 'Hi' }] };
const text = (events: LlmEvent[]) => events.flatMap((e) => (e.type === 'text' ? [e.text] : [])).join('');

async function run(model: FailoverModel, signal = new AbortController().signal): Promise<{ events: LlmEvent[]; error?: LlmError }> {
  const events: LlmEvent[] = [];
  try {
    for await (const event of model.stream(ask, signal)) events.push(event);
    return { events };
  } catch (error) {
    expect(error).toBeInstanceOf(LlmError);
    return { events, error: error as LlmError };
  }
}

describe('failover across providers', () => {
  let primary: OpenAiChatServer;
  let backup: OpenAiChatServer;
  const clock = { now: 1_000_000 };
  let waits: number[] = [];

  beforeAll(async () => {
    [primary, backup] = await Promise.all([startOpenAiChatServer({ apiKey: 'sk-primary' }), startOpenAiChatServer({ apiKey: 'sk-backup' })]);
  });
  afterAll(async () => {
    await Promise.all([primary.close(), backup.close()]);
  });
  afterEach(() => {
    primary.requests.length = 0;
    backup.requests.length = 0;
    waits = [];
  });

  function failover(options: FailoverOptions = {}) {
    const providers = [
      new OpenAiCompatibleModel({ name: 'primary', baseUrl: primary.baseUrl, apiKey: primary.apiKey, model: 'big' }),
      new OpenAiCompatibleModel({ name: 'backup', baseUrl: backup.baseUrl, apiKey: backup.apiKey, model: 'small' }),
    ];
    // No real back-off waits in tests; the waits asked for are recorded.
    return new FailoverModel(providers, { now: () => clock.now, random: () => 0.5, sleep: async (ms) => void waits.push(ms), ...options });
  }

  it('retries a 500 once, then answers from the next provider', async () => {
    primary.respond = () => chatErrors.serverError();
    backup.respond = () => 'Backup here.';
    const { events, error } = await run(failover());
    expect(error).toBeUndefined();
    expect(text(events)).toBe('Backup here.');
    expect(events.at(-1)).toEqual({ type: 'done', finishReason: 'stop', provider: 'backup' });
    expect(primary.requests).toHaveLength(2);
    expect(backup.requests).toHaveLength(1);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(0);
  });

  it('does not retry a 401, and moves on', async () => {
    primary.respond = () => chatErrors.invalidApiKey();
    backup.respond = () => 'Backup here.';
    const { events } = await run(failover());
    expect(text(events)).toBe('Backup here.');
    expect(primary.requests).toHaveLength(1);
    expect(waits).toEqual([]);
    // Alone, it fails at once with the provider's own error among the attempts.
    const alone = new FailoverModel([new OpenAiCompatibleModel({ name: 'primary', baseUrl: primary.baseUrl, apiKey: 'sk-wrong', model: 'big' })], { sleep: async (ms) => void waits.push(ms) });
    const { error } = await run(alone);
    expect(error).toMatchObject({ kind: 'unavailable' });
    expect(error!.attempts).toHaveLength(1);
    expect(error!.attempts[0]).toMatchObject({ status: 401, code: 'invalid_api_key', retryable: false });
    expect(waits).toEqual([]);
  });

  it('honours a short Retry-After; a long one moves on at once', async () => {
    let calls = 0;
    primary.respond = () => (++calls === 1 ? chatErrors.rateLimited(1) : 'Primary here.');
    expect(text((await run(failover())).events)).toBe('Primary here.');
    expect(waits).toEqual([1_000]);

    waits = [];
    primary.respond = () => chatErrors.rateLimited(30);
    backup.respond = () => 'Backup here.';
    expect(text((await run(failover())).events)).toBe('Backup here.');
    expect(waits).toEqual([]);
  });

  it('never retries once text has reached the caller', async () => {
    primary.respond = () => ({ content: 'Our hours are nine to', cutOffAfterChunks: 3 });
    backup.respond = () => 'Backup here.';
    const { events, error } = await run(failover());
    expect(text(events)).toBe('Our hours ');
    expect(error).toMatchObject({ kind: 'interrupted', provider: 'primary', retryable: false });
    expect((error!.cause as LlmError).kind).toBe('network');
    expect(primary.requests).toHaveLength(1);
    expect(backup.requests).toHaveLength(0);
  });

  it('fails with unavailable, listing every attempt, when all providers fail', async () => {
    primary.respond = () => chatErrors.serverError();
    backup.respond = () => chatErrors.serverError();
    const { error } = await run(failover({ maxRetries: 0 }));
    expect(error).toMatchObject({ kind: 'unavailable' });
    expect(error!.attempts.map((a) => [a.provider, a.status])).toEqual([
      ['primary', 500],
      ['backup', 500],
    ]);
  });

  it('opens the breaker after 5 failures (then skips the provider), and half-opens after the cool-down', async () => {
    primary.respond = () => chatErrors.serverError();
    backup.respond = () => 'Backup here.';
    const attempts: string[] = [];
    const model = failover({ onAttempt: (a) => attempts.push(`${a.provider}:${a.outcome}`) });
    // One retry per call: 2 + 2 + 1 failures open the breaker during the third call.
    for (let i = 0; i < 3; i++) expect(text((await run(model)).events)).toBe('Backup here.');
    expect(primary.requests).toHaveLength(5);
    expect(model.status()).toMatchObject({ ready: true, providers: [{ name: 'primary', state: 'open', consecutiveFailures: 5 }, { name: 'backup', state: 'closed' }] });

    for (let i = 0; i < 3; i++) await run(model);
    expect(primary.requests).toHaveLength(5); // not called at all while open
    expect(attempts.slice(-2)).toEqual(['primary:skipped', 'backup:success']);

    clock.now += 29_999;
    await run(model);
    expect(primary.requests).toHaveLength(5);
    clock.now += 1;
    expect(model.status().providers[0]!.state).toBe('half-open');
    primary.respond = () => 'Primary is back.';
    expect(text((await run(model)).events)).toBe('Primary is back.');
    expect(primary.requests).toHaveLength(6); // exactly one trial
    expect(model.status().providers[0]).toEqual({ name: 'primary', state: 'closed', consecutiveFailures: 0 });
  });

  it('a failed half-open trial reopens the breaker without a retry', async () => {
    primary.respond = () => chatErrors.serverError();
    backup.respond = () => 'Backup here.';
    const model = failover({ failureThreshold: 1, cooldownMs: 1_000 });
    await run(model);
    expect(primary.requests).toHaveLength(1);
    clock.now += 1_000;
    await run(model);
    expect(primary.requests).toHaveLength(2);
    expect(model.status().providers[0]!.state).toBe('open');
  });

  it('reports not ready when every breaker is open', async () => {
    primary.respond = () => chatErrors.serverError();
    backup.respond = () => chatErrors.serverError();
    const model = failover({ failureThreshold: 1, maxRetries: 0 });
    await run(model);
    expect(model.status().ready).toBe(false);
    const { error } = await run(model);
    expect(error?.message).toMatch(/all circuit breakers open/);
    expect(primary.requests.length + backup.requests.length).toBe(2);
  });

  it('stops quietly when the caller hangs up during failover, without counting it against the provider', async () => {
    primary.respond = () => ({ content: 'late', delayMs: 2_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const model = failover();
    const { events, error } = await run(model, controller.signal);
    expect(events).toEqual([]);
    expect(error).toBeUndefined();
    expect(backup.requests).toHaveLength(0);
    expect(model.status().providers[0]).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });
});
