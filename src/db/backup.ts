import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { SecretBox, SecretDecryptError, isSealed } from '../secrets/secret-box.js';
import { describeKeySource, readSecretsKey } from '../secrets/secrets-key.js';
import { webhookSecretContext } from '../secrets/tenant-secrets.js';

/**
 * Online backups and offline restores of the SQLite file.
 *
 * A backup uses SQLite's backup API (better-sqlite3's `db.backup`) on its own connection while the
 * server keeps running: in WAL mode the copy is taken inside one read transaction (all pages in
 * one step), so it is a consistent snapshot of every transaction committed before it began and
 * does not block the server's writers. The copy is switched to a self-contained rollback-journal
 * file, checked with `PRAGMA integrity_check`, and only then renamed into place.
 *
 * A restore refuses while anything has the database open. The check is SQLite's own lock, not a
 * pid file: it asks for an EXCLUSIVE lock in exclusive locking mode, which SQLite grants only when
 * no other connection (the server, a backup, a sqlite3 shell) holds the file. Nothing stale is
 * left behind by a crashed server, and a server that is running always holds its connection.
 */

export const BACKUP_PATTERN = /^app-\d{8}T\d{6}Z(?:-\d+)?\.db$/;
export const DEFAULT_KEEP = 7;

/** `app-20250301T031500Z.db`: UTC, sortable by name. */
export function backupFileName(at = new Date()): string {
  return `app-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')}.db`;
}

/** `PRAGMA integrity_check` of a database file: 'ok', or what SQLite found wrong (first lines). */
export function integrityCheck(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check(20)') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface BackupResult {
  path: string;
  bytes: number;
  integrity: 'ok';
  durationMs: number;
}

export class BackupError extends Error {}

/**
 * Copies the live database at `sourcePath` to `destPath` (which must not exist): written as
 * `<dest>.partial`, checked, fsynced, then renamed, so a backup file that exists is complete.
 */
export async function backupDatabase(sourcePath: string, destPath: string): Promise<BackupResult> {
  const started = Date.now();
  if (!existsSync(sourcePath)) throw new BackupError(`no database at ${sourcePath} (is DATA_DIR right?)`);
  if (existsSync(destPath)) throw new BackupError(`${destPath} already exists; give another --out`);
  mkdirSync(dirname(destPath), { recursive: true });
  const partial = `${destPath}.partial`;
  rmSync(partial, { force: true });
  // Read-write (not readonly) so that, if the server is stopped, closing this last connection
  // removes the -wal/-shm files it created rather than leaving them owned by whoever ran the backup.
  const source = new Database(sourcePath, { fileMustExist: true, timeout: 5000 });
  try {
    // Every remaining page in one step: a single read transaction, so concurrent writes by the
    // server (another connection) cannot make the backup restart, and the copy is one snapshot.
    await source.backup(partial, { progress: () => 0x7fffffff });
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    source.close();
  }
  try {
    const copy = new Database(partial, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE'); // one self-contained file, no -wal to carry along
    } finally {
      copy.close();
    }
    const integrity = integrityCheck(partial);
    if (integrity !== 'ok') throw new BackupError(`the backup failed its integrity check: ${integrity}`);
    fsyncPath(partial);
    renameSync(partial, destPath);
    fsyncPath(dirname(destPath));
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  return { path: destPath, bytes: statSync(destPath).size, integrity: 'ok', durationMs: Date.now() - started };
}

/** Deletes all but the newest `keep` backups named like backupFileName() in `dir`; returns what it deleted. */
export function pruneBackups(dir: string, keep: number): string[] {
  if (!existsSync(dir)) return [];
  const backups = readdirSync(dir)
    .filter((name) => BACKUP_PATTERN.test(name))
    .sort((a, b) => {
      const key = (name: string) => name.replace(/(-\d+)?\.db$/, (_, n: string | undefined) => `.${(n ?? '-0').slice(1).padStart(6, '0')}`);
      return key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0; // newest first
    });
  const removed = backups.slice(Math.max(0, keep)).map((name) => join(dir, name));
  for (const path of removed) rmSync(path, { force: true });
  return removed;
}

/** A free default name in `dir`: backupFileName(), with -1, -2… when two backups share a second. */
export function defaultBackupPath(dir: string, at = new Date()): string {
  const name = backupFileName(at);
  let path = join(dir, name);
  for (let i = 1; existsSync(path); i++) path = join(dir, name.replace(/\.db$/, `-${i}.db`));
  return path;
}

/** True when another connection holds the database open (the server running, a backup, a shell). */
export function isDatabaseInUse(path: string): boolean {
  if (!existsSync(path)) return false;
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { fileMustExist: true, timeout: 0 });
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return false;
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return true;
    return false; // not a database at all (it is about to be replaced anyway)
  } finally {
    db?.close();
  }
}

export interface RestoreOptions {
  /** The backup file to restore. */
  source: string;
  dataDir: string;
  databasePath: string;
  /** SECRETS_KEY from the environment, if set. */
  secretsKey?: Buffer;
}

export interface RestoreResult {
  databasePath: string;
  /** Where the database that was there before now is (undefined when there was none). */
  previous?: string;
  bytes: number;
}

export class RestoreError extends Error {}

/** What must hold of a file before it replaces the live database. */
function verifyRestorable(path: string, options: RestoreOptions): void {
  const integrity = (() => {
    try {
      return integrityCheck(path);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  })();
  if (integrity !== 'ok') throw new RestoreError(`${options.source} is not a sound SQLite database (integrity_check: ${integrity}); nothing was changed`);
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    if (!tables.has('tenants') || !tables.has('__drizzle_migrations')) {
      throw new RestoreError(`${options.source} is not a backup of this server's database (no tenants table); nothing was changed`);
    }
    // Webhook secrets are encrypted: the key the server will start with must open them, or the
    // server would refuse to start after the restore.
    const sealed = (db.prepare('SELECT id, webhook_secret AS secret FROM tenants WHERE webhook_secret IS NOT NULL').all() as { id: string; secret: string }[]).filter(
      (r) => isSealed(r.secret),
    );
    if (sealed.length === 0) return;
    const key = readSecretsKey(options.secretsKey, options.dataDir);
    if (!key) {
      throw new RestoreError(
        `${options.source} holds webhook secrets encrypted with SECRETS_KEY, and neither SECRETS_KEY nor ${join(options.dataDir, 'secrets.key')} is there to open them. ` +
          'Set SECRETS_KEY to the original key, or copy the original secrets.key into DATA_DIR, then restore again; nothing was changed',
      );
    }
    const box = new SecretBox(key.key);
    const opens = sealed.some((r) => {
      try {
        box.open(r.secret, webhookSecretContext(r.id));
        return true;
      } catch (error) {
        if (error instanceof SecretDecryptError) return false;
        throw error;
      }
    });
    if (!opens) {
      throw new RestoreError(
        `SECRETS_KEY (${describeKeySource(key)}) is not the key ${options.source} was encrypted with: its webhook secrets do not decrypt. ` +
          'Set SECRETS_KEY to the original key, or copy the original secrets.key into DATA_DIR, then restore again; nothing was changed',
      );
    }
  } finally {
    db.close();
  }
}

/**
 * Replaces DATA_DIR/app.db with a backup, with the server stopped: refuses while the database is
 * open anywhere; verifies a copy of the backup (integrity, schema, secrets key) before touching
 * anything; keeps the current database as app.db.before-restore (with its -wal, if any).
 */
export function restoreDatabase(options: RestoreOptions): RestoreResult {
  const { source, databasePath } = options;
  if (!existsSync(source) || !statSync(source).isFile()) throw new RestoreError(`no backup file at ${source}`);
  if (isDatabaseInUse(databasePath)) {
    throw new RestoreError(`${databasePath} is in use: stop the server (and any backup or sqlite3 shell using it), then restore again; nothing was changed`);
  }
  mkdirSync(dirname(databasePath), { recursive: true });
  const incoming = `${databasePath}.restoring`;
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(incoming + suffix, { force: true });
  copyFileSync(source, incoming);
  try {
    verifyRestorable(incoming, options);
    fsyncPath(incoming);
  } catch (error) {
    for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(incoming + suffix, { force: true });
    throw error;
  }

  let previous: string | undefined;
  if (existsSync(databasePath)) {
    previous = `${databasePath}.before-restore`;
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(previous + suffix, { force: true });
    renameSync(databasePath, previous);
    // A -wal may hold committed transactions of the old database: it travels with it.
    if (existsSync(`${databasePath}-wal`)) renameSync(`${databasePath}-wal`, `${previous}-wal`);
    if (existsSync(`${databasePath}-journal`)) renameSync(`${databasePath}-journal`, `${previous}-journal`);
  }
  // A stale -wal/-shm must never meet the restored file.
  rmSync(`${databasePath}-wal`, { force: true });
  rmSync(`${databasePath}-shm`, { force: true });
  renameSync(incoming, databasePath);
  fsyncPath(dirname(databasePath));
  return { databasePath, previous, bytes: statSync(databasePath).size };
}

export const backupsDir = (dataDir: string) => join(dataDir, 'backups');
export const isDefaultBackupName = (path: string) => BACKUP_PATTERN.test(basename(path));
