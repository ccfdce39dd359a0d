import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { migrationsDir } from '../paths.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema>;

/** How long a call-recording write may wait for another process's write lock (see `callWriter`). */
export const CALL_WRITE_BUSY_TIMEOUT_MS = 10;

export interface DatabaseHandle {
  db: Db;
  sqlite: Database.Database;
  /**
   * A second connection to the same file, for writes made during live calls (call turns and
   * status, see voice/session/call-recorder.ts). better-sqlite3 runs on the main thread, and
   * busy_timeout is per connection: on `sqlite` a write that meets another process's write lock
   * (a backup, a sqlite3 shell in a transaction) sleeps up to 5 s, and so would every call's
   * 20 ms audio pacing. Here it gives up after CALL_WRITE_BUSY_TIMEOUT_MS with SQLITE_BUSY and
   * the call recorder queues the write and retries later. Same file, same pragmas (WAL is a
   * property of the file; synchronous and foreign_keys are set here too), so a write committed
   * here is as durable as one on `sqlite`. In-process the two never wait on each other: every
   * better-sqlite3 transaction begins and ends within one synchronous call.
   */
  callWriter: { db: Db; sqlite: Database.Database };
  isHealthy(): boolean;
  close(): void;
}

/**
 * Opens (creating if needed) the SQLite file and applies pending migrations.
 * WAL lets the dashboard read while calls write; synchronous=FULL makes every committed
 * transaction survive a crash of the process or the machine.
 */
export function openDatabase(path: string): DatabaseHandle {
  mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: migrationsDir });
  const callWriter = openCallWriter(path, sqlite);
  return {
    db,
    sqlite,
    callWriter,
    isHealthy() {
      try {
        return sqlite.open && sqlite.prepare('SELECT 1 AS ok').get() !== undefined;
      } catch {
        return false;
      }
    },
    close() {
      if (!sqlite.open) return;
      if (callWriter.sqlite !== sqlite && callWriter.sqlite.open) callWriter.sqlite.close();
      sqlite.pragma('wal_checkpoint(TRUNCATE)');
      sqlite.close();
    },
  };
}

function openCallWriter(path: string, main: Database.Database): DatabaseHandle['callWriter'] {
  // An in-memory database is private to its connection: share the main one (tests only).
  if (path === ':memory:' || path === '') return { db: drizzle(main, { schema }), sqlite: main };
  const sqlite = new Database(path);
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${CALL_WRITE_BUSY_TIMEOUT_MS}`);
  return { db: drizzle(sqlite, { schema }), sqlite };
}
