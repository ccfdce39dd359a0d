import type { Reporter, TestModule } from 'vitest/node';
import { cpuTimes, stealBetween, type CpuTimes } from './cpu-steal.js';

/**
 * Ends the run with one plain line, `Tests: N passed, N failed, N skipped`, that CI logs can be
 * read by, and a line saying how much CPU the host took away during the run (timing failures on a
 * starved machine read differently from a regression).
 */
export default class SummaryReporter implements Reporter {
  private readonly started: CpuTimes | undefined = cpuTimes();

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
    }
    const steal = stealBetween(this.started, cpuTimes());
    process.stdout.write(`\nHost: ${(steal * 100).toFixed(1)} % of CPU time taken by the hypervisor (steal) during the run\n`);
    process.stdout.write(`Tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}
