/**
 * Speech engine benchmark, per engine present on this machine:
 *   - load time (worker start, model load and the engine's own warm-up) and RSS after load;
 *   - speech-to-text latency and real-time factor for 1, 3 and 8 s utterances cut from jfk.wav;
 *   - text-to-speech time to first audio and real-time factor for a short and a long sentence;
 *   - STT capacity: the most concurrent calls one Whisper serves with p95 queue wait ≤ 300 ms,
 *     each call saying one 2–3 s utterance about every 6 s (a typical turn cadence).
 *
 * Run: npx tsx scripts/bench-speech.ts [--models-dir DIR] [--tiny] [--reps N]
 *        [--capacity-budget 120] [--trial-seconds 20] [--cadence 6] [--threshold-ms 300] [--seed 1]
 * Prints tables, writes data/bench/bench-speech.json.
 *
 * Engines: real Whisper base.en / tiny.en and real Kokoro when their files are in the models dir
 * (`--models-dir`, else MODELS_DIR, else `${DATA_DIR:-data}/models` under the repo root; `npm run
 * models` fetches them). With `--tiny`, or for an engine whose real weights are absent, the tiny
 * generated models (scripts/generate-tiny-models.ts) are written to a temp dir and measured
 * instead: they run the real transformers.js / kokoro-js code with graphs of a handful of ops, so
 * their rows are plumbing cost only (worker, queue, feature extraction, generation loop,
 * tokenizer, phonemizer), never real inference. espeak-ng (embedded WASM) is always measured;
 * ElevenLabs runs against the local double in tests/doubles/elevenlabs-server.ts, so its row is
 * the client and protocol cost only, not the service's.
 *
 * Memory: RSS is the whole process's, and the engines' worker threads live in this process, so
 * "RSS Δ" is what loading one engine added (after a GC), measured with that engine alone loaded.
 * Capacity: STT alone on the machine; in a real call VAD, TTS and the LLM client share the cores,
 * so it is an upper bound. The search starts near the load the measured latency predicts, doubles
 * or halves to a bracket, then bisects, within --capacity-budget seconds (shared by the STT
 * engines); a trial stops early once its p95 can no longer pass.
 */
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { projectRoot } from '../src/paths.js';
import { decodeWav } from '../src/voice/audio/wav.js';
import { ElevenLabsTts } from '../src/voice/engines/elevenlabs-tts.js';
import { EspeakTts } from '../src/voice/engines/espeak-tts.js';
import { KOKORO_REPO, KokoroTts } from '../src/voice/engines/kokoro-tts.js';
import type { TextToSpeech } from '../src/voice/engines/text-to-speech.js';
import { WhisperSpeechToText } from '../src/voice/engines/whisper-stt.js';
import { kokoroEntry, modelStatus, WHISPER_SIZES, whisperEntry, type WhisperSize } from '../src/voice/models/model-catalog.js';
import { startElevenLabsServer } from '../tests/doubles/elevenlabs-server.js';
import { generateTinyModels, WHISPER_REPO as TINY_WHISPER_REPO } from './generate-tiny-models.js';
import { printTable, writeBenchJson, type Row } from './lib/bench-report.js';
import { summarize } from './lib/stats.js';

const usage =
  'usage: npx tsx scripts/bench-speech.ts [--models-dir DIR] [--tiny] [--reps N] [--capacity-budget S] [--trial-seconds S] [--cadence S] [--threshold-ms MS] [--seed N]';
const { values: args } = parseArgs({
  options: {
    'models-dir': { type: 'string' },
    tiny: { type: 'boolean', default: false },
    reps: { type: 'string' },
    'capacity-budget': { type: 'string', default: '120' },
    'trial-seconds': { type: 'string', default: '20' },
    cadence: { type: 'string', default: '6' },
    'threshold-ms': { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(usage);
  process.exit(0);
}
const number = (name: keyof typeof args, min: number): number => {
  const v = Number(args[name]);
  if (!Number.isFinite(v) || v < min) throw new Error(`--${name} must be a number ≥ ${min}\n${usage}`);
  return v;
};
const capacityBudgetMs = number('capacity-budget', 0) * 1000;
const trialMs = number('trial-seconds', 1) * 1000;
const cadenceMs = number('cadence', 0.5) * 1000;
const thresholdMs = number('threshold-ms', 1);
const seed = number('seed', 0);

const runStarted = performance.now();
const cpuAtStart = { machine: machineCpuSeconds(), own: process.cpuUsage() };

// ---------------------------------------------------------------------------------------------
// What there is to measure.

type Weights = 'real' | 'tiny' | 'embedded' | 'double';
const WEIGHTS_LABEL: Record<Weights, string> = {
  real: 'real weights (q8)',
  tiny: 'tiny generated model — plumbing cost only, not real inference',
  embedded: 'embedded espeak-ng (WASM), always present',
  double: 'local ElevenLabs double (tests/doubles) — client and protocol cost only, not the service',
};

const modelsDir = resolve(args['models-dir'] ?? process.env.MODELS_DIR ?? resolve(projectRoot, process.env.DATA_DIR ?? 'data', 'models'));
const whisperStatus = WHISPER_SIZES.map((size) => ({ size, status: modelStatus(modelsDir, whisperEntry(size)) }));
const kokoroStatus = modelStatus(modelsDir, kokoroEntry());
const realWhisper: WhisperSize[] = args.tiny ? [] : whisperStatus.filter((w) => w.status.ready).map((w) => w.size);
const realKokoro = !args.tiny && kokoroStatus.ready;
const needTiny = realWhisper.length === 0 || !realKokoro;
const reps = args.reps !== undefined ? Math.max(1, Math.round(number('reps', 1))) : realWhisper.length > 0 || realKokoro ? 3 : 5;

console.log(`models dir: ${modelsDir}${args.tiny ? ' (ignored: --tiny)' : ''}`);
for (const s of [...whisperStatus.map((w) => w.status), kokoroStatus]) {
  console.log(`  ${s.name.padEnd(16)} ${s.ready ? 'present' : `absent (missing ${s.missing.length} of ${s.missing.length + s.present.length} files)`}`);
}
let tinyDir: string | undefined;
if (needTiny) {
  tinyDir = await mkdtemp(join(os.tmpdir(), 'bench-speech-'));
  const dir = tinyDir;
  process.once('exit', () => rmSync(dir, { recursive: true, force: true })); // also after a failure
  await generateTinyModels(tinyDir);
  console.log(`\nNOTE: rows marked "tiny" use a ${WEIGHTS_LABEL.tiny} (generated in ${tinyDir}).`);
}
console.log(`${reps} measured runs per case (median reported), after one unmeasured warm-up run.`);

// ---------------------------------------------------------------------------------------------
// Audio, memory and timing helpers.

const jfk = decodeWav(readFileSync(resolve(projectRoot, '../shared/fixtures/audio/jfk.wav')));
if (jfk.sampleRate !== 16_000) throw new Error(`jfk.wav is ${jfk.sampleRate} Hz, expected 16 kHz`);
/** jfk.wav: speech starts at about 0.35 s ("And so my fellow Americans…"). */
const JFK_ONSET_S = 0.35;

/** `seconds` of jfk.wav from `fromS`, looping over the file when it runs out (16 kHz PCM16). */
function jfkCut(fromS: number, seconds: number): Int16Array {
  const n = Math.round(seconds * 16_000);
  const out = new Int16Array(n);
  let at = Math.round(fromS * 16_000) % jfk.samples.length;
  for (let i = 0; i < n; ) {
    const take = Math.min(n - i, jfk.samples.length - at);
    out.set(jfk.samples.subarray(at, at + take), i);
    i += take;
    at = 0;
  }
  return out;
}

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
async function rssMiB(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(50);
  }
  return process.memoryUsage().rss / 2 ** 20;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}

/** Deterministic PRNG (mulberry32), so capacity trials are the same from run to run. */
function prng(seedValue: number): () => number {
  let a = seedValue >>> 0 || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const median = (xs: readonly number[]) => summarize(xs, 1).p50 ?? NaN;
const never = () => new AbortController().signal;

/** Whole-machine CPU seconds (Linux /proc/stat): what other processes took shows up next to ours. */
function machineCpuSeconds(): { busy: number; total: number } {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const v = fields.map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: (total - idle) / 100, total: total / 100 };
  } catch {
    return { busy: 0, total: 0 };
  }
}

// ---------------------------------------------------------------------------------------------
// Results.

interface LoadResult {
  engine: string;
  kind: 'stt' | 'tts';
  weights: Weights;
  label: string;
  modelsDir?: string;
  loadMs?: number;
  rssBeforeMiB?: number;
  rssDeltaMiB?: number;
  error?: string;
}
interface SttResult {
  engine: string;
  weights: Weights;
  utteranceS: number;
  latencyMs: ReturnType<typeof summarize>;
  rtf: number;
  text: string;
}
interface TtsResult {
  engine: string;
  weights: Weights;
  sentence: 'short' | 'long';
  chars: number;
  firstAudioMs: ReturnType<typeof summarize>;
  totalMs: ReturnType<typeof summarize>;
  audioS: number;
  chunks: number;
  rtf: number;
}
interface Trial {
  calls: number;
  /** Planned for the window; `submitted` of them were before the trial ended (all, unless it stopped early). */
  utterances: number;
  submitted: number;
  /** Over the submitted utterances (a stopped trial's missing ones would only have waited longer). */
  waitMs: ReturnType<typeof summarize>;
  /** Submitted to done, for the utterances that finished within the trial. */
  sttLatencyMs: ReturnType<typeof summarize>;
  overThreshold: number;
  /** Still waiting when the trial ended: counted with the wait they had so far (a lower bound). */
  censored: number;
  stoppedEarly: boolean;
  passed: boolean;
  durationS: number;
}
interface CapacityResult {
  engine: string;
  weights: Weights;
  serviceMsFor3s: number;
  startCalls: number;
  /** Largest K that passed (0: not even one call), and the smallest that failed (null: none failed). */
  maxCalls: number | null;
  firstFailingCalls: number | null;
  exact: boolean;
  searchS: number;
  trials: Trial[];
}

const loads: LoadResult[] = [];
const stt: SttResult[] = [];
const tts: TtsResult[] = [];
const capacity: CapacityResult[] = [];

// ---------------------------------------------------------------------------------------------
// Speech-to-text.

const UTTERANCES_S = [1, 3, 8];
const sttSpecs: { weights: Weights; dir: string; repo: string }[] = [
  ...realWhisper.map((size) => ({ weights: 'real' as const, dir: modelsDir, repo: whisperEntry(size).repo })),
  ...(realWhisper.length === 0 ? [{ weights: 'tiny' as const, dir: tinyDir!, repo: TINY_WHISPER_REPO }] : []),
];

for (const spec of sttSpecs) {
  const observer: { waited?: (seconds: number) => void } = {};
  const rssBefore = await rssMiB();
  const started = performance.now();
  const whisper = new WhisperSpeechToText({
    modelsDir: spec.dir,
    repo: spec.repo,
    maxWaiting: 100_000, // the capacity search measures waiting, so nothing is refused here
    observer: { waited: (s) => observer.waited?.(s) },
  });
  const load: LoadResult = { engine: whisper.name, kind: 'stt', weights: spec.weights, label: WEIGHTS_LABEL[spec.weights], modelsDir: spec.dir };
  loads.push(load);
  try {
    await whisper.load();
    load.loadMs = performance.now() - started;
    load.rssBeforeMiB = rssBefore;
    load.rssDeltaMiB = (await rssMiB()) - rssBefore;
    console.log(`\n${whisper.name} [${spec.weights}] loaded in ${Math.round(load.loadMs)} ms`);

    await whisper.transcribe(jfkCut(JFK_ONSET_S, 3), { signal: never() }); // warm-up with speech
    for (const seconds of UTTERANCES_S) {
      const audio = jfkCut(JFK_ONSET_S, seconds);
      const latencies: number[] = [];
      let text = '';
      for (let r = 0; r < reps; r++) {
        const t0 = performance.now();
        ({ text } = await whisper.transcribe(audio, { signal: never() }));
        latencies.push(performance.now() - t0);
      }
      const latencyMs = summarize(latencies, 1);
      stt.push({ engine: whisper.name, weights: spec.weights, utteranceS: seconds, latencyMs, rtf: median(latencies) / 1000 / seconds, text });
    }

    const budget = capacityBudgetMs / sttSpecs.length;
    if (budget > 0) {
      const serviceMs = stt.find((r) => r.engine === whisper.name && r.utteranceS === 3)!.latencyMs.p50!;
      capacity.push(await capacitySearch(whisper, observer, spec.weights, serviceMs, budget));
    }
  } catch (error) {
    load.error = error instanceof Error ? error.message : String(error);
    console.error(`${whisper.name}: ${load.error}`);
  } finally {
    await whisper.close();
  }
}

/**
 * K simulated calls for `trialMs`: each call's utterances (2–3 s of jfk.wav) end at a random phase
 * of the cadence, then every cadence ± 20 %; each is submitted as the VAD would, when it ends.
 * Returns the queue waits (from the engine's own observer: the queue is first-come, first-served
 * with one running, so the n-th report is the n-th submission's).
 */
async function trial(whisper: WhisperSpeechToText, observer: { waited?: (s: number) => void }, calls: number): Promise<Trial> {
  const rng = prng(seed * 1_000_003 + calls);
  const events: { atMs: number; seconds: number; fromS: number }[] = [];
  for (let c = 0; c < calls; c++) {
    for (let at = rng() * cadenceMs; at < trialMs; at += cadenceMs * (0.8 + 0.4 * rng())) {
      events.push({ atMs: at, seconds: 2 + rng(), fromS: rng() * 8 });
    }
  }
  events.sort((a, b) => a.atMs - b.atMs);
  const subs: { submittedAt: number; waitMs?: number; doneAt?: number; controller: AbortController; done: Promise<unknown> }[] = [];
  let startedCount = 0;
  observer.waited = (s) => {
    const sub = subs[startedCount++];
    if (sub) sub.waitMs = s * 1000;
  };
  // p95 (nearest rank) > threshold as soon as more than 5 % of all the trial's utterances waited longer.
  const failLimit = Math.floor(0.05 * events.length);
  const overNow = (now: number) => subs.filter((s) => (s.waitMs ?? now - s.submittedAt) > thresholdMs).length;
  let stoppedEarly = false;
  const t0 = performance.now();
  for (const event of events) {
    while (performance.now() - t0 < event.atMs) {
      await sleep(Math.min(100, event.atMs - (performance.now() - t0)));
      if (overNow(performance.now()) > failLimit) stoppedEarly = true;
      if (stoppedEarly) break;
    }
    if (stoppedEarly) break;
    const controller = new AbortController();
    const sub = { submittedAt: performance.now(), controller, done: Promise.resolve() as Promise<unknown> };
    subs.push(sub);
    sub.done = whisper.transcribe(jfkCut(event.fromS, event.seconds), { signal: controller.signal }).then(
      () => void Object.assign(sub, { doneAt: performance.now() }),
      () => undefined,
    );
  }
  // Drain: everything still waiting after the grace has waited over the threshold, so stopping
  // then cannot turn a failing trial into a passing one.
  const graceEnd = performance.now() + Math.max(1000, 3 * thresholdMs);
  while (!stoppedEarly && performance.now() < graceEnd && subs.some((s) => s.waitMs === undefined)) {
    await sleep(25);
    if (overNow(performance.now()) > failLimit) stoppedEarly = true;
  }
  const end = performance.now();
  let censored = 0;
  const waits = subs.map((s) => {
    if (s.waitMs !== undefined) return s.waitMs;
    censored++;
    s.controller.abort(new Error('trial over')); // leaves the queue without reaching the worker
    return end - s.submittedAt;
  });
  observer.waited = undefined;
  await Promise.all(subs.map((s) => s.done)); // the running one finishes: the next trial starts idle
  const latencies = subs.filter((s) => s.doneAt !== undefined).map((s) => s.doneAt! - s.submittedAt);
  const waitMs = summarize(waits, 1);
  const overThreshold = waits.filter((w) => w > thresholdMs).length;
  return {
    calls,
    utterances: events.length,
    submitted: subs.length,
    waitMs,
    sttLatencyMs: summarize(latencies, 1),
    overThreshold,
    censored,
    stoppedEarly,
    passed: !stoppedEarly && (waitMs.p95 ?? 0) <= thresholdMs,
    durationS: (performance.now() - t0) / 1000,
  };
}

/** Largest K with p95 wait ≤ threshold: start near the predicted load, double/halve to a bracket, bisect. */
async function capacitySearch(
  whisper: WhisperSpeechToText,
  observer: { waited?: (s: number) => void },
  weights: Weights,
  serviceMs: number,
  budgetMs: number,
): Promise<CapacityResult> {
  const started = performance.now();
  const trials: Trial[] = [];
  // Room for one more full trial: its window, the drain grace and one running utterance.
  const canRun = () => performance.now() - started + trialMs + Math.max(1000, 3 * thresholdMs) + 3 * serviceMs <= budgetMs;
  const run = async (calls: number) => {
    const t = await trial(whisper, observer, calls);
    trials.push(t);
    console.log(
      `  capacity ${String(calls).padStart(4)} calls: ${t.passed ? 'pass' : 'fail'}, p95 wait ${t.waitMs.p95 ?? '–'} ms over ${t.submitted} utterances` +
        (t.stoppedEarly ? ` (stopped at ${t.durationS.toFixed(1)} s: ${t.overThreshold} already waited > ${thresholdMs} ms, more than 5 % of the ${t.utterances} planned)` : ''),
    );
    return t.passed;
  };
  // At utilisation 0.5 the queue usually still passes; the bracket is found from there.
  const startCalls = Math.max(1, Math.floor((0.5 * cadenceMs) / Math.max(1, serviceMs)));
  let lo = 0; // passed (0: none known)
  let hi: number | null = null; // failed
  let k = startCalls;
  while (canRun()) {
    if (await run(k)) {
      lo = k;
      if (hi !== null) break;
      k *= 2;
    } else {
      hi = k;
      if (lo > 0 || k === 1) break;
      k = Math.max(1, Math.floor(k / 2));
    }
  }
  while (hi !== null && lo > 0 && hi - lo > 1 && canRun()) {
    const mid = Math.floor((lo + hi) / 2);
    if (await run(mid)) lo = mid;
    else hi = mid;
  }
  const exact = hi !== null && hi - lo <= 1;
  return {
    engine: whisper.name,
    weights,
    serviceMsFor3s: serviceMs,
    startCalls,
    maxCalls: trials.length === 0 ? null : lo,
    firstFailingCalls: hi,
    exact,
    searchS: (performance.now() - started) / 1000,
    trials,
  };
}

// ---------------------------------------------------------------------------------------------
// Text-to-speech.

const SENTENCES = {
  short: 'Thanks for calling, how can I help you today?',
  long:
    'Our office is open from nine in the morning until five in the evening, Monday through Friday, ' +
    'and on Saturdays we open at ten and close at two, so you can drop by whenever it suits you.',
} as const;

async function speakOnce(engine: TextToSpeech, text: string) {
  const t0 = performance.now();
  let firstMs: number | undefined;
  let samples = 0;
  let seconds = 0;
  let chunks = 0;
  for await (const chunk of engine.synthesize(text, { signal: never() })) {
    firstMs ??= performance.now() - t0;
    samples += chunk.samples.length;
    seconds += chunk.samples.length / chunk.sampleRate;
    chunks++;
  }
  if (samples === 0) throw new Error(`${engine.name} said nothing for "${text}"`);
  return { firstMs: firstMs!, totalMs: performance.now() - t0, seconds, chunks };
}

async function benchTts(engine: TextToSpeech, weights: Weights): Promise<void> {
  await speakOnce(engine, SENTENCES.short); // warm-up
  for (const sentence of ['short', 'long'] as const) {
    const runs = [];
    for (let r = 0; r < reps; r++) runs.push(await speakOnce(engine, SENTENCES[sentence]));
    const totals = runs.map((r) => r.totalMs);
    tts.push({
      engine: engine.name,
      weights,
      sentence,
      chars: SENTENCES[sentence].length,
      firstAudioMs: summarize(runs.map((r) => r.firstMs), 1),
      totalMs: summarize(totals, 1),
      audioS: runs[0]!.seconds,
      chunks: runs[0]!.chunks,
      rtf: median(totals) / 1000 / runs[0]!.seconds,
    });
  }
}

/** Loads (timed, with RSS), benchmarks and closes one TTS engine. */
async function ttsEngine<E extends TextToSpeech & { close(): Promise<void> }>(
  name: string,
  weights: Weights,
  create: () => E,
  load: ((engine: E) => Promise<void>) | undefined,
  modelsDirUsed?: string,
): Promise<void> {
  const result: LoadResult = { engine: name, kind: 'tts', weights, label: WEIGHTS_LABEL[weights], modelsDir: modelsDirUsed };
  loads.push(result);
  const rssBefore = await rssMiB();
  const started = performance.now();
  const engine = create();
  try {
    if (load) {
      await load(engine);
      result.loadMs = performance.now() - started;
      result.rssBeforeMiB = rssBefore;
      result.rssDeltaMiB = (await rssMiB()) - rssBefore;
      console.log(`\n${name} [${weights}] loaded in ${Math.round(result.loadMs)} ms`);
    }
    await benchTts(engine, weights);
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
    console.error(`${name}: ${result.error}`);
  } finally {
    await engine.close();
  }
}

const kokoroDir = realKokoro ? modelsDir : tinyDir!;
await ttsEngine('kokoro', realKokoro ? 'real' : 'tiny', () => new KokoroTts({ modelsDir: kokoroDir, repo: KOKORO_REPO }), (k) => k.load(), kokoroDir);
await ttsEngine('espeak', 'embedded', () => new EspeakTts(), (e) => e.warmUp());
const double = await startElevenLabsServer({ apiKey: 'xi-bench-key' });
try {
  await ttsEngine(
    'elevenlabs',
    'double',
    () => Object.assign(new ElevenLabsTts({ apiKey: double.apiKey, baseUrl: double.baseUrl, defaultVoiceId: '21m00Tcm4TlvDq8ikWAM' }), { close: async () => {} }),
    undefined,
  );
} finally {
  await double.close();
}

if (tinyDir) await rm(tinyDir, { recursive: true, force: true });

// ---------------------------------------------------------------------------------------------
// Report.

const runS = (performance.now() - runStarted) / 1000;
const machineBusy = machineCpuSeconds().busy - cpuAtStart.machine.busy;
const ownCpu = process.cpuUsage(cpuAtStart.own);
const ownCpuS = (ownCpu.user + ownCpu.system) / 1e6;
const cores = os.cpus().length;
const othersShare = Math.max(0, machineBusy - ownCpuS) / (runS * cores);
const tag = (w: Weights) => (w === 'real' ? 'real' : w === 'tiny' ? 'TINY' : w);

printTable(
  'Engines: load (worker start + model + warm-up) and memory (process RSS added, workers included)',
  loads.map<Row>((l) => ({
    engine: l.engine,
    kind: l.kind,
    weights: tag(l.weights),
    'load ms': l.loadMs === undefined ? undefined : Math.round(l.loadMs),
    'RSS Δ MiB': l.rssDeltaMiB === undefined ? undefined : Number(l.rssDeltaMiB.toFixed(1)),
    error: l.error,
  })),
);
for (const w of new Set(loads.map((l) => l.weights))) console.log(`  ${tag(w).padEnd(8)} = ${WEIGHTS_LABEL[w]}`);
printTable(
  `Speech-to-text: jfk.wav from speech onset, ${reps} runs each (latency = transcribe() call to text)`,
  stt.map<Row>((r) => ({
    engine: r.engine,
    weights: tag(r.weights),
    'utterance s': r.utteranceS,
    'latency p50 ms': r.latencyMs.p50,
    'latency max ms': r.latencyMs.max,
    RTF: Number(r.rtf.toFixed(3)),
  })),
);
for (const r of stt.filter((r) => r.utteranceS === 8)) console.log(`  ${r.engine} [${tag(r.weights)}] heard (8 s): "${r.text}"`);
printTable(
  `Text-to-speech: ${reps} runs each (first audio = synthesize() call to the first chunk)`,
  tts.map<Row>((r) => ({
    engine: r.engine,
    weights: tag(r.weights),
    sentence: `${r.sentence} (${r.chars} ch)`,
    'first audio p50 ms': r.firstAudioMs.p50,
    'total p50 ms': r.totalMs.p50,
    'audio s': Number(r.audioS.toFixed(2)),
    chunks: r.chunks,
    RTF: Number(r.rtf.toFixed(3)),
  })),
);
printTable(
  `STT capacity: calls served with p95 queue wait ≤ ${thresholdMs} ms (one 2–3 s utterance per call every ${cadenceMs / 1000} s ± 20 %, ${trialMs / 1000} s trials)`,
  capacity.map<Row>((c) => ({
    engine: c.engine,
    weights: tag(c.weights),
    'service ms (3 s)': c.serviceMsFor3s,
    'max calls': c.maxCalls === null ? 'no trial fit the budget' : c.maxCalls,
    'first failing': c.firstFailingCalls ?? (c.trials.length ? `none ≤ ${Math.max(...c.trials.map((t) => t.calls))}` : undefined),
    resolution: c.exact ? 'exact' : 'budget ran out',
    trials: c.trials.length,
    'search s': Number(c.searchS.toFixed(1)),
  })),
);
if (capacity.some((c) => c.trials.some((t) => t.submitted < 20))) console.log('  (a trial with under 20 utterances passes only if none waited over the threshold: its p95 is its maximum)');
for (const c of capacity) {
  printTable(
    `  trials, ${c.engine} [${tag(c.weights)}]`,
    c.trials.map<Row>((t) => ({
      calls: t.calls,
      utterances: t.stoppedEarly ? `${t.submitted} of ${t.utterances}` : t.utterances,
      'wait p50 ms': t.waitMs.p50,
      'wait p95 ms': t.waitMs.p95,
      'wait max ms': t.waitMs.max,
      'STT p95 ms': t.sttLatencyMs.p95,
      [`> ${thresholdMs} ms`]: t.overThreshold,
      'still queued': t.censored,
      result: t.passed ? 'pass' : t.stoppedEarly ? 'fail (early)' : 'fail',
      's': Number(t.durationS.toFixed(1)),
    })),
  );
}
if (loads.some((l) => l.weights === 'tiny')) console.log(`\nTINY rows: ${WEIGHTS_LABEL.tiny}. Fetch real weights with npm run models.`);
console.log(`ElevenLabs row: ${WEIGHTS_LABEL.double}.`);
console.log(
  `\nrun took ${runS.toFixed(1)} s on ${cores} cores; other processes used ${(othersShare * 100).toFixed(0)} % of the machine meanwhile` +
    (othersShare > 0.15 ? ' (a busy neighbour: timings are pessimistic)' : ''),
);

const file = writeBenchJson('bench-speech', {
  modelsDir,
  tinyModels: needTiny,
  labels: WEIGHTS_LABEL,
  settings: { reps, capacityBudgetS: capacityBudgetMs / 1000, trialS: trialMs / 1000, cadenceS: cadenceMs / 1000, utteranceS: [2, 3], thresholdMs, seed },
  notes: [
    'RSS is the whole process (worker threads included), measured after a GC with one engine loaded at a time.',
    'Capacity is STT alone on the machine; VAD, TTS and the LLM client share the cores in a real call.',
    'Rows with weights "tiny" measure plumbing cost only (tiny generated graphs), not real inference.',
    'The ElevenLabs row runs against the local double: client and protocol cost only.',
  ],
  loads,
  stt,
  tts,
  capacity,
  runS,
  otherProcessesCpuShare: Number(othersShare.toFixed(3)),
});
console.log(`wrote ${file}`);
