import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { tenantScope } from '../src/db/tenant-scope.js';
import { createLogger } from '../src/observability/logger.js';
import { SecretBox, SecretDecryptError, secretContext } from '../src/secrets/secret-box.js';
import { webhookSecretContext } from '../src/secrets/tenant-secrets.js';
import { startServer, type RunningServer } from '../src/server.js';
import { ApiClient } from './helpers/api-client.js';
import { runServerProcess } from './helpers/child-server.js';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from './helpers/test-server.js';

interface Received { headers: Record<string, string | string[] | undefined>; body: string }

const rawSecret = (server: RunningServer, tenantId: string) =>
  (server.services.database.sqlite.prepare('SELECT webhook_secret AS s FROM tenants WHERE id = ?').get(tenantId) as { s: string | null }).s;

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('webhook secrets at rest', () => {
  let server: TestServer;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    server = await startTestServer({ CRAWL_ALLOW_PRIVATE: 'true', WEBHOOK_INTERVAL_MS: '50', WEBHOOK_RETRY_BASE_MS: '60000' });
  });
  afterAll(async () => {
    await server.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('generates DATA_DIR/secrets.key (0600) at first start, saying so without logging the key', () => {
    const path = join(server.dataDir, 'secrets.key');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const key = readFileSync(path, 'utf8').trim();
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect(server.logs.find((l) => l.event === 'secrets.key_created')).toMatchObject({ path });
    expect(JSON.stringify(server.logs)).not.toContain(key);
  });

  it('never writes the secret to the database file, and still signs webhooks with it', async () => {
    const tenant = await server.newTenant('Signed');
    const { secret } = (await tenant.request('PUT', '/api/webhook', { url: receiverUrl })).body;
    expect(secret).toMatch(/^whsec_/);
    const stored = rawSecret(server, tenant.tenantId)!;
    expect(stored).toMatch(/^v1:[\w-]{16}:[\w-]{22}:[\w-]+$/);
    expect(stored).not.toContain(secret);
    // Not in the row, not anywhere in the SQLite file or its write-ahead log.
    server.services.database.sqlite.pragma('wal_checkpoint(PASSIVE)');
    for (const file of ['app.db', 'app.db-wal']) {
      const path = join(server.dataDir, file);
      if (existsSync(path)) expect(readFileSync(path).includes(Buffer.from(secret))).toBe(false);
    }

    const before = received.length;
    tenantScope(server.services.database.db, tenant.tenantId).webhooks.enqueue('test.ping', { hello: 'world' });
    await until(() => received.length > before);
    const delivery = received.at(-1)!;
    const timestamp = String(delivery.headers['x-webhook-timestamp']);
    expect(delivery.headers['x-webhook-signature']).toBe('v1=' + createHmac('sha256', secret).update(`${timestamp}.${delivery.body}`).digest('hex'));
    expect(JSON.stringify(server.logs)).not.toContain(secret);
  });

  it('refuses a ciphertext that was altered or moved to another tenant: nothing is sent', async () => {
    const a = await server.newTenant('Tampered');
    const b = await server.newTenant('Moved');
    await a.request('PUT', '/api/webhook', { url: receiverUrl });
    await b.request('PUT', '/api/webhook', { url: receiverUrl });
    const sqlite = server.services.database.sqlite;
    const stored = rawSecret(server, a.tenantId)!;
    const last = stored.at(-2) === 'A' ? 'B' : 'A';
    const tampered = stored.slice(0, -2) + last + stored.at(-1);
    sqlite.prepare('UPDATE tenants SET webhook_secret = ? WHERE id = ?').run(tampered, a.tenantId);
    sqlite.prepare('UPDATE tenants SET webhook_secret = ? WHERE id = ?').run(stored, b.tenantId); // a's valid ciphertext in b's row

    const before = received.length;
    const deliveries = [a, b].map((t) => tenantScope(server.services.database.db, t.tenantId).webhooks.enqueue('test.ping', { n: 1 })!);
    await until(() => deliveries.every((d) => (sqlite.prepare('SELECT attempts FROM webhook_deliveries WHERE id = ?').get(d.id) as { attempts: number }).attempts > 0));
    expect(received.length).toBe(before);
    for (const t of [a, b]) {
      const [delivery] = (await t.get('/api/webhook/deliveries')).body.deliveries;
      expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/could not be decrypted/) });
    }
  });
});

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));
  const context = secretContext('tenants', 'webhook_secret', 'tn_1');

  it('opens what it sealed, with a fresh IV every time', () => {
    const one = box.seal('whsec_abc', context);
    const two = box.seal('whsec_abc', context);
    expect(one).not.toBe(two);
    expect(box.open(one, context)).toBe('whsec_abc');
    expect(box.open(two, context)).toBe('whsec_abc');
  });

  it('refuses altered, moved, foreign-key and malformed values', () => {
    const sealed = box.seal('whsec_abc', context);
    const [, iv, tag, ciphertext] = sealed.split(':') as [string, string, string, string];
    const flip = (part: string) => {
      const bytes = Buffer.from(part, 'base64url');
      bytes[0]! ^= 1;
      return bytes.toString('base64url');
    };
    const refused = [
      ['v1', flip(iv), tag, ciphertext].join(':'),
      ['v1', iv, flip(tag), ciphertext].join(':'),
      ['v1', iv, tag, flip(ciphertext)].join(':'),
      ['v1', iv, tag].join(':'),
      'v1:not base64:x:y',
      'whsec_plain',
    ];
    for (const value of refused) expect(() => box.open(value, context)).toThrow(SecretDecryptError);
    expect(() => box.open(sealed, secretContext('tenants', 'webhook_secret', 'tn_2'))).toThrow(SecretDecryptError);
    expect(() => box.open(sealed, secretContext('tenants', 'other_column', 'tn_1'))).toThrow(SecretDecryptError);
    expect(() => new SecretBox(randomBytes(32)).open(sealed, context)).toThrow(SecretDecryptError);
  });

  it('does not show its key when inspected', () => {
    const key = randomBytes(32);
    const shown = JSON.stringify(new SecretBox(key)) + String(new SecretBox(key)) + inspect(new SecretBox(key), { showHidden: true });
    expect(shown).not.toContain(key.toString('hex'));
    expect(shown).not.toContain(key.toString('base64'));
  });
});

describe('SECRETS_KEY', () => {
  const dirs: string[] = [];
  const hexKey = randomBytes(32).toString('hex');
  const logLines: string[] = [];
  const sink = new Writable({ write: (chunk, _e, done) => (logLines.push(String(chunk)), done()) });
  const start = (dataDir: string, env: Record<string, string> = {}) =>
    startServer(loadConfig({ ADMIN_API_KEY: TEST_ADMIN_KEY, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, MODELS_AUTO_DOWNLOAD: 'false', ...env }), createLogger('info', sink));
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'vas-secrets-'));
    dirs.push(dir);
    return dir;
  };
  /** A data dir whose database holds one tenant with a webhook secret; returns the tenant id and the secret. */
  async function seeded(dataDir: string, env: Record<string, string> = {}) {
    const server = await start(dataDir, env);
    try {
      const created = await new ApiClient(server.url, TEST_ADMIN_KEY).post('/api/tenants', { name: 'Keyed' });
      const { secret } = (await new ApiClient(server.url, created.body.apiKey).request('PUT', '/api/webhook', { url: 'https://hooks.example.test/x' })).body;
      return { tenantId: created.body.id as string, secret: secret as string };
    } finally {
      await server.close();
    }
  }
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('is 32 bytes as hex or base64; anything else is named at start-up without echoing it', () => {
    const key = Buffer.from(hexKey, 'hex');
    expect(loadConfig({ SECRETS_KEY: hexKey }).secretsKey).toEqual(key);
    expect(loadConfig({ SECRETS_KEY: key.toString('base64') }).secretsKey).toEqual(key);
    expect(loadConfig({ SECRETS_KEY: key.toString('base64url') }).secretsKey).toEqual(key);
    expect(loadConfig({}).secretsKey).toBeUndefined();
    for (const bad of ['too-short-a-key', hexKey.slice(2), randomBytes(24).toString('base64'), randomBytes(48).toString('base64')]) {
      expect(() => loadConfig({ SECRETS_KEY: bad })).toThrow(ConfigError);
      try {
        loadConfig({ SECRETS_KEY: bad });
      } catch (error) {
        expect((error as Error).message).toMatch(/^Invalid configuration: SECRETS_KEY must be 32 bytes/);
        expect((error as Error).message).not.toContain(bad);
      }
    }
  });

  it('encrypts secrets left in clear by an older version when the server starts', async () => {
    const dir = tempDir();
    const { tenantId } = await seeded(dir, { SECRETS_KEY: hexKey });
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(dir, 'app.db'));
    db.prepare('UPDATE tenants SET webhook_secret = ? WHERE id = ?').run('whsec_from_an_older_version', tenantId);
    db.close();
    logLines.length = 0;
    const server = await start(dir, { SECRETS_KEY: hexKey });
    try {
      const stored = rawSecret(server, tenantId)!;
      expect(stored).toMatch(/^v1:/);
      expect(server.services.secrets.open(stored, webhookSecretContext(tenantId))).toBe('whsec_from_an_older_version');
      expect(logLines.map((l) => JSON.parse(l)).find((l) => l.event === 'secrets.encrypted')).toMatchObject({ count: 1 });
      expect(logLines.join('')).not.toContain('whsec_from_an_older_version');
    } finally {
      await server.close();
    }
  });

  it('stops the start with one clear line naming SECRETS_KEY when the key is wrong or missing (not a failure mid-request)', async () => {
    const dir = tempDir();
    await seeded(dir, { SECRETS_KEY: hexKey });
    // In process: startServer rejects with a ConfigError and leaves the database closed.
    const otherKey = randomBytes(32).toString('hex');
    await expect(start(dir, { SECRETS_KEY: otherKey })).rejects.toThrow(/SECRETS_KEY is not the key the stored secrets were encrypted with/);
    expect(existsSync(join(dir, 'secrets.key'))).toBe(false);

    // As `npm start` runs it: exit code 78 and one line, like any bad variable.
    const wrong = runServerProcess({ DATA_DIR: dir, ADMIN_API_KEY: TEST_ADMIN_KEY, SECRETS_KEY: otherKey });
    const missing = runServerProcess({ DATA_DIR: dir, ADMIN_API_KEY: TEST_ADMIN_KEY });
    expect(await wrong.exited).toBe(78);
    expect(wrong.stderr).toHaveLength(1);
    expect(wrong.stderr[0]).toMatch(/^Invalid configuration: SECRETS_KEY is not the key/);
    expect(wrong.stderr[0]).not.toContain(otherKey);
    expect(wrong.stderr[0]).not.toContain(hexKey);

    expect(await missing.exited).toBe(78);
    expect(missing.stderr).toEqual([expect.stringMatching(/^Invalid configuration: SECRETS_KEY is unset and .*secrets\.key does not exist, but the database holds encrypted webhook secrets/)]);
    expect(existsSync(join(dir, 'secrets.key'))).toBe(false); // no new, useless key was made

    const right = await start(dir, { SECRETS_KEY: hexKey });
    await right.close();
  });
});
