/**
 * Timing allowances that follow the machine the tests run on.
 *
 * A few end-to-end tests assert a latency the caller would notice (2 s of silence, a barge-in
 * cleared within 150 ms). On a shared CI machine whose hypervisor takes the CPU away ("steal"),
 * every one of those stretches while the product is working as designed. So a test watches the
 * host while it runs, and its allowance grows by what the host took:
 *
 *   allowance = budget / (1 − steal fraction) + the longest stall this process's event loop saw
 *
 * On a healthy machine (no steal, no stalls) the allowance is the budget itself, so a real
 * regression still fails. `TEST_TIME_SCALE` multiplies every budget for machines known to be slow.
 * Performance goals proper are measured by the benchmarks in scripts/, not here.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, beforeEach } from 'vitest';
import { cpuTimes, stealBetween } from './cpu-steal.js';

export interface HostWatch {
  /** `budgetMs`, stretched by what the host took since the watch began (see above). */
  allow(budgetMs: number): number;
  /** For assertion messages: what the host was like. */
  describe(): string;
  stop(): void;
}

export function watchHost(): HostWatch {
  const start = cpuTimes();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const scale = Number(process.env.TEST_TIME_SCALE) > 0 ? Number(process.env.TEST_TIME_SCALE) : 1;
  const steal = () => stealBetween(start, cpuTimes());
  const stallMs = () => Math.max(0, loop.max / 1e6 - 10);
  return {
    allow: (budgetMs) => (budgetMs * scale) / (1 - steal()) + stallMs(),
    describe: () => `host: steal ${(steal() * 100).toFixed(0)} %, longest event-loop stall ${stallMs().toFixed(0)} ms, scale ${scale}`,
    stop: () => loop.disable(),
  };
}

/**
 * A host watch that restarts with every test of the calling file (registered as vitest hooks), so
 * `host.allow(ms)` reflects the test being run.
 */
export function watchHostPerTest(): Omit<HostWatch, 'stop'> & { /** Watch from now on (after a deliberate stall). */ restart(): void } {
  let current: HostWatch | undefined;
  const restart = () => {
    current?.stop();
    current = watchHost();
  };
  beforeEach(restart);
  afterEach(() => current?.stop());
  return {
    allow: (budgetMs) => current?.allow(budgetMs) ?? budgetMs,
    describe: () => current?.describe() ?? 'host: not watched',
    restart,
  };
}
