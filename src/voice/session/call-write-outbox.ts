import type { Logger } from '../../observability/logger.js';

/** Failures that pass: another process holds the write lock, or the disk is (for now) full. */
export type TransientWriteFailure = 'busy' | 'locked' | 'full' | 'ioerr';

export function transientWriteFailure(error: unknown): TransientWriteFailure | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  // Extended codes too: SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED_SHAREDCACHE, SQLITE_IOERR_WRITE …
  if (code.startsWith('SQLITE_BUSY')) return 'busy';
  if (code.startsWith('SQLITE_LOCKED')) return 'locked';
  if (code.startsWith('SQLITE_FULL')) return 'full';
  if (code.startsWith('SQLITE_IOERR')) return 'ioerr';
  return undefined;
}

export interface PendingWrite {
  /** What it writes, for the logs: 'turn', 'call', 'summary'. */
  what: string;
  /** A turn's seq (already assigned: the order is fixed when the turn happens). */
  seq?: number;
  write: () => unknown;
}

export interface CallWriteOutboxOptions {
  /** Runs the writes, in order, in one transaction: all or nothing; throws what SQLite throws. */
  commit(writes: readonly (() => unknown)[]): void;
  log: Logger;
  /** Writes kept for one call; past this the oldest is dropped (and logged, and counted). */
  maxPending?: number;
  /** Writes per transaction when catching up (one fsync for many rows). */
  maxBatch?: number;
  /** Retry delays: from initialMs, doubling, up to maxMs. */
  retry?: { initialMs: number; maxMs: number };
  /** Metrics: `pending` moves by delta, `failed` counts failed attempts, `dropped` writes given up. */
  hooks?: { pending?(delta: number): void; failed?(reason: string): void; dropped?(count: number): void };
  /** Called once the outbox is ended and empty (written, or given up). */
  onSettled?(): void;
}

/**
 * One call's writes, in order, written as soon as the database lets them. A write that meets a
 * locked database (the connection waits only a few ms, see DatabaseHandle.callWriter) or a full
 * disk stays queued, and so does everything after it, so that turns land in seq order; a timer
 * (unref'd) retries with backoff. Bounded: past `maxPending` the oldest write is dropped. A write
 * SQLite will never accept (a constraint, a bug) is logged and dropped: retrying cannot help.
 */
export class CallWriteOutbox {
  private readonly queue: PendingWrite[] = [];
  private readonly maxPending: number;
  private readonly maxBatch: number;
  private readonly retry: { initialMs: number; maxMs: number };
  private batchSize: number;
  private delayMs: number;
  private timer?: NodeJS.Timeout;
  private failingSince?: number;
  private giveUpAt?: number;
  private settled = false;
  private closed = false;
  /** Writes lost for good (dropped by the bound, refused, or given up). */
  dropped = 0;

  constructor(private readonly o: CallWriteOutboxOptions) {
    this.maxPending = o.maxPending ?? 1000;
    this.maxBatch = o.maxBatch ?? 50;
    this.retry = o.retry ?? { initialMs: 25, maxMs: 1000 };
    this.batchSize = this.maxBatch;
    this.delayMs = this.retry.initialMs;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Waiting for a retry (the database was locked or full at the last attempt). */
  get deferred(): boolean {
    return this.timer !== undefined;
  }

  get ended(): boolean {
    return this.giveUpAt !== undefined;
  }

  push(write: PendingWrite): void {
    if (this.closed) {
      this.lose([write], 'closed');
      return;
    }
    this.queue.push(write);
    this.o.hooks?.pending?.(1);
    if (this.queue.length > this.maxPending) this.lose(this.queue.splice(0, 1), 'outbox_full');
    // Behind a write waiting for its retry: wait too (keeps the order, and the main thread free).
    if (!this.timer) this.flush();
  }

  /** Writes what it can, in order. True when nothing is left. */
  flush(): boolean {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.batchSize);
      try {
        this.o.commit(batch.map((w) => w.write));
      } catch (error) {
        const reason = transientWriteFailure(error);
        this.o.hooks?.failed?.(reason ?? 'other');
        if (reason) {
          if (this.failingSince === undefined) {
            this.failingSince = Date.now();
            this.o.log.warn({ err: error, event: 'call.write_deferred', reason, pending: this.queue.length }, 'database unavailable; call data queued');
          }
          this.schedule();
          return false;
        }
        if (batch.length > 1) {
          this.batchSize = 1; // find the one write that is refused; the rest go on
          continue;
        }
        this.o.log.error({ err: error, event: 'call.write_failed', what: batch[0]!.what, seq: batch[0]!.seq }, 'could not record call data');
        this.lose(this.queue.splice(0, 1), 'refused', false);
        continue;
      }
      this.queue.splice(0, batch.length);
      this.o.hooks?.pending?.(-batch.length);
      this.batchSize = this.maxBatch;
      this.delayMs = this.retry.initialMs;
      if (this.failingSince !== undefined) {
        this.o.log.info({ event: 'call.writes_recovered', afterMs: Date.now() - this.failingSince, pending: this.queue.length }, 'database available again; queued call data written');
        this.failingSince = undefined;
      }
    }
    this.settleIfDone();
    return true;
  }

  /** The call is over: go on retrying what is left for `withinMs`, then give up on it. */
  end(withinMs: number): void {
    this.giveUpAt = Date.now() + withinMs;
    this.settleIfDone();
  }

  /** Gives up on everything pending (logged as lost); later writes are refused. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.closed = true;
    if (this.queue.length > 0) this.lose(this.queue.splice(0), 'shutdown');
    this.settleIfDone(true);
  }

  private schedule(): void {
    if (this.giveUpAt !== undefined && Date.now() >= this.giveUpAt) {
      this.lose(this.queue.splice(0), 'gave_up');
      this.settleIfDone();
      return;
    }
    const delay = this.delayMs;
    this.delayMs = Math.min(this.retry.maxMs, delay * 2);
    this.timer = setTimeout(() => this.flush(), delay);
    this.timer.unref();
  }

  private lose(writes: PendingWrite[], why: string, wasLogged = false): void {
    if (writes.length === 0) return;
    this.dropped += writes.length;
    if (why !== 'closed') this.o.hooks?.pending?.(-writes.length);
    this.o.hooks?.dropped?.(writes.length);
    if (!wasLogged) {
      this.o.log.error(
        { event: 'call.write_dropped', why, count: writes.length, dropped: this.dropped, what: writes[0]!.what, seq: writes[0]!.seq, pending: this.queue.length },
        'call data lost: the database stayed unavailable',
      );
    }
  }

  private settleIfDone(force = false): void {
    if (this.settled || (!force && (this.giveUpAt === undefined || this.queue.length > 0))) return;
    this.settled = true;
    this.o.onSettled?.();
  }
}
