import { defineConfig } from 'vitest/config';

/**
 * Tests that hold a live call and assert what the caller would notice in real time (silence,
 * barge-in, pacing): a project of their own, so they can be run alone after a change to the call
 * path (`npx vitest run --project real-time`). With files run one at a time, vitest does not
 * promise which project goes first.
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
    // machine can be slow for minutes at a time (this one has measured 50 % CPU steal). Waits in
    // the test helpers get 3x their nominal timeout for the same reason; a wait that times out is
    // a failure to make progress, not a latency check (those use tests/helpers/host-load.ts).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: { WAIT_TIMEOUT_SCALE: '3' },
    pool: 'forks',
    // One file at a time: two at a time halves the time on an idle 2-core machine, but on a
    // starved one (half the CPU taken by the hypervisor) greetings then took over 10 s.
    fileParallelism: false,
    reporters: ['default', './tests/helpers/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'e2e-and-unit', include: ['src/**/*.test.ts', 'tests/**/*.test.ts'], exclude: REAL_TIME, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'real-time', include: REAL_TIME, sequence: { groupOrder: 1 } } },
    ],
  },
});
