import type Database from 'better-sqlite3';
import type { Db } from '../../db/database.js';
import type { CallTurnInput } from '../../db/queries/calls.js';
import { tenantScope, type TenantScope } from '../../db/tenant-scope.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { CallWriteOutbox, transientWriteFailure } from './call-write-outbox.js';
import { writeCallSummary } from './finish-call.js';

export interface TurnLatency {
  endpointingMs?: number;
  sttMs?: number;
  llmFirstTokenMs?: number;
  ttsFirstAudioMs?: number;
  responseMs?: number;
}

/**
 * Writes the call's turns as they happen. The caller must never hear a database problem: writes
 * go through the call's outbox (./call-write-outbox.ts) on the call-writes connection, which
 * waits only a few ms for a lock, so a locked or full database neither stalls the audio nor
 * loses the turn; it is written, in seq order, once the database takes it.
 */
export class CallRecorder {
  private seq = 0;

  constructor(
    private readonly scope: TenantScope,
    readonly callId: string,
    private readonly log: Logger,
    private readonly outbox: CallWriteOutbox,
    private readonly retryAfterEndMs = 10 * 60_000,
  ) {}

  /** Writes not yet in the database (the database was locked or full). */
  get pending(): number {
    return this.outbox.pending;
  }

  get ended(): boolean {
    return this.outbox.ended;
  }

  turn(speaker: 'caller' | 'agent' | 'system', text: string, extra: Partial<CallTurnInput> & TurnLatency = {}): void {
    const input = { seq: this.seq++, speaker, text, ...extra };
    const at = new Date(); // the turn's time, not the (maybe later) write's
    this.outbox.push({ what: 'turn', seq: input.seq, write: () => this.scope.calls.addTurn(this.callId, input, at) });
  }

  /** Any other write made during the call (a message taken, token usage), in the same outbox. */
  record(what: string, write: (scope: TenantScope) => unknown): void {
    this.outbox.push({ what, write: () => write(this.scope) });
  }

  update(patch: Parameters<TenantScope['calls']['update']>[1]): void {
    this.outbox.push({ what: 'call', write: () => this.scope.calls.update(this.callId, patch) });
  }

  /**
   * After the last frame: the call's summary and `call.ended` event (finish-call.ts), queued
   * behind its last turns so that they count; what is still queued is retried in the background
   * for `retryAfterEndMs`, then given up (logged).
   */
  end(): void {
    if (this.outbox.ended) return;
    this.outbox.push({ what: 'summary', write: () => writeCallSummary(this.scope, this.callId) });
    this.outbox.end(this.retryAfterEndMs);
    if (this.outbox.pending > 0) this.log.warn({ event: 'call.writes_pending_at_end', pending: this.outbox.pending }, 'call ended with data still to write');
  }

  /** Tries the queued writes now. True when nothing is left. */
  flush(): boolean {
    return this.outbox.flush();
  }

  /** Shutdown: gives up on what is left (logged). */
  close(): void {
    this.outbox.close();
  }
}

export interface CallWritesOptions {
  /** The call-writes connection (DatabaseHandle.callWriter): a short busy timeout. */
  connection: { db: Db; sqlite: Database.Database };
  log: Logger;
  metrics?: Pick<Metrics, 'callWritesPending' | 'callWritesFailed' | 'callWritesDropped' | 'callWriteDuration'>;
  maxPendingPerCall?: number;
  retry?: { initialMs: number; maxMs: number };
  /** How long an ended call's unwritten data is retried in the background. */
  retryAfterEndMs?: number;
}

/** The process's call recorders: one outbox per call, shared metrics, and the final flush. */
export class CallWrites {
  private readonly live = new Set<CallRecorder>();
  private readonly commit: (writes: readonly (() => unknown)[]) => void;

  constructor(private readonly o: CallWritesOptions) {
    // BEGIN IMMEDIATE: the write lock is taken (or refused, after the short busy timeout) up
    // front, so no transaction ever has to upgrade a read snapshot (SQLITE_BUSY_SNAPSHOT).
    const transaction = o.connection.sqlite.transaction((writes: readonly (() => unknown)[]) => {
      for (const write of writes) write();
    });
    const retry = o.retry ?? { initialMs: 25, maxMs: 1000 };
    this.commit = (writes) => {
      // One blocked attempt costs the main thread up to the busy timeout; with many calls
      // queueing, only one attempt per backoff window (shared by all calls) touches SQLite.
      if (performance.now() < this.pause.until) throw Object.assign(new Error('call writes paused: the database was unavailable'), { code: this.pause.code });
      const started = performance.now();
      try {
        transaction.immediate(writes);
        this.pause.failures = 0;
      } catch (error) {
        if (transientWriteFailure(error)) {
          this.pause.failures++;
          this.pause.until = performance.now() + Math.min(retry.maxMs, retry.initialMs * 2 ** (this.pause.failures - 1));
          this.pause.code = (error as { code: string }).code;
        }
        throw error;
      } finally {
        const ms = performance.now() - started;
        this.slowestWriteMs = Math.max(this.slowestWriteMs, ms);
        o.metrics?.callWriteDuration.observe(ms / 1000);
      }
    };
  }

  /** The longest the main thread spent in one write attempt (the audio waits that long). */
  slowestWriteMs = 0;
  private readonly pause = { until: 0, failures: 0, code: 'SQLITE_BUSY' };

  recorder(tenantId: string, callId: string, log: Logger): CallRecorder {
    const metrics = this.o.metrics;
    const outbox = new CallWriteOutbox({
      commit: this.commit,
      log,
      maxPending: this.o.maxPendingPerCall,
      retry: this.o.retry,
      hooks: metrics && {
        pending: (delta) => metrics.callWritesPending.inc(delta),
        failed: (reason) => metrics.callWritesFailed.inc({ reason }),
        dropped: (count) => metrics.callWritesDropped.inc(count),
      },
      onSettled: () => this.live.delete(recorder),
    });
    const recorder = new CallRecorder(tenantScope(this.o.connection.db, tenantId), callId, log, outbox, this.o.retryAfterEndMs);
    this.live.add(recorder);
    return recorder;
  }

  /** Writes queued across calls. */
  get pending(): number {
    let pending = 0;
    for (const recorder of this.live) pending += recorder.pending;
    return pending;
  }

  /**
   * Shutdown, once calls are drained: waits (up to `timeoutMs`) for the last calls to end and
   * for everything queued to be written, retrying; what is still queued then is logged as lost.
   */
  async close(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // A call whose socket is closing ends in a moment; one that never started its session never does.
    const graceUntil = Date.now() + Math.min(500, timeoutMs);
    for (;;) {
      let busy = false;
      for (const recorder of [...this.live]) if (!recorder.flush() || (!recorder.ended && Date.now() < graceUntil)) busy = true;
      if (!busy || Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const lost = this.pending;
    for (const recorder of [...this.live]) recorder.close();
    if (lost > 0) this.o.log.error({ event: 'call.writes_lost_at_shutdown', count: lost }, 'call data could not be written before shutdown');
  }
}
