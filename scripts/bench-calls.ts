/**
 * Call benchmarks against the real server (DESIGN.md "Performance targets"), all on 127.0.0.1:
 *   a. barge-in: caller speech onset → clear, in stream time; bursts and "uh-huh"s must not take the turn
 *   b. response latency split: endpointing, STT, LLM first token, TTS first audio, server overhead
 *   c. scale: N concurrent calls, VAD on every call, outbound pacing, underruns, CPU and RSS per call
 * Run: npx tsx scripts/bench-calls.ts [--calls 100] [--seconds 20] [--parts barge,response,scale]
 *      [--in-process] [--cpu-prof]. Prints tables, writes data/bench/bench-calls.json.
 * The server runs as a child process by default so that the simulated callers (this process) do
 * not share its event loop; both still share the machine's cores, which the output says.
 */
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { diffCpu, machineCpuSeconds, startBenchServer, threadCpuSeconds } from './lib/bench-server.js';
import { printTable, writeBenchJson, type Row } from './lib/bench-report.js';
import { jfkAt8k, JFK_SPEECH_ONSET_MS, slice, speechBounds } from './lib/caller-audio.js';
import { hotFunctions, busiestCpuProfile } from './lib/cpu-profile.js';
import { callOptions, createAgentWithNumber, createTenant, startTelephonyDoubles } from './lib/local-telephony.js';
import { SimulatedCall } from './lib/simulated-call.js';
import { summarize, type Summary } from './lib/stats.js';

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '20' },
    'ramp-ms': { type: 'string', default: '30' },
    'barge-trials': { type: 'string', default: '10' },
    'false-trials': { type: 'string', default: '5' },
    turns: { type: 'string', default: '8' },
    parts: { type: 'string', default: 'barge,response,scale' },
    'in-process': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const parts = new Set(args.parts.split(','));
const started = performance.now();

// Near the API's 500-character limit (~27 s of speech): keeps every call's agent talking through the ramp and the window.
const LONG_GREETING =
  'Thanks for calling Flowmaster Plumbing. We fix leaks, clogs and water heaters across the whole county, day and night. ' +
  'Our team is licensed, insured and friendly, and every job comes with a written quote before we start. ' +
  'If water is coming through a ceiling or a wall, please turn off the main valve first; it is usually near the meter. ' +
  'For emergencies we can usually be at your door within two hours, and we book visits from seven until seven. ' +
  'How can I help you today?';
const LONG = '+14155550100';
const SHORT = '+14155550101';

const doubles = await startTelephonyDoubles();
const profDir = fileURLToPath(new URL('../data/bench/prof/', import.meta.url));
if (args['cpu-prof']) (rmSync(profDir, { recursive: true, force: true }), mkdirSync(profDir, { recursive: true }));
const server = await startBenchServer(doubles.env, { mode: args['in-process'] ? 'in-process' : 'child', cpuProfDir: args['cpu-prof'] ? profDir : undefined });
const tenant = await createTenant(server.url, server.adminKey);
await createAgentWithNumber(tenant, LONG, { greeting: LONG_GREETING });
await createAgentWithNumber(tenant, SHORT, { greeting: 'Thanks for calling Flowmaster Plumbing. How can I help?' });
const dial = (to: string) => SimulatedCall.dial(callOptions(server.url, to));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jfk = jfkAt8k();
const report: Record<string, unknown> = { server: server.mode, note: 'callers are simulated on the same machine (same cores) as the server' };
const tables: [string, Row[]][] = [];

/** Polls the server's JSON log for this call's event (child stdout arrives asynchronously). */
async function logOf(call: SimulatedCall, event: string, timeoutMs = 1500): Promise<Record<string, unknown> | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const line = server.logs.find((l) => l.event === event && l.callId === call.parameters.callId);
    if (line || performance.now() > deadline) return line;
    await sleep(20);
  }
}
const turnsOf = async (call: SimulatedCall) => (await tenant.get(`/api/calls/${call.parameters.callId}`)).body.turns as { speaker: string; interrupted: boolean; latency: Record<string, number | null> }[];
const clearAfter = (call: SimulatedCall, ms: number) => call.log.find((e) => e.type === 'clear' && e.atMs > ms);
/** Agent quiet: nothing buffered, and no new audio or mark for `forMs`. */
const quiet = (call: SimulatedCall, forMs = 700) => call.waitFor(() => !call.agentAudible && call.now() - (call.log.at(-1)?.atMs ?? 0) > forMs, 20_000);
const hangUp = async (call: SimulatedCall) => (call.hangUp(), await call.closed);

// Synthesize the long greeting once (it is cached for every later call), and let V8 warm up.
{
  const warm = await dial(LONG);
  await warm.waitFor(() => warm.played.length >= 150, 20_000);
  await hangUp(warm);
}

if (parts.has('barge')) {
  const clientMs: number[] = [];
  const serverMs: number[] = [];
  const trials: Row[] = [];
  doubles.stt.respond = () => 'and so my fellow americans';
  for (let i = 0; i < Number(args['barge-trials']); i++) {
    const call = await dial(LONG);
    const offsetMs = 800 + ((i * 379) % 2400); // vary where in the greeting, and the 20/32 ms frame/window phase
    await call.waitFor(() => call.played.length * 20 >= offsetMs, 15_000);
    void call.say(slice(jfk, JFK_SPEECH_ONSET_MS - 100, 2400));
    const onset = call.said.at(-1)!.startMs + 100;
    await call.waitFor(() => clearAfter(call, onset - 100) !== undefined, 5000).catch(() => {});
    const clear = clearAfter(call, onset - 100);
    const line = await logOf(call, 'call.barge_in');
    if (clear) clientMs.push(clear.atMs - onset);
    if (line) serverMs.push(line.latencyMs as number);
    trials.push({ trial: i + 1, offsetMs, clientMs: clear && Math.round(clear.atMs - onset), serverMs: line?.latencyMs as number | undefined });
    await hangUp(call);
  }
  const falseStarts: Row[] = [];
  for (const kind of ['burst 300 ms', 'uh-huh 700 ms'] as const) {
    doubles.stt.respond = () => (kind.startsWith('uh') ? 'Uh-huh.' : 'and so my fellow americans');
    const row = { kind, trials: 0, cleared: 0, resumed: 0, tookTurn: 0, neither: 0 };
    const silentMs: number[] = [];
    for (let i = 0; i < Number(args['false-trials']); i++) {
      row.trials++;
      const call = await dial(LONG);
      await call.waitFor(() => call.played.length * 20 >= 800 + i * 311, 15_000);
      const from = JFK_SPEECH_ONSET_MS;
      void call.say(slice(jfk, from, from + (kind.startsWith('uh') ? 700 : 300)));
      const start = call.said.at(-1)!.startMs;
      await call.waitFor(() => clearAfter(call, start) !== undefined, 5000).catch(() => {});
      const clear = clearAfter(call, start);
      if (clear) row.cleared++;
      let outcome: 'resumed' | 'tookTurn' | 'neither' = 'neither';
      for (const deadline = performance.now() + 6000; outcome === 'neither' && performance.now() < deadline; await sleep(100)) {
        if (await logOf(call, 'call.false_barge_in', 0)) outcome = 'resumed';
        else if ((await turnsOf(call)).some((t) => t.speaker === 'caller')) outcome = 'tookTurn';
      }
      row[outcome]++;
      if (clear && outcome === 'resumed') {
        await call.waitFor(() => call.log.some((e) => e.type === 'audio-start' && e.atMs > clear.atMs), 3000).catch(() => {});
        const back = call.log.find((e) => e.type === 'audio-start' && e.atMs > clear.atMs);
        if (back) silentMs.push(back.atMs - clear.atMs);
      }
      await hangUp(call);
    }
    falseStarts.push({ ...row, silentP50Ms: summarize(silentMs, 0).p50, silentMaxMs: summarize(silentMs, 0).max });
  }
  const bargeRows = [summaryRow('onset → clear, caller side (ms)', clientMs), summaryRow('onset → clear, server log latencyMs', serverMs)];
  tables.push(['a. Barge-in (1 call at a time, jfk.wav over a long greeting)', bargeRows], ['a. False starts: must resume, never take the turn', falseStarts]);
  report.bargeIn = { clientMs: summarize(clientMs), serverMs: summarize(serverMs), trials, falseStarts };
}

if (parts.has('response')) {
  doubles.stt.respond = () => 'what are your opening hours';
  const clip = slice(jfk, JFK_SPEECH_ONSET_MS - 100, 2400);
  const speechEnd = speechBounds(clip)!.endMs;
  const callerSide: number[] = [];
  const call = await dial(SHORT);
  // Speak only once the agent's turn is over and recorded (a gap inside a slow answer is not the end).
  const agentDone = async (turns: number) => {
    for (const deadline = performance.now() + 20_000; performance.now() < deadline; await sleep(100)) {
      const all = await turnsOf(call);
      if (all.length >= turns && all.at(-1)!.speaker === 'agent') return quiet(call, 300);
    }
    throw new Error('the agent did not finish its turn');
  };
  await agentDone(1);
  for (let t = 0; t < Number(args.turns); t++) {
    await call.say(clip);
    const end = call.said.at(-1)!.startMs + speechEnd;
    await call.waitFor(() => call.log.some((e) => e.type === 'audio-start' && e.atMs > end), 15_000);
    callerSide.push(call.log.find((e) => e.type === 'audio-start' && e.atMs > end)!.atMs - end);
    await agentDone(3 + 2 * t);
  }
  const turns = (await turnsOf(call)).filter((x) => x.speaker === 'agent' && x.latency.responseMs != null);
  await hangUp(call);
  const pick = (k: string) => turns.map((x) => x.latency[k]!).filter((v) => v != null);
  const overhead = turns.map((x) => x.latency.responseMs! - x.latency.endpointingMs! - x.latency.sttMs! - x.latency.llmFirstTokenMs! - x.latency.ttsFirstAudioMs!);
  const split: Record<string, number[]> = {
    endpointingMs: pick('endpointingMs'), sttMs: pick('sttMs'), llmFirstTokenMs: pick('llmFirstTokenMs'), ttsFirstAudioMs: pick('ttsFirstAudioMs'),
    'overheadMs (server)': overhead, responseMs: pick('responseMs'), 'caller side: speech end → audio': callerSide,
  };
  tables.push(['b. Response latency split (STT double answers at once; offline answerer; espeak-ng TTS), ms', Object.entries(split).map(([k, v]) => summaryRow(k, v))]);
  report.response = Object.fromEntries(Object.entries(split).map(([k, v]) => [k, summarize(v)]));
}

if (parts.has('scale')) {
  const n = Number(args.calls);
  const windowMs = Number(args.seconds) * 1000;
  doubles.stt.respond = () => 'Uh-huh.'; // every call barges in once with a backchannel: VAD, clear, STT, resume
  const before = await server.probeReset();
  const calls: SimulatedCall[] = [];
  const failures: string[] = [];
  await Promise.all(Array.from({ length: n }, async (_, i) => {
    await sleep(i * Number(args['ramp-ms']));
    try {
      calls.push(await dial(LONG));
    } catch (error) {
      failures.push(String(error));
    }
  }));
  await Promise.all(calls.map((c) => c.waitFor(() => c.count('audio-start') >= 1, 30_000).catch(() => {})));
  await sleep(1000);
  const counters = (c: SimulatedCall) => ({ arrivals: c.arrivals.length, gaps: c.gaps.length, underruns: c.underruns, played: c.played.length, cleared: c.cleared });
  const mark = calls.map(counters);
  const logsFrom = server.logs.length;
  await server.probeReset();
  const threadsBefore = threadCpuSeconds(server.pid);
  const benchCpu = process.cpuUsage();
  const machineBefore = machineCpuSeconds();
  const uhhuh = slice(jfk, JFK_SPEECH_ONSET_MS, JFK_SPEECH_ONSET_MS + 700);
  const timers = calls.map((c) => setTimeout(() => void c.say(uhhuh), 1000 + Math.random() * (windowMs - 6000)));
  await sleep(windowMs);
  // Close the window everywhere before any bulky work: summarizing ~100k samples stalls the
  // process that does it for tens of ms, which would otherwise show up as underruns at its end.
  const ended = calls.map(counters);
  const threads = diffCpu(threadCpuSeconds(server.pid), threadsBefore);
  const bench = process.cpuUsage(benchCpu);
  const machineAfter = machineCpuSeconds();
  const probe = await server.probe();
  timers.forEach(clearTimeout);
  const delta = ended.map((now, i) => Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - mark[i]![k as keyof typeof now]])) as typeof now);
  const sum = (k: keyof (typeof delta)[number]) => delta.reduce((a, x) => a + x[k], 0);
  const gaps = calls.flatMap((c, i) => c.gaps.slice(mark[i]!.gaps, ended[i]!.gaps));
  const logs = server.logs.slice(logsFrom);
  const bargeIns = logs.filter((l) => l.event === 'call.barge_in').map((l) => l.latencyMs as number);
  const uhOnset = speechBounds(uhhuh)!.onsetMs;
  const callerBargeIns = calls.flatMap((c) => {
    const u = c.said.at(-1);
    const clear = u && clearAfter(c, u.startMs);
    return clear ? [clear.atMs - (u.startMs + uhOnset)] : [];
  });
  const firstAudio = calls.flatMap((c) => c.log.filter((e) => e.type === 'audio-start').slice(0, 1).map((e) => e.atMs));
  const closedEarly = calls.filter((c) => c.closeCode !== undefined).length;
  await Promise.all(calls.map(hangUp));
  const windowS = probe.windowMs / 1000;
  const pct = (cpuS: number) => Number(((100 * cpuS) / windowS).toFixed(1)); // % of one core
  const serverCpuS = (probe.cpuMs.user + probe.cpuMs.system) / 1000;
  const mainS = threads['main (JS)'] ?? 0;
  const scale = {
    calls: calls.length, dialFailures: failures.length, closedEarly, windowS,
    callerUnderruns: sum('underruns'), callsWithCallerUnderruns: delta.filter((x) => x.underruns > 0).length, serverSideUnderruns: probe.outbound.farEndUnderrunMs.n,
    framesServerSent: probe.outbound.framesSent, framesCallerReceived: sum('arrivals'), framesPlayed: sum('played'), framesClearedByBargeIn: sum('cleared'),
    bargeIns: bargeIns.length, resumedAfterBackchannel: logs.filter((l) => l.event === 'call.false_barge_in').length,
    serverCpuPctOfOneCore: pct(serverCpuS), serverMainThreadPct: pct(mainS), serverOtherThreadsPct: pct(serverCpuS - mainS),
    serverCpuMsPerCallSecond: Number(((1000 * serverCpuS) / calls.length / windowS).toFixed(2)),
    simulatorCpuPctOfOneCore: pct((bench.user + bench.system) / 1e6),
    simulatorMaxTickLagMs: Math.round(Math.max(...calls.map((c) => c.tickLag.maxMs))), // caller-side numbers are only as good as this
    simulatorLateTicks: calls.reduce((a, c) => a + c.tickLag.late, 0),
    // Everything else on the machine in the window (other processes, kernel): the noise floor.
    otherProcessesCpuPct: pct(machineAfter.busy - machineBefore.busy - serverCpuS - (bench.user + bench.system) / 1e6),
    loadAverage1m: Number(os.loadavg()[0]!.toFixed(2)),
    rssBaselineMiB: mib(before.memory.rss), rssMiB: mib(probe.memory.rss), rssPerCallMiB: Number(((probe.memory.rss - before.memory.rss) / 2 ** 20 / calls.length).toFixed(2)), heapUsedMiB: mib(probe.memory.heapUsed),
    vadWindows: probe.vad.windows, vadRuns: probe.vad.runs, vadMeanBatch: probe.vad.meanBatch, vadMaxBatchEver: probe.vad.maxBatchEver, vadRunMsTotal: probe.vad.runMsTotal,
    playbackUnderruns: probe.outbound.playbackUnderruns,
    callerGapMs: summarize(gaps), serverSendGapMs: probe.outbound.sendGapMs, bargeInServerMs: summarize(bargeIns), bargeInCallerMs: summarize(callerBargeIns), firstAudioMs: summarize(firstAudio), vadRunMs: probe.vad.runMs, vadBacklogMs: probe.vadBacklogMs, eventLoopDelayMs: probe.eventLoopDelayMs,
  };
  const title = `c. Scale: ${calls.length} concurrent calls for ${windowS.toFixed(0)} s (server: ${server.mode}; the simulated callers share this machine's cores)`;
  tables.push([`${title}: timings, ms`, [
    summaryRow('agent frame inter-arrival gap at caller (in segment)', gaps), { metric: 'server send gap (in segment)', ...pick(probe.outbound.sendGapMs) },
    { metric: 'underrun length, server-side model far end', ...pick(probe.outbound.farEndUnderrunMs) },
    summaryRow('barge-in onset → clear (server log)', bargeIns), summaryRow('barge-in onset → clear (caller side)', callerBargeIns),
    summaryRow('time to first greeting audio (during the ramp)', firstAudio), { metric: 'VAD run (batch, wall)', ...pick(probe.vad.runMs) },
    { metric: 'VAD backlog (newest frame − newest window seen)', ...pick(probe.vadBacklogMs) }, { metric: 'server event-loop delay', ...probe.eventLoopDelayMs },
  ]]);
  tables.push([`${title}: counts and resources`, Object.entries(scale).filter(([, v]) => typeof v !== 'object').map(([metric, value]) => ({ metric, value: value as number }))]);
  report.scale = scale;
  if (scale.otherProcessesCpuPct > 25) console.warn(`\nWARNING: other processes used ${scale.otherProcessesCpuPct} % of a core during the scale window; its numbers measure the neighbours too.`);
}

await server.stop();
await doubles.stop();
if (args['cpu-prof']) {
  const file = busiestCpuProfile(profDir);
  if (file) {
    const hot = hotFunctions(file, 20);
    tables.push([`Server CPU profile (${file}): busy ${(100 - hot.idlePct).toFixed(1)} % of ${hot.totalMs} ms, top self time`, hot.functions]);
    report.cpuProfile = { file, ...hot };
  }
}
for (const [title, rows] of tables) printTable(title, rows);
report.durationS = Math.round((performance.now() - started) / 1000);
console.log(`\ntook ${report.durationS} s; wrote ${writeBenchJson('bench-calls', report)}`);

function summaryRow(metric: string, values: number[]): Row {
  const s: Summary = summarize(values, 1);
  return { metric, n: s.n, p50: s.p50, p95: s.p95, p99: s.p99, max: s.max };
}
function pick(s: Summary): Row {
  return { n: s.n, p50: s.p50, p95: s.p95, p99: s.p99, max: s.max };
}
function mib(bytes: number): number {
  return Number((bytes / 2 ** 20).toFixed(1));
}
