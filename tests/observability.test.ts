import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

describe('health, readiness, metrics and logs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('reports alive and ready with the database check', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: {
        database: { ok: true },
        vad: { ok: true, detail: 'silero' },
        // No model files and no cloud STT here: reported with how to fix it, but the API stays ready.
        stt: { ok: false, detail: expect.stringMatching(/whisper: missing .*npm run models/) },
        // Kokoro is missing too; espeak-ng, always last in the chain, speaks.
        tts: { ok: true, detail: expect.stringMatching(/^kokoro>espeak; kokoro: missing .*npm run models/) },
      },
    });
  });

  it('reports not ready when a dependency is down', async () => {
    server.services.readiness.set('tts', () => ({ ok: false, detail: 'model missing' }));
    try {
      const res = await fetch(`${server.url}/readyz`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { checks: Record<string, unknown> }).checks.tts).toEqual({ ok: false, detail: 'model missing' });
    } finally {
      server.services.readiness.delete('tts');
    }
  });

  it('exposes request and call metrics in Prometheus text format, labelled by route pattern', async () => {
    const tenant = await server.newTenant('Metrics');
    const agent = (await tenant.post('/api/agents', { name: 'A' })).body;
    await tenant.get(`/api/agents/${agent.id}`);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/api\/agents\/:id",status="200"\} 1$/m);
    expect(text).toMatch(/^http_requests_total\{method="POST",route="\/api\/tenants\/",status="201"\} \d+$/m);
    expect(text).not.toContain(agent.id);
    expect(text).toMatch(/^calls_active 0$/m);
    expect(text).toContain('http_request_duration_seconds_bucket');
    expect(text).toContain('process_cpu_seconds_total');
  });

  it('logs one JSON line per request with its id and tenant, and no secrets', async () => {
    const tenant = await server.newTenant('Logged');
    const res = await tenant.request('GET', '/api/agents', undefined, { 'x-request-id': 'req-abc-123' });
    expect(res.headers.get('x-request-id')).toBe('req-abc-123');
    const generated = await tenant.get('/api/agents');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const line = server.logs.find((l) => (l.req as { id?: string } | undefined)?.id === 'req-abc-123');
    expect(line).toMatchObject({ level: 30, tenantId: tenant.tenantId, req: { method: 'GET', url: '/api/agents' }, res: { statusCode: 200 } });
    const everything = JSON.stringify(server.logs);
    expect(everything).not.toContain(tenant.apiKey);
    expect(everything).not.toContain('test-admin-key');
  });
});
