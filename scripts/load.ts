/**
 * Load test: everything at once against ONE server, for a bounded time.
 *   - N simulated Twilio calls (the bench-calls caller: signed webhook, Media Streams socket,
 *     greeting, then real speech turns from jfk.wav at a cadence, some of them over the agent's
 *     answer: barge-in), ramped up over a few seconds;
 *   - API traffic from several tenants at a target rate, open loop (list agents, knowledge search,
 *     chat, call list and detail, create and patch knowledge entries);
 *   - crawl jobs (POST /api/agents/from-url) against the fixture sites served on 127.0.0.1.
 * The server is a child process (`--in-process` to share this one) with the embedded engines:
 * Silero VAD, espeak-ng TTS, the offline answerer, and a local OpenAI-compatible STT double that
 * answers each utterance with one of a few questions.
 *
 * Run: npx tsx scripts/load.ts --calls 100 --seconds 60 [--api-rps 20] [--crawls 3] [--tenants 3]
 *      [--ramp-s 5] [--barge-prob 0.2] [--think-ms 1000-3000] [--max-error-pct 1] [--in-process]
 *   (or npm run load -- …). Prints tables, writes data/bench/load.json, and exits 1 when a gate
 *   fails: frames dropped (server sent, caller never got or never played, clears excepted), or
 *   API / call / crawl errors over --max-error-pct. The callers share this machine's cores with
 *   the server; the output says how much CPU they and other processes took.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fixtureSites, serveSite } from '../tests/helpers/static-site-server.js';
import { printTable, writeBenchJson, type Row } from './lib/bench-report.js';
import { diffCpu, machineCpuSeconds, startBenchServer, threadCpuSeconds } from './lib/bench-server.js';
import { jfkAt8k, JFK_SPEECH_ONSET_MS, slice, speechBounds } from './lib/caller-audio.js';
import { callOptions, createAgentWithNumber, createTenant, startTelephonyDoubles } from './lib/local-telephony.js';
import { QUESTIONS, runApiTraffic, runCrawl, SEED_KNOWLEDGE, type CrawlResult, type LoadTenant } from './lib/load-traffic.js';
import { SimulatedCall } from './lib/simulated-call.js';
import { summarize, type Summary } from './lib/stats.js';

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '60' },
    'api-rps': { type: 'string', default: '20' },
    crawls: { type: 'string', default: '3' },
    tenants: { type: 'string', default: '3' },
    'ramp-s': { type: 'string' },
    'barge-prob': { type: 'string', default: '0.2' },
    'think-ms': { type: 'string', default: '1000-3000' },
    'max-error-pct': { type: 'string', default: '1' },
    'crawl-timeout-s': { type: 'string', default: '120' },
    'in-process': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log('usage: npx tsx scripts/load.ts [--calls 100] [--seconds 60] [--api-rps 20] [--crawls 3] [--tenants 3] [--ramp-s 5] [--barge-prob 0.2] [--think-ms 1000-3000] [--max-error-pct 1] [--crawl-timeout-s 120] [--in-process]');
  process.exit(0);
}
const num = (name: keyof typeof args, min = 0) => {
  const v = Number(args[name]);
  if (!Number.isFinite(v) || v < min) (console.error(`--${name} must be a number ≥ ${min}`), process.exit(64));
  return v;
};
const N = Math.floor(num('calls'));
const WINDOW_MS = num('seconds', 5) * 1000;
const RPS = num('api-rps');
const CRAWLS = Math.floor(num('crawls'));
const TENANTS = Math.max(1, Math.floor(num('tenants', 1)));
const RAMP_MS = args['ramp-s'] === undefined ? Math.min(5000, WINDOW_MS / 4) : num('ramp-s') * 1000;
const BARGE_PROB = num('barge-prob');
const think = /^(\d+)(?:-(\d+))?$/.exec(args['think-ms']);
if (!think) (console.error('--think-ms must be MS or MIN-MAX'), process.exit(64));
const THINK_MIN = Number(think[1]);
const THINK_MAX = Number(think[2] ?? think[1]);
const MAX_ERROR_PCT = num('max-error-pct');
const CRAWL_TIMEOUT_MS = num('crawl-timeout-s', 1) * 1000;
/** After the caller's speech ends, how long an answer may take before the turn counts as unanswered. */
const RESPONSE_TIMEOUT_MS = 15_000;
/** No new turn this close to the end of the window (the answer would land after it). */
const LAST_TURN_MARGIN_MS = 3000;
const SITES = ['business-casual-coffee', 'flowmaster-plumbing', 'wisdom-bites-dental'];
const GREETING = 'Thanks for calling Flowmaster Plumbing. How can I help?';

const started = performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const rand = (a: number, b: number) => a + Math.random() * (b - a);

// ---------------------------------------------------------------- setup (not measured)
const doubles = await startTelephonyDoubles();
doubles.stt.respond = () => QUESTIONS[Math.floor(Math.random() * QUESTIONS.length)]!; // every utterance is a real question: it takes the turn
const server = await startBenchServer(
  { ...doubles.env, TTS_ENGINE: 'espeak', CRAWL_ALLOW_PRIVATE: 'true', RATE_LIMIT_PER_MINUTE: '1000000' },
  { mode: args['in-process'] ? 'in-process' : 'child' },
);
const sites = await Promise.all(SITES.map(async (name) => ({ name, site: await serveSite(join(fixtureSites, name)) })));
const tenants: LoadTenant[] = [];
const numbers: string[] = [];
for (let i = 0; i < TENANTS; i++) {
  const client = await createTenant(server.url, server.adminKey, `Load tenant ${i + 1}`);
  const number = `+1415555${String(2000 + i).padStart(4, '0')}`;
  // Callers fall quiet once the window closes and wait for the others: no "Are you still there?"
  // and goodbye while the run drains (the silence check-in has its own tests).
  const agentId = await createAgentWithNumber(client, number, { greeting: GREETING, settings: { silenceTimeoutSeconds: 120 } });
  const editable: string[] = [];
  for (const entry of SEED_KNOWLEDGE) {
    const res = await client.post(`/api/agents/${agentId}/knowledge`, entry);
    if (res.status !== 201) throw new Error(`seeding knowledge failed: ${res.status} ${JSON.stringify(res.body)}`);
    if (entry.title.startsWith('Load test')) editable.push(res.body.id as string);
  }
  tenants.push({ client, agentId, editable, callIds: [] });
  numbers.push(number);
}

const jfk = jfkAt8k();
const CLIP = slice(jfk, JFK_SPEECH_ONSET_MS - 100, 2400); // "And so my fellow Americans", 100 ms lead-in
const CLIP_SPEECH = speechBounds(CLIP)!;

interface Turn {
  /** The agent was audible when the caller started: a barge-in. */
  overAgent: boolean;
  onsetMs: number;
  endMs: number;
  responseMs?: number;
  bargeInMs?: number;
}
interface Caller {
  index: number;
  tenant: number;
  dialedAtS: number;
  call?: SimulatedCall;
  error?: string;
  firstAudioMs?: number;
  turns: Turn[];
}

/** Quiet: nothing buffered, no frame or event for `forMs`. */
const isQuiet = (call: SimulatedCall, forMs: number) =>
  !call.agentAudible && call.now() - (call.log.at(-1)?.atMs ?? 0) > forMs && performance.now() - (call.arrivals.at(-1) ?? 0) > forMs;
/** Resolves with the first log event from `from` on that matches, or undefined after `timeoutMs` or hang-up. */
async function eventAfter(call: SimulatedCall, from: number, match: (e: SimulatedCall['log'][number]) => boolean, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  for (let i = from; ; ) {
    for (; i < call.log.length; i++) if (match(call.log[i]!)) return call.log[i];
    if (performance.now() > deadline || call.closeCode !== undefined) return undefined;
    await sleep(10);
  }
}

/** One caller: greeting, then turns until the window closes; a share of the turns start over the agent's answer. */
async function runCaller(c: Caller, stopAt: number): Promise<void> {
  let call: SimulatedCall;
  try {
    call = c.call = await SimulatedCall.dial(callOptions(server.url, numbers[c.tenant]!));
  } catch (error) {
    c.error = `dial: ${String(error)}`;
    return;
  }
  if (call.parameters.callId) tenants[c.tenant]!.callIds.push(call.parameters.callId);
  const greeting = await eventAfter(call, 0, (e) => e.type === 'audio-start', 30_000);
  if (!greeting) return void (c.error = 'no greeting audio');
  c.firstAudioMs = greeting.atMs;
  let barge = false;
  while (call.closeCode === undefined) {
    if (barge) {
      await sleep(rand(300, 1200)); // into the answer
      if (!call.agentAudible) barge = false; // the answer was short: an ordinary turn instead
    }
    if (!barge) {
      while (!isQuiet(call, 700) && performance.now() < stopAt) await sleep(20);
      await sleep(rand(THINK_MIN, THINK_MAX));
    }
    if (performance.now() > stopAt - LAST_TURN_MARGIN_MS || call.closeCode !== undefined) break;
    const from = call.log.length;
    const overAgent = call.agentAudible;
    const sent = call.say(CLIP);
    const u = call.said.at(-1)!;
    const turn: Turn = { overAgent, onsetMs: u.startMs + CLIP_SPEECH.onsetMs, endMs: u.startMs + CLIP_SPEECH.endMs };
    c.turns.push(turn);
    if (overAgent) {
      void eventAfter(call, from, (e) => e.type === 'clear', 5000).then((clear) => clear && (turn.bargeInMs = clear.atMs - turn.onsetMs));
    }
    await sent;
    const answer = await eventAfter(call, from, (e) => e.type === 'audio-start' && e.atMs > turn.endMs, RESPONSE_TIMEOUT_MS + CLIP.length / 8);
    if (answer) turn.responseMs = answer.atMs - turn.endMs;
    barge = answer !== undefined && Math.random() < BARGE_PROB;
  }
}

// Warm-up (not measured): one call with one turn, so espeak, V8 and the answerer are warm.
{
  const warm = await SimulatedCall.dial(callOptions(server.url, numbers[0]!));
  await warm.waitFor(() => warm.log.some((e) => e.type === 'audio-start'), 30_000);
  await warm.waitFor(() => isQuiet(warm, 500), 20_000);
  void warm.say(CLIP);
  await warm.waitFor(() => warm.log.filter((e) => e.type === 'audio-start').length >= 2, 20_000).catch(() => {});
  await warm.waitFor(() => isQuiet(warm, 500), 20_000).catch(() => {});
  warm.hangUp();
  await warm.closed;
  await sleep(500);
}

// ---------------------------------------------------------------- the load window
console.log(`load: ${N} calls (ramp ${RAMP_MS / 1000} s), ${RPS} API req/s over ${TENANTS} tenants, ${CRAWLS} crawls, for ${WINDOW_MS / 1000} s (server: ${server.mode})`);
const setupS = Math.round((performance.now() - started) / 1000);
const logsFrom = server.logs.length;
const before = await server.probeReset();
const rssBefore = procStatusKiB(server.pid);
const threadsBefore = threadCpuSeconds(server.pid);
const benchCpu = process.cpuUsage();
const machineBefore = machineCpuSeconds();
const t0 = performance.now();
const stopAt = t0 + WINDOW_MS;
let rssMaxKiB = rssBefore.VmRSS ?? 0;
const rssSampler = setInterval(() => (rssMaxKiB = Math.max(rssMaxKiB, procStatusKiB(server.pid).VmRSS ?? 0)), 500);

const callers: Caller[] = Array.from({ length: N }, (_, i) => ({ index: i, tenant: i % TENANTS, dialedAtS: 0, turns: [] }));
const callerRuns = callers.map(async (c) => {
  await sleep(N > 1 ? (c.index * RAMP_MS) / (N - 1) : 0);
  c.dialedAtS = Number(((performance.now() - t0) / 1000).toFixed(2));
  await runCaller(c, stopAt);
});
const apiRun = runApiTraffic(tenants, RPS, stopAt);
const crawlRuns: Promise<CrawlResult>[] = Array.from({ length: CRAWLS }, async (_, i) => {
  await sleep(((i + 1) * WINDOW_MS) / (2 * CRAWLS)); // spread over the first half, so they run under full call load
  const { name, site } = sites[i % sites.length]!;
  const t = i % TENANTS;
  return runCrawl(tenants[t]!.client, t, name, `${site.origin}/`, (performance.now() - t0) / 1000, CRAWL_TIMEOUT_MS);
});

await sleep(stopAt - performance.now());
// Close the resource window before any bulky work here (summaries stall this process).
const threads = diffCpu(threadCpuSeconds(server.pid), threadsBefore);
const bench = process.cpuUsage(benchCpu);
const machineAfter = machineCpuSeconds();
const probe = await server.probe();
const rssAtEnd = procStatusKiB(server.pid);
clearInterval(rssSampler);

// ---------------------------------------------------------------- drain: last answers, then all quiet
console.log('window closed; waiting for the last answers, API requests and crawls…');
const drainStarted = performance.now();
await Promise.all(callerRuns);
const connected = callers.filter((c): c is Caller & { call: SimulatedCall } => c.call !== undefined);
const quietDeadline = performance.now() + 20_000;
while (performance.now() < quietDeadline && !connected.every((c) => c.call.closeCode !== undefined || isQuiet(c.call, 1000))) await sleep(50);
const notQuiet = connected.filter((c) => c.call.closeCode === undefined && !isQuiet(c.call, 1000)).length;
const tail = await server.probe(); // frames sent since the window closed
const closedEarly = connected.filter((c) => c.call.closeCode !== undefined);
const closedEarlyIndex = new Set(closedEarly.map((c) => c.index));
const perCall = connected.map((c) => ({
  received: c.call.arrivals.length, played: c.call.played.length, cleared: c.call.cleared, underruns: c.call.underruns,
}));
const perCallByIndex = new Map(connected.map((c, i) => [c.index, perCall[i]!]));
await Promise.all(connected.map(async (c) => (c.call.closeCode === undefined && c.call.hangUp(), await c.call.closed)));
const api = await apiRun;
const crawlResults = await Promise.all(crawlRuns);
const logs = server.logs.slice(logsFrom);
const drainS = Math.round((performance.now() - drainStarted) / 1000);

// Server-side latency split, per agent turn (read after the load; not part of the API numbers).
const split: Record<string, number[]> = { endpointingMs: [], sttMs: [], llmFirstTokenMs: [], ttsFirstAudioMs: [], responseMs: [] };
for (const c of connected) {
  const id = c.call.parameters.callId;
  const res = id ? await tenants[c.tenant]!.client.get(`/api/calls/${id}`).catch(() => undefined) : undefined;
  for (const t of (res?.body?.turns ?? []) as { speaker: string; latency: Record<string, number | null> }[]) {
    if (t.speaker !== 'agent') continue;
    for (const k of Object.keys(split)) if (t.latency[k] != null) split[k]!.push(t.latency[k]!);
  }
}

await server.stop();
await doubles.stop();
await Promise.all(sites.map((s) => s.site.close()));

// ---------------------------------------------------------------- numbers
const windowS = probe.windowMs / 1000;
const pct = (cpuS: number) => Number(((100 * cpuS) / windowS).toFixed(1)); // % of one core
const serverCpuS = (probe.cpuMs.user + probe.cpuMs.system) / 1000;
const mainS = threads['main (JS)'] ?? 0;
const benchS = (bench.user + bench.system) / 1e6;
const sum = (k: keyof (typeof perCall)[number]) => perCall.reduce((a, x) => a + x[k], 0);
const turns = callers.flatMap((c) => c.turns);
const framesSent = probe.outbound.framesSent + tail.outbound.framesSent;
const framesReceived = sum('received');
const framesPlayed = sum('played');
const framesCleared = sum('cleared');
const callErrors = callers.filter((c) => c.error).length + closedEarly.length;
const unanswered = turns.filter((t) => t.responseMs === undefined).length;
const bargeAttempts = turns.filter((t) => t.overAgent);
const crawlFailures = crawlResults.filter((r) => r.status !== 'succeeded');
const problems = logs.filter((l) => typeof l.level === 'number' && l.level >= 40);
const problemsByEvent: Record<string, number> = {};
for (const l of problems) problemsByEvent[`${l.level === 40 ? 'warn' : 'error'} ${String(l.event ?? l.msg)}`] = (problemsByEvent[`${l.level === 40 ? 'warn' : 'error'} ${String(l.event ?? l.msg)}`] ?? 0) + 1;

const calls = {
  calls: N, connected: connected.length, dialFailures: callers.filter((c) => c.error?.startsWith('dial')).length,
  noGreeting: callers.filter((c) => c.error === 'no greeting audio').length, closedEarly: closedEarly.length,
  turns: turns.length, turnsAnswered: turns.length - unanswered, turnsUnanswered: unanswered,
  bargeInAttempts: bargeAttempts.length, bargeInsCleared: bargeAttempts.filter((t) => t.bargeInMs !== undefined).length,
  framesServerSent: framesSent, framesCallerReceived: framesReceived, framesLostInTransit: framesSent - framesReceived,
  framesPlayed, framesClearedByBargeIn: framesCleared, framesReceivedNeverPlayed: framesReceived - framesPlayed - framesCleared,
  callsNotQuietAtEnd: notQuiet,
  callerUnderruns: sum('underruns'), callsWithCallerUnderruns: perCall.filter((x) => x.underruns > 0).length,
  serverSideUnderruns: probe.outbound.farEndUnderrunMs.n + tail.outbound.farEndUnderrunMs.n, playbackUnderruns: tail.outbound.playbackUnderruns,
};
const droppedFrames = calls.framesLostInTransit + calls.framesReceivedNeverPlayed;
const callerGaps = connected.flatMap((c) => c.call.gaps);
const timings: Record<string, Summary> = {
  'caller: agent frame inter-arrival gap (in segment)': summarize(callerGaps),
  'server: send gap (in segment, window)': probe.outbound.sendGapMs,
  'caller: response, speech end → first agent audio': summarize(turns.flatMap((t) => (t.responseMs === undefined ? [] : [t.responseMs]))),
  'caller: barge-in, speech onset → clear': summarize(bargeAttempts.flatMap((t) => (t.bargeInMs === undefined ? [] : [t.bargeInMs]))),
  'server log: barge-in latencyMs': summarize(logs.filter((l) => l.event === 'call.barge_in').map((l) => l.latencyMs as number)),
  'caller: greeting, connect → first audio': summarize(callers.flatMap((c) => (c.firstAudioMs === undefined ? [] : [c.firstAudioMs]))),
  'server: underrun length, model far end': probe.outbound.farEndUnderrunMs,
  ...Object.fromEntries(Object.entries(split).map(([k, v]) => [`server turn split: ${k}`, summarize(v)])),
  'API: all requests': api.latencyMs,
  'crawl: POST → job finished': summarize(crawlResults.flatMap((r) => (r.durationMs === undefined ? [] : [r.durationMs])), 0),
  'server: event-loop delay (window)': { n: 0, ...probe.eventLoopDelayMs },
  'server: VAD backlog (window)': probe.vadBacklogMs,
};
const otherThreads = Object.entries(threads).filter(([k]) => k !== 'main (JS)').sort((a, b) => b[1] - a[1]);
const resources = {
  windowS,
  serverCpuPctOfOneCore: pct(serverCpuS), serverMainThreadPct: pct(mainS), serverOtherThreadsPct: pct(serverCpuS - mainS),
  serverBusiestOtherThreads: otherThreads.slice(0, 4).map(([k, v]) => `${k} ${pct(v)}%`).join(', '),
  serverRssBaselineMiB: kibToMib(rssBefore.VmRSS), serverRssEndMiB: kibToMib(rssAtEnd.VmRSS), serverRssMaxMiB: kibToMib(rssMaxKiB), serverRssPeakEverMiB: kibToMib(rssAtEnd.VmHWM),
  serverHeapUsedMiB: mib(probe.memory.heapUsed), serverHeapUsedBaselineMiB: mib(before.memory.heapUsed), serverExternalMiB: mib(probe.memory.external),
  eventLoopDelayP99Ms: probe.eventLoopDelayMs.p99, eventLoopDelayMaxMs: probe.eventLoopDelayMs.max,
  vadMeanBatch: probe.vad.meanBatch, vadRunMsTotal: probe.vad.runMsTotal,
  simulatorCpuPctOfOneCore: pct(benchS),
  simulatorMaxTickLagMs: Math.round(Math.max(0, ...connected.map((c) => c.call.tickLag.maxMs))), // caller-side numbers are only as good as this
  simulatorLateTicks: connected.reduce((a, c) => a + c.call.tickLag.late, 0),
  otherProcessesCpuPct: pct(machineAfter.busy - machineBefore.busy - serverCpuS - benchS), // the noise floor: other work on the machine
  cores: os.cpus().length, loadAverage1m: Number(os.loadavg()[0]!.toFixed(2)),
};

const callErrorPct = N ? (100 * (callErrors + unanswered)) / (N + turns.length) : 0;
const gate: Row[] = [
  { check: 'frames dropped (lost in transit + received, never played; clears excepted)', value: droppedFrames, limit: 0, pass: droppedFrames === 0 && notQuiet === 0 },
  { check: 'call errors % (dial, no greeting, closed early, unanswered turns) of calls + turns', value: round(callErrorPct), limit: MAX_ERROR_PCT, pass: callErrorPct <= MAX_ERROR_PCT },
  { check: 'API errors % (status ≥ 400 or network) of requests', value: api.errorPct, limit: MAX_ERROR_PCT, pass: api.errorPct <= MAX_ERROR_PCT && api.skippedClientBacklog === 0 },
  { check: 'crawl jobs not succeeded (failed, refused, timed out)', value: crawlFailures.length, limit: 0, pass: crawlFailures.length === 0 },
];
const passed = gate.every((g) => g.pass);

// ---------------------------------------------------------------- output
const title = `Load: ${N} calls + ${api.achievedRps} API req/s (target ${RPS}) + ${CRAWLS} crawls, ${windowS.toFixed(0)} s window (server: ${server.mode}; callers share this machine's ${resources.cores} cores)`;
printTable(`${title}: calls and frames`, Object.entries(calls).map(([metric, value]) => ({ metric, value })));
printTable(`${title}: timings, ms`, Object.entries(timings).map(([metric, s]) => ({ metric, n: s.n || undefined, p50: s.p50, p95: s.p95, p99: s.p99, max: s.max })));
printTable('API by operation, ms', [
  ...Object.entries(api.ops).map(([op, s]) => ({ op, sent: s.sent, errors: s.errors, p50: s.latencyMs.p50, p95: s.latencyMs.p95, p99: s.latencyMs.p99, max: s.latencyMs.max, statuses: statusText(s.byStatus) })),
  { op: 'all', sent: api.sent, errors: api.errors, p50: api.latencyMs.p50, p95: api.latencyMs.p95, p99: api.latencyMs.p99, max: api.latencyMs.max, statuses: statusText(api.byStatus) },
]);
if (api.skippedClientBacklog) console.log(`  ${api.skippedClientBacklog} requests not sent: too many already waiting`);
for (const e of api.errorSamples.slice(0, 5)) console.log(`  error: ${e}`);
printTable('Crawl jobs (POST /api/agents/from-url on the local fixture sites)', crawlResults.map((r) => ({
  site: r.site, tenant: r.tenant + 1, 'start s': r.startedAtS, status: r.status, '202 ms': r.acceptedMs, 'done ms': r.durationMs, 'server ms': r.serverDurationMs, pages: r.pages, entries: r.entries, error: r.error?.slice(0, 80),
})));
printTable('Server resources over the window', Object.entries(resources).map(([metric, value]) => ({ metric, value })));
if (Object.keys(problemsByEvent).length) printTable('Server warnings and errors logged during the load', Object.entries(problemsByEvent).map(([event, count]) => ({ event, count })));
printTable(`Gate: ${passed ? 'PASS' : 'FAIL'}`, gate.map((g) => ({ ...g, pass: g.pass ? 'yes' : 'NO' })));
if (resources.otherProcessesCpuPct > 25) console.warn(`\nWARNING: other processes used ${resources.otherProcessesCpuPct} % of a core during the window; these numbers measure the neighbours too.`);

const durationS = Math.round((performance.now() - started) / 1000);
const file = writeBenchJson('load', {
  server: server.mode,
  note: 'callers, API clients and fixture sites run in one process on the same machine (same cores) as the server',
  config: { calls: N, seconds: WINDOW_MS / 1000, apiRps: RPS, crawls: CRAWLS, tenants: TENANTS, rampS: RAMP_MS / 1000, bargeProb: BARGE_PROB, thinkMs: [THINK_MIN, THINK_MAX], maxErrorPct: MAX_ERROR_PCT },
  passed, gate, calls, timings, api, crawls: crawlResults, resources, serverThreadsCpuS: threads, serverProblems: problemsByEvent,
  perCall: callers.map((c) => ({
    index: c.index, tenant: c.tenant, dialedAtS: c.dialedAtS, callId: c.call?.parameters.callId, error: c.error, closedEarly: c.call ? closedEarlyIndex.has(c.index) : undefined,
    firstAudioMs: round(c.firstAudioMs), turns: c.turns.length, unanswered: c.turns.filter((t) => t.responseMs === undefined).length,
    responseMs: c.turns.map((t) => round(t.responseMs)), bargeInMs: c.turns.filter((t) => t.overAgent).map((t) => round(t.bargeInMs)),
    ...perCallByIndex.get(c.index),
  })),
  phasesS: { setup: setupS, window: WINDOW_MS / 1000, drain: drainS },
  durationS,
});
console.log(`\ntook ${durationS} s (setup ${setupS} s, window ${WINDOW_MS / 1000} s, drain ${drainS} s); wrote ${file}`);
process.exit(passed ? 0 : 1);

// ---------------------------------------------------------------- helpers
/** VmRSS and VmHWM (peak) of a process, KiB (Linux /proc; empty elsewhere). */
function procStatusKiB(pid: number): { VmRSS?: number; VmHWM?: number } {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1]) || undefined;
    return { VmRSS: field('VmRSS'), VmHWM: field('VmHWM') };
  } catch {
    return {};
  }
}
function kibToMib(kib: number | undefined): number | undefined {
  return kib === undefined ? undefined : Number((kib / 1024).toFixed(1));
}
function mib(bytes: number): number {
  return Number((bytes / 2 ** 20).toFixed(1));
}
function round(v: number | undefined): number | undefined {
  return v === undefined ? undefined : Math.round(v * 10) / 10;
}
function statusText(byStatus: Record<string, number>): string {
  return Object.entries(byStatus).sort().map(([k, v]) => `${k}×${v}`).join(' ');
}

