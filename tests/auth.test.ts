import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/observability/logger.js';
import { startServer } from '../src/server.js';
import { ApiClient } from './helpers/api-client.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

describe('authentication', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  const anonymous = () => new ApiClient(server.url);

  it('refuses a request without a key, with a malformed header, or with an unknown key', async () => {
    for (const headers of [{} as Record<string, string>, { authorization: 'Basic abc' }, { authorization: 'Bearer' }, { authorization: 'Bearer vak_000000000000_' + 'A'.repeat(43) }, { authorization: 'Bearer not-a-key' }]) {
      const res = await anonymous().request('GET', '/api/agents', undefined, headers);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    }
  });

  it('refuses a key with one character changed', async () => {
    const tenant = await server.newTenant();
    const last = tenant.apiKey.at(-1) === 'A' ? 'B' : 'A';
    const res = await tenant.withKey(tenant.apiKey.slice(0, -1) + last).get('/api/agents');
    expect(res.status).toBe(401);
  });

  it('shows a key once and stores only a slow hash of it', async () => {
    const tenant = await server.newTenant('Hashed');
    const db = new Database(join(server.dataDir, 'app.db'), { readonly: true });
    const rows = db.prepare('SELECT prefix, hash FROM api_keys WHERE tenant_id = ?').all(tenant.tenantId) as { prefix: string; hash: string }[];
    db.close();
    expect(rows).toHaveLength(1);
    const secret = tenant.apiKey.split('_').slice(2).join('_');
    expect(rows[0]!.hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(rows[0]!.hash).not.toContain(secret);
    expect(tenant.apiKey).toContain(rows[0]!.prefix);
    const listed = await tenant.get('/api/api-keys');
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(listed.body.apiKeys[0]).toMatchObject({ prefix: `vak_${rows[0]!.prefix}`, lastUsedAt: expect.any(String) });
  });

  it('rotates keys: a new key works, and a revoked one stops working at once', async () => {
    const tenant = await server.newTenant('Rotating');
    const issued = await tenant.post('/api/api-keys', { label: 'ci' });
    expect(issued.status).toBe(201);
    const fresh = tenant.withKey(issued.body.apiKey);
    expect((await fresh.get('/api/agents')).status).toBe(200);
    const oldKeyId = (await fresh.get('/api/api-keys')).body.apiKeys.find((k: { label: string }) => k.label !== 'ci').id;
    expect((await tenant.get('/api/agents')).status).toBe(200); // cached as valid
    expect((await fresh.delete(`/api/api-keys/${oldKeyId}`)).status).toBe(204);
    expect((await tenant.get('/api/agents')).status).toBe(401);
    expect((await fresh.delete(`/api/api-keys/${oldKeyId}`)).status).toBe(404);
  });

  it('refuses a disabled tenant with 403 and lets it back in when re-enabled', async () => {
    const tenant = await server.newTenant('Suspended');
    expect((await server.admin.patch(`/api/tenants/${tenant.tenantId}`, { status: 'disabled' })).status).toBe(200);
    const refused = await tenant.get('/api/agents');
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/disabled/);
    await server.admin.patch(`/api/tenants/${tenant.tenantId}`, { status: 'active' });
    expect((await tenant.get('/api/agents')).status).toBe(200);
  });

  it('lets the admin issue another key for a tenant, and records key actions in the audit log', async () => {
    const tenant = await server.newTenant('Audited');
    const issued = await server.admin.post(`/api/tenants/${tenant.tenantId}/api-keys`, { label: 'support' });
    expect(issued.status).toBe(201);
    expect((await tenant.withKey(issued.body.apiKey).get('/api/agents')).status).toBe(200);
    expect((await server.admin.post('/api/tenants/tn_missing/api-keys', {})).status).toBe(404);
    const db = new Database(join(server.dataDir, 'app.db'), { readonly: true });
    const actions = db.prepare('SELECT action FROM audit_log WHERE tenant_id = ? ORDER BY seq').all(tenant.tenantId).map((r) => (r as { action: string }).action);
    db.close();
    expect(actions).toEqual(['tenant.created', 'api_key.issued', 'api_key.issued']);
  });

  it('slows down key guessing: repeated failures from one address get 429', async () => {
    const guesser = await startTestServer({ RATE_LIMIT_PER_MINUTE: '1' }); // failed-auth budget floors at 30/min
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 32; i++) statuses.push((await new ApiClient(guesser.url, 'wrong-key').get('/api/agents')).status);
      expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(30)).toEqual([429, 429]);
    } finally {
      await guesser.stop();
    }
  });
});

describe('the admin key', () => {
  it('is generated at first start when ADMIN_API_KEY is unset, works, and is not generated again', async () => {
    const env = { PORT: '0', HOST: '127.0.0.1', DATA_DIR: mkdtempSync(join(tmpdir(), 'vas-admin-')) };
    const log = createLogger('silent');
    const first = await startServer(loadConfig(env), log);
    const key = first.generatedAdminKey!;
    expect(key).toMatch(/^vak_[0-9a-f]{12}_/);
    const created = await new ApiClient(first.url, key).post('/api/tenants', { name: 'Agency client' });
    expect(created.status).toBe(201);
    await first.close();

    const second = await startServer(loadConfig(env), log);
    expect(second.generatedAdminKey).toBeUndefined();
    expect((await new ApiClient(second.url, key).get('/api/tenants')).body.tenants).toHaveLength(1);
    await second.close();

    // Once ADMIN_API_KEY is set, it is the admin key and the generated one no longer is.
    const third = await startServer(loadConfig({ ...env, ADMIN_API_KEY: 'x'.repeat(32) }), log);
    expect((await new ApiClient(third.url, key).get('/api/tenants')).status).toBe(401);
    expect((await new ApiClient(third.url, 'x'.repeat(32)).get('/api/tenants')).status).toBe(200);
    await third.close();
  });
});
