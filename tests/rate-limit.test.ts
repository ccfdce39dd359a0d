import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

describe('per-key rate limiting', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(() => server.stop());

  it('answers 429 with Retry-After once a key spends its budget, without touching other keys', async () => {
    const busy = await server.newTenant('Busy');
    const quiet = await server.newTenant('Quiet');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await busy.get('/api/agents')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);

    const limited = await busy.get('/api/agents');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get('ratelimit-policy')).toContain('5');

    expect((await quiet.get('/api/agents')).status).toBe(200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^http_rate_limited_total 1$/m);
  });
});
