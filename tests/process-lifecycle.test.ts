import Database from 'better-sqlite3';
import { request } from 'node:http';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from './helpers/api-client.js';
import { runServerProcess, startServerProcess, type ChildServer } from './helpers/child-server.js';
import { TEST_ADMIN_KEY } from './helpers/test-server.js';

const dirs: string[] = [];
const children: ChildServer[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vas-proc-'));
  dirs.push(dir);
  return dir;
}
async function start(dir: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const child = await startServerProcess({ DATA_DIR: dir, ADMIN_API_KEY: TEST_ADMIN_KEY, LOG_LEVEL: 'info', ...env });
  children.push(child);
  return child;
}
afterEach(async () => {
  for (const child of children.splice(0)) await child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the server process', () => {
  it('stops at start-up with one line naming a bad variable', async () => {
    const run = runServerProcess({ DATA_DIR: dataDir(), PORT: 'not-a-port' });
    const code = await run.exited;
    expect(code).toBe(78);
    expect(run.stderr).toEqual(['Invalid configuration: PORT must be an integer from 0 to 65535']);
  });

  it('applies the migrations to an empty database file', async () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'app.db'), '');
    const server = await start(dir);
    const admin = new ApiClient(server.url, TEST_ADMIN_KEY);
    expect((await admin.post('/api/tenants', { name: 'First' })).status).toBe(201);
    await server.kill('SIGTERM');
    const db = new Database(join(dir, 'app.db'), { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table') ORDER BY name").all().map((r) => (r as { name: string }).name);
    expect(tables).toEqual(expect.arrayContaining(['agents', 'api_keys', 'audit_log', 'call_turns', 'calls', 'jobs', 'knowledge_entries', 'knowledge_fts', 'phone_numbers', 'tenants', '__drizzle_migrations']));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('keeps its data across a restart', async () => {
    const dir = dataDir();
    const first = await start(dir);
    const created = await new ApiClient(first.url, TEST_ADMIN_KEY).post('/api/tenants', { name: 'Persistent' });
    const tenant = new ApiClient(first.url, created.body.apiKey);
    const agent = (await tenant.post('/api/agents', { name: 'Keeper', greeting: 'Hi there' })).body;
    await tenant.post('/api/phone-numbers', { number: '+14155550199', agentId: agent.id });
    expect(await first.kill('SIGTERM')).toBe(0);

    const second = await start(dir);
    const again = new ApiClient(second.url, created.body.apiKey);
    expect((await again.get(`/api/agents/${agent.id}`)).body).toMatchObject({ name: 'Keeper', greeting: 'Hi there' });
    expect((await again.get('/api/phone-numbers')).body.phoneNumbers[0]).toMatchObject({ number: '+14155550199', agentId: agent.id });
  });

  it('loses nothing committed when killed mid-write', async () => {
    const dir = dataDir();
    const server = await start(dir, { RATE_LIMIT_PER_MINUTE: '100000' });
    const created = await new ApiClient(server.url, TEST_ADMIN_KEY).post('/api/tenants', { name: 'Crashy' });
    const tenant = new ApiClient(server.url, created.body.apiKey);
    const agentId = (await tenant.post('/api/agents', { name: 'Writer' })).body.id;

    // Four writers in a loop; the process is killed while they are mid-flight.
    const acknowledged: string[] = [];
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const res = await tenant.post(`/api/agents/${agentId}/knowledge`, { category: 'faq', title: `w${w}-${i}`, content: 'x'.repeat(2000) });
          if (res.status === 201) acknowledged.push(res.body.id);
        } catch {
          return; // the connection died with the process
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    while (acknowledged.length < 150) await new Promise((r) => setTimeout(r, 10));
    await server.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);

    const db = new Database(join(dir, 'app.db'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const stored = new Set(db.prepare('SELECT id FROM knowledge_entries').all().map((r) => (r as { id: string }).id));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    // The full-text index is consistent with its table after the crash.
    expect(db.prepare("INSERT INTO knowledge_fts(knowledge_fts, rank) VALUES ('integrity-check', 1)").run().changes).toBeGreaterThanOrEqual(0);
    db.close();

    const restarted = await start(dir);
    const list = await new ApiClient(restarted.url, created.body.apiKey).get(`/api/agents/${agentId}/knowledge?category=faq`);
    expect(list.body.categories.faq.length).toBeGreaterThanOrEqual(acknowledged.length);
  });

  it('on SIGTERM lets an in-flight request finish, refuses new connections, and closes the database cleanly', async () => {
    const dir = dataDir();
    const server = await start(dir);
    const created = await new ApiClient(server.url, TEST_ADMIN_KEY).post('/api/tenants', { name: 'Draining' });

    // A request whose body is still arriving when the signal comes.
    const body = JSON.stringify({ name: 'Late arrival' });
    const inFlight = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${server.url}/api/agents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${created.body.apiKey}`, 'content-type': 'application/json', 'content-length': String(body.length) },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 5));
      setTimeout(() => {
        server.process.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(5)), 500);
      }, 100);
    });

    await new Promise((r) => setTimeout(r, 350));
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    const answered = await inFlight;
    expect(answered.status).toBe(201);
    expect(await server.exited).toBe(0);
    expect(server.stdout.some((l) => l.includes('"event":"server.stopped"'))).toBe(true);

    // Checkpointed on close: the write-ahead log is gone (or empty) and the agent is in the main file.
    const wal = join(dir, 'app.db-wal');
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
    const db = new Database(join(dir, 'app.db'), { readonly: true });
    expect(db.prepare("SELECT name FROM agents WHERE name = 'Late arrival'").get()).toEqual({ name: 'Late arrival' });
    db.close();
  });

  it('gives up on a request that never finishes once the shutdown bound passes', async () => {
    const server = await start(dataDir(), { SHUTDOWN_TIMEOUT_MS: '500' });
    const stuck = request(`${server.url}/api/agents`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '100' } });
    stuck.on('error', () => {});
    stuck.write('{');
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    server.process.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000); // the stuck request would hold it open for good
    expect(server.stdout.some((l) => l.includes('"event":"server.drain_timeout"'))).toBe(true);
  });
});
