import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pruneBackups } from '../src/db/backup.js';
import { projectRoot } from '../src/paths.js';
import { ApiClient } from './helpers/api-client.js';
import { startServerProcess, type ChildServer } from './helpers/child-server.js';
import { TEST_ADMIN_KEY } from './helpers/test-server.js';

const dirs: string[] = [];
const children: ChildServer[] = [];
function tempDir(prefix = 'vas-backup-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
async function start(dataDir: string): Promise<ChildServer> {
  const child = await startServerProcess({ DATA_DIR: dataDir, ADMIN_API_KEY: TEST_ADMIN_KEY, LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '100000' });
  children.push(child);
  return child;
}
afterEach(async () => {
  for (const child of children.splice(0)) await child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** `npm run backup` / `npm run restore` without the build step: the same CLI source, through tsx. */
function cli(name: 'backup' | 'restore', args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', `src/db/${name}-cli.ts`, ...args], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const ids = (path: string, sql: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return new Set((db.prepare(sql).all() as { id: string }[]).map((r) => r.id));
  } finally {
    db.close();
  }
};

describe('backup and restore', () => {
  it('backs up the live database while the server writes, refuses to restore under a running server, and restores into a fresh DATA_DIR', async () => {
    const dirA = tempDir();
    const server = await start(dirA);
    const created = await new ApiClient(server.url, TEST_ADMIN_KEY).post('/api/tenants', { name: 'Backed Up' });
    const apiKey: string = created.body.apiKey;
    const tenant = new ApiClient(server.url, apiKey);
    const agent = (await tenant.post('/api/agents', { name: 'Archivist', greeting: 'Hello from the archive' })).body;
    expect((await tenant.request('PUT', '/api/webhook', { url: 'https://hooks.example.test/calls' })).status).toBe(200);

    // Four writers add knowledge entries the whole time; the backup starts in the middle.
    const acknowledged: { id: string; at: number }[] = [];
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const res = await tenant.post(`/api/agents/${agent.id}/knowledge`, { category: 'faq', title: `w${w}-${i}`, content: `entry ${w}-${i} ` + 'x'.repeat(1000) });
        if (res.status === 201) acknowledged.push({ id: res.body.id, at: Date.now() });
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    while (acknowledged.length < 60) await new Promise((r) => setTimeout(r, 10));
    const before = acknowledged.map((a) => a.id);
    const backupStarted = Date.now();
    const backup = await cli('backup', [], { DATA_DIR: dirA });
    const backupEnded = Date.now();
    await new Promise((r) => setTimeout(r, 100));
    stop = true;
    await Promise.all(writers);

    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    const match = /^backup written: (\S+) \(.*?(\d+) bytes; integrity_check ok/m.exec(backup.stdout);
    expect(match).not.toBeNull();
    const backupPath = match![1]!;
    expect(backupPath).toMatch(new RegExp(`^${join(dirA, 'backups').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/app-\\d{8}T\\d{6}Z\\.db$`));
    // The server kept writing while the backup ran.
    expect(acknowledged.some((a) => a.at > backupStarted && a.at < backupEnded)).toBe(true);

    // One self-contained, sound file holding every row acknowledged before the backup began.
    expect(existsSync(`${backupPath}-wal`)).toBe(false);
    const copy = new Database(backupPath, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    copy.close();
    const backedUp = ids(backupPath, 'SELECT id FROM knowledge_entries');
    expect(before.filter((id) => !backedUp.has(id))).toEqual([]);
    expect(ids(backupPath, 'SELECT id FROM agents')).toEqual(new Set([agent.id]));

    // Restoring under the running server is refused, and changes nothing.
    const refused = await cli('restore', [backupPath], { DATA_DIR: dirA });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/in use: stop the server/);
    expect(existsSync(join(dirA, 'app.db.before-restore'))).toBe(false);
    expect((await tenant.get(`/api/agents/${agent.id}`)).status).toBe(200);
    expect(await server.kill('SIGTERM')).toBe(0);

    // A fresh DATA_DIR without the secrets key: the encrypted webhook secret could not be read, so no.
    const dirB = tempDir();
    const keyless = await cli('restore', [backupPath], { DATA_DIR: dirB });
    expect(keyless.code).toBe(1);
    expect(keyless.stderr).toMatch(/SECRETS_KEY/);
    expect(existsSync(join(dirB, 'app.db'))).toBe(false);

    // With the key alongside (kept apart from the backups, as the README says), it restores.
    copyFileSync(join(dirA, 'secrets.key'), join(dirB, 'secrets.key'));
    const restored = await cli('restore', [backupPath], { DATA_DIR: dirB });
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/^restored: .*app\.db/m);

    const again = await start(dirB);
    const sameKey = new ApiClient(again.url, apiKey);
    expect((await sameKey.get(`/api/agents/${agent.id}`)).body).toMatchObject({ name: 'Archivist', greeting: 'Hello from the archive' });
    const faq: { id: string }[] = (await sameKey.get(`/api/agents/${agent.id}/knowledge?category=faq`)).body.categories.faq;
    const served = new Set(faq.map((e) => e.id));
    expect(before.filter((id) => !served.has(id))).toEqual([]);
    expect((await sameKey.get('/api/webhook')).body).toEqual({ url: 'https://hooks.example.test/calls', configured: true });
    await again.kill('SIGTERM');

    // Restoring over an existing database keeps it as app.db.before-restore.
    const over = await cli('restore', [backupPath], { DATA_DIR: dirA });
    expect(over.code).toBe(0);
    expect(over.stdout).toContain(`kept as ${join(dirA, 'app.db.before-restore')}`);
    const kept = ids(join(dirA, 'app.db.before-restore'), 'SELECT id FROM knowledge_entries');
    expect(acknowledged.filter((a) => !kept.has(a.id))).toEqual([]);
    expect(ids(join(dirA, 'app.db'), 'SELECT id FROM knowledge_entries')).toEqual(backedUp);
  });

  it('refuses a file that is not a sound database of this server, changing nothing', async () => {
    const dir = tempDir();
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'not a database at all'.repeat(100));
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE notes (id TEXT)');
    db.close();
    for (const file of [junk, other]) {
      const result = await cli('restore', [file], { DATA_DIR: join(dir, 'data') });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/nothing was changed/);
    }
    expect(existsSync(join(dir, 'data', 'app.db'))).toBe(false);
  });

  it('keeps the newest N timestamped backups and leaves other files alone', () => {
    const dir = tempDir();
    const names = ['app-20250101T000000Z.db', 'app-20250102T000000Z.db', 'app-20250103T000000Z.db', 'app-20250103T000000Z-1.db', 'keep-me.db', 'app-manual.db'];
    for (const name of names) writeFileSync(join(dir, name), '');
    const removed = pruneBackups(dir, 2).map((p) => p.slice(dir.length + 1));
    expect(removed.sort()).toEqual(['app-20250101T000000Z.db', 'app-20250102T000000Z.db']);
    expect(readdirSync(dir).sort()).toEqual(['app-20250103T000000Z-1.db', 'app-20250103T000000Z.db', 'app-manual.db', 'keep-me.db']);
  });
});
