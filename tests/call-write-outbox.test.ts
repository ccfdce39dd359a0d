import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { tenantQueries } from '../src/db/queries/tenants.js';
import { tenantScope } from '../src/db/tenant-scope.js';
import { createLogger } from '../src/observability/logger.js';
import { createMetrics } from '../src/observability/metrics.js';
import { CallWriteOutbox, transientWriteFailure } from '../src/voice/session/call-write-outbox.js';
import { CallWrites } from '../src/voice/session/call-recorder.js';

function logger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger('info', sink), lines };
}

const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

/** A database double: `state` decides what the next commit does; commits are all-or-nothing. */
function fakeDatabase() {
  const written: number[] = [];
  const db = {
    state: 'ok' as 'ok' | 'busy' | 'full',
    attempts: 0,
    written,
    commit(writes: readonly (() => unknown)[]) {
      db.attempts++;
      if (db.state === 'busy') throw busy();
      if (db.state === 'full') throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      const before = written.length;
      try {
        for (const write of writes) write();
      } catch (error) {
        written.length = before; // rolled back
        throw error;
      }
    },
  };
  return db;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the call write outbox', () => {
  it('classifies the failures that pass', () => {
    expect(transientWriteFailure({ code: 'SQLITE_BUSY' })).toBe('busy');
    expect(transientWriteFailure({ code: 'SQLITE_BUSY_SNAPSHOT' })).toBe('busy');
    expect(transientWriteFailure({ code: 'SQLITE_LOCKED_SHAREDCACHE' })).toBe('locked');
    expect(transientWriteFailure({ code: 'SQLITE_FULL' })).toBe('full');
    expect(transientWriteFailure({ code: 'SQLITE_IOERR_WRITE' })).toBe('ioerr');
    expect(transientWriteFailure({ code: 'SQLITE_CONSTRAINT_UNIQUE' })).toBeUndefined();
    expect(transientWriteFailure(new TypeError('nope'))).toBeUndefined();
  });

  it('writes at once while the database is free, queues in order while it is not, then catches up in order', () => {
    vi.useFakeTimers();
    const db = fakeDatabase();
    const { log, lines } = logger();
    let pending = 0;
    const failed: string[] = [];
    const outbox = new CallWriteOutbox({ commit: db.commit, log, retry: { initialMs: 25, maxMs: 200 }, hooks: { pending: (d) => (pending += d), failed: (r) => failed.push(r) } });
    const turn = (seq: number) => outbox.push({ what: 'turn', seq, write: () => db.written.push(seq) });

    turn(0);
    expect(db.written).toEqual([0]);
    db.state = 'busy';
    turn(1);
    expect(outbox.pending).toBe(1);
    expect(outbox.deferred).toBe(true);
    const attempts = db.attempts;
    for (let seq = 2; seq < 10; seq++) turn(seq);
    expect(db.attempts).toBe(attempts); // queued behind the deferred write: no attempt, no wait
    expect(pending).toBe(9);

    // Backoff: 25, 50, 100, 200, 200 … ms.
    vi.advanceTimersByTime(25);
    expect(db.attempts).toBe(attempts + 1);
    vi.advanceTimersByTime(49);
    expect(db.attempts).toBe(attempts + 1);
    vi.advanceTimersByTime(1);
    expect(db.attempts).toBe(attempts + 2);
    vi.advanceTimersByTime(100 + 200 + 200);
    expect(db.attempts).toBe(attempts + 5);
    expect(db.written).toEqual([0]);

    db.state = 'ok';
    vi.advanceTimersByTime(200);
    expect(db.written).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(outbox.pending).toBe(0);
    expect(pending).toBe(0);
    expect(outbox.deferred).toBe(false);
    expect(failed.every((r) => r === 'busy')).toBe(true);
    expect(lines.filter((l) => l.event === 'call.write_deferred')).toHaveLength(1); // once per outage, not per attempt
    expect(lines.find((l) => l.event === 'call.writes_recovered')).toBeTruthy();

    // Free again: the next write goes straight through.
    turn(10);
    expect(db.written.at(-1)).toBe(10);
  });

  it('keeps at most maxPending writes, dropping the oldest with a counted error log', () => {
    vi.useFakeTimers();
    const db = fakeDatabase();
    const { log, lines } = logger();
    let dropped = 0;
    const outbox = new CallWriteOutbox({ commit: db.commit, log, maxPending: 3, hooks: { dropped: (n) => (dropped += n) } });
    db.state = 'full';
    for (let seq = 0; seq < 5; seq++) outbox.push({ what: 'turn', seq, write: () => db.written.push(seq) });
    expect(outbox.pending).toBe(3);
    expect(outbox.dropped).toBe(2);
    expect(dropped).toBe(2);
    const drops = lines.filter((l) => l.event === 'call.write_dropped');
    expect(drops.map((l) => [l.seq, l.dropped, l.why])).toEqual([
      [0, 1, 'outbox_full'],
      [1, 2, 'outbox_full'],
    ]);
    db.state = 'ok';
    vi.advanceTimersByTime(1000);
    expect(db.written).toEqual([2, 3, 4]);
  });

  it('drops only a write the database refuses for good, and the rest go on in order', () => {
    vi.useFakeTimers();
    const db = fakeDatabase();
    const { log, lines } = logger();
    const outbox = new CallWriteOutbox({ commit: db.commit, log });
    db.state = 'busy';
    for (let seq = 0; seq < 5; seq++) {
      outbox.push({
        what: 'turn',
        seq,
        write: () => {
          if (seq === 2) throw Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_UNIQUE' });
          db.written.push(seq);
        },
      });
    }
    db.state = 'ok';
    vi.advanceTimersByTime(25);
    expect(db.written).toEqual([0, 1, 3, 4]);
    expect(outbox.pending).toBe(0);
    expect(lines.filter((l) => l.event === 'call.write_failed').map((l) => l.seq)).toEqual([2]);
  });

  it('after the call, retries for a bounded time, then gives up (logged) and settles', () => {
    vi.useFakeTimers();
    const db = fakeDatabase();
    const { log, lines } = logger();
    let settled = 0;
    const outbox = new CallWriteOutbox({ commit: db.commit, log, retry: { initialMs: 100, maxMs: 100 }, onSettled: () => settled++ });
    db.state = 'busy';
    outbox.push({ what: 'turn', seq: 0, write: () => db.written.push(0) });
    outbox.end(1000);
    expect(settled).toBe(0);
    vi.advanceTimersByTime(999);
    expect(outbox.pending).toBe(1);
    vi.advanceTimersByTime(200);
    expect(outbox.pending).toBe(0);
    expect(settled).toBe(1);
    expect(lines.find((l) => l.event === 'call.write_dropped')).toMatchObject({ why: 'gave_up', count: 1 });
    vi.advanceTimersByTime(10_000);
    expect(db.attempts).toBeLessThan(15); // stopped retrying
  });
});

describe('call writes against a locked SQLite file', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('do not wait out the 5 s busy timeout: the turn is queued and written, in order, once the lock goes', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vas-outbox-'));
    const database = openDatabase(join(dir, 'app.db'));
    const tenantId = tenantQueries(database.db).create('Locked').id;
    const scope = tenantScope(database.db, tenantId);
    const agent = scope.agents.create({ name: 'Agent' });
    const call = scope.calls.create({ agentId: agent.id, toNumber: '+14155550100', status: 'ringing' });
    const { log } = logger();
    const writes = new CallWrites({ connection: database.callWriter, log, retry: { initialMs: 10, maxMs: 50 } });
    const recorder = writes.recorder(tenantId, call.id, log);
    recorder.turn('agent', 'hello');
    expect(scope.calls.turns(call.id)).toHaveLength(1);

    const other = new Database(join(dir, 'app.db')); // "another process": a backup, a sqlite3 shell
    other.exec('BEGIN IMMEDIATE');
    const started = performance.now();
    recorder.turn('caller', 'one');
    recorder.update({ status: 'in-progress' });
    recorder.turn('agent', 'two');
    // Blocked on the lock, each would wait out SQLite's busy timeout (seconds); queued, they return at once.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(recorder.pending).toBe(3);
    await new Promise((r) => setTimeout(r, 150));
    expect(recorder.pending).toBe(3);
    other.exec('COMMIT');
    other.close();
    await vi.waitFor(() => expect(recorder.pending).toBe(0), { timeout: 2000, interval: 10 });
    expect(scope.calls.turns(call.id).map((t) => [t.seq, t.text])).toEqual([
      [0, 'hello'],
      [1, 'one'],
      [2, 'two'],
    ]);
    expect(scope.calls.get(call.id)?.status).toBe('in-progress');
    recorder.end();
    await writes.close(1000);
    expect(scope.calls.get(call.id)?.summary).toBeTruthy();
    database.close();
  });

  function setUp(calls = 1) {
    dir = mkdtempSync(join(tmpdir(), 'vas-outbox-'));
    const database = openDatabase(join(dir, 'app.db'));
    const tenantId = tenantQueries(database.db).create('Locked').id;
    const scope = tenantScope(database.db, tenantId);
    const agent = scope.agents.create({ name: 'Agent' });
    const ids = Array.from({ length: calls }, () => scope.calls.create({ agentId: agent.id, toNumber: '+14155550100', status: 'ringing' }).id);
    const other = new Database(join(dir, 'app.db'));
    return { database, tenantId, scope, ids, other };
  }

  it('touch SQLite once per backoff window while it is locked, however many calls are queueing', async () => {
    const { database, tenantId, ids, other } = setUp(20);
    const { log } = logger();
    const metrics = createMetrics();
    const writes = new CallWrites({ connection: database.callWriter, log, metrics, retry: { initialMs: 200, maxMs: 200 } });
    other.exec('BEGIN IMMEDIATE');
    const recorders = ids.map((id) => writes.recorder(tenantId, id, log));
    for (const r of recorders) r.turn('agent', 'hello');
    expect(writes.pending).toBe(20);
    const attempts = async () => (await metrics.callWriteDuration.get()).values.find((v) => v.metricName === 'call_write_duration_seconds_count')?.value;
    expect(await attempts()).toBe(1);
    expect((await metrics.callWritesPending.get()).values[0]?.value).toBe(20);
    other.exec('COMMIT');
    await vi.waitFor(() => expect(writes.pending).toBe(0), { timeout: 3000, interval: 20 });
    expect((await metrics.callWritesPending.get()).values[0]?.value).toBe(0);
    other.close();
    database.close();
  });

  it('at shutdown, go on trying until the lock goes, within the bound; past it, what is left is logged as lost', async () => {
    const { database, tenantId, scope, ids, other } = setUp(2);
    const { log, lines } = logger();
    const writes = new CallWrites({ connection: database.callWriter, log, retry: { initialMs: 10, maxMs: 50 } });
    const first = writes.recorder(tenantId, ids[0]!, log);
    other.exec('BEGIN IMMEDIATE');
    first.turn('agent', 'hello');
    first.end();
    setTimeout(() => other.exec('COMMIT'), 300);
    await writes.close(3000);
    expect(scope.calls.turns(ids[0]!).map((t) => t.text)).toEqual(['hello']);
    expect(scope.calls.get(ids[0]!)?.summary).toBeTruthy();

    const again = new CallWrites({ connection: database.callWriter, log, retry: { initialMs: 10, maxMs: 50 } });
    const late = again.recorder(tenantId, ids[1]!, log);
    other.exec('BEGIN IMMEDIATE');
    late.turn('agent', 'never written');
    late.end();
    await again.close(300);
    other.exec('COMMIT');
    expect(lines.find((l) => l.event === 'call.writes_lost_at_shutdown')).toMatchObject({ count: 2 });
    late.turn('agent', 'after shutdown'); // refused, logged
    expect(lines.filter((l) => l.event === 'call.write_dropped').at(-1)).toMatchObject({ why: 'closed' });
    expect(scope.calls.turns(ids[1]!)).toEqual([]);
    other.close();
    database.close();
  });
});
