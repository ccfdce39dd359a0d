/**
 * A bounded first-come queue in front of a CPU-bound engine (Whisper on a worker thread): at most
 * `concurrency` jobs run, at most `maxWaiting` wait, and the rest are refused at once. Refusing is
 * the point: on a 2-core VM an unbounded queue turns a busy minute into every caller waiting
 * seconds for every turn, while a refusal lets the call fall back to another engine right away.
 */
export class QueueFullError extends Error {
  constructor(name: string, waiting: number) {
    super(`${name} is busy: ${waiting} utterances already waiting`);
    this.name = 'QueueFullError';
  }
}

export interface WorkQueueObserver {
  /** Jobs waiting (not running) after every change. */
  depth?(waiting: number): void;
  /** Seconds a job waited before it started. */
  waited?(seconds: number): void;
}

interface Waiter {
  start: () => void;
  fail: (error: unknown) => void;
}

export class WorkQueue {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    private readonly name: string,
    private readonly options: { concurrency: number; maxWaiting: number; observer?: WorkQueueObserver },
  ) {}

  get depth(): number {
    return this.waiting.length;
  }

  /** Runs `job` when a slot is free; rejects with the signal's reason if aborted while waiting. */
  async run<T>(job: () => Promise<T>, signal: AbortSignal): Promise<T> {
    signal.throwIfAborted();
    const queuedAt = performance.now();
    if (this.running >= this.options.concurrency) {
      if (this.waiting.length >= this.options.maxWaiting) throw new QueueFullError(this.name, this.waiting.length);
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          start: () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          },
          fail: reject,
        };
        const onAbort = () => {
          const at = this.waiting.indexOf(waiter);
          if (at >= 0) this.waiting.splice(at, 1);
          this.options.observer?.depth?.(this.waiting.length);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(waiter);
        this.options.observer?.depth?.(this.waiting.length);
      });
    } else {
      this.running++;
    }
    // A slot handed over by `release` is already counted in `running`.
    this.options.observer?.waited?.((performance.now() - queuedAt) / 1000);
    try {
      return await job();
    } finally {
      this.release();
    }
  }

  /** Refuses everything waiting (shutdown). */
  clear(reason: Error): void {
    for (const waiter of this.waiting.splice(0)) waiter.fail(reason);
    this.options.observer?.depth?.(0);
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) {
      this.options.observer?.depth?.(this.waiting.length);
      next.start();
    } else {
      this.running--;
    }
  }
}
