import { defineConfig } from 'vitest/config';

/**
 * Tests that hold a live call and assert what the caller would notice in real time (silence,
 * barge-in, pacing). They run one file at a time, after the rest, so the other half of a 2-core
 * machine is not busy with another test file while they measure.
 */
const REAL_TIME = [
  'tests/barge-in.test.ts',
  'tests/call-timers.test.ts',
  'tests/database-faults.test.ts',
  'tests/engine-faults.test.ts',
  'tests/fuzz-media-socket.test.ts',
  'tests/llm-call.test.ts',
  'tests/local-speech-call.test.ts',
  'tests/speech-engines.test.ts',
  'tests/telephony-call.test.ts',
  'tests/telephony-edges.test.ts',
];

export default defineConfig({
  test: {
    // Generous: end-to-end tests wait on real-time audio and child processes, and a shared CI
    // machine can be slow for minutes at a time. Timing goals are asserted where they matter.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './tests/helpers/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        // Mostly waiting on sockets and child servers: two files at a time on two cores.
        test: { name: 'parallel', include: ['src/**/*.test.ts', 'tests/**/*.test.ts'], exclude: REAL_TIME, maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'real-time', include: REAL_TIME, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
