import { monitorEventLoopDelay } from 'node:perf_hooks';
import { TwilioMediaChannel } from '../../src/telephony/twilio-media-channel.js';
import { CallSession } from '../../src/voice/session/call-session.js';
import { Playback } from '../../src/voice/session/playback.js';
import { TurnDetector } from '../../src/voice/turn/turn-detector.js';
import { SileroVad } from '../../src/voice/vad/silero-vad.js';
import { summarize, type Summary } from './stats.js';

/**
 * Benchmark instrumentation for the server's process, without touching src/: wraps prototype
 * methods to see VAD batches, outbound frame pacing and the event loop. Installed in-process by
 * import, or in a child server with `node --import tsx --import <this file> src/main.ts`, where
 * it answers 'probe:reset' / 'probe:snapshot' on the IPC channel.
 */
export interface ProbeSnapshot {
  windowMs: number;
  cpuMs: { user: number; system: number };
  memory: NodeJS.MemoryUsage;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  vad: { instances: number; runs: number; windows: number; meanBatch?: number; maxBatchEver: number; runMs: Summary; runMsTotal: number };
  /** Newest caller frame's stream time − the newest window the turn detector has seen: VAD backlog. */
  vadBacklogMs: Summary;
  outbound: { channels: number; framesSent: number; marks: number; clears: number; sendGapMs: Summary; farEndUnderrunMs: Summary; playbackUnderruns: number };
}

type Counts = { runs: number; windows: number };
const vads = new Map<SileroVad, Counts>(); // instance → its stats at the last reset
const playbacks = new Set<WeakRef<Playback>>(); // weak: the probe must not keep ended calls alive
const seenPlaybacks = new WeakSet<Playback>();
const lastSend = new WeakMap<TwilioMediaChannel, number>();
const farEnd = new WeakMap<TwilioMediaChannel, { playUntil: number; inSegment: boolean }>();
const channels = new WeakSet<TwilioMediaChannel>();
const lastWindowMs = new WeakMap<TurnDetector, number>();
const loop = monitorEventLoopDelay({ resolution: 10 });
const fresh = () => ({ started: performance.now(), cpu: process.cpuUsage(), runMs: [] as number[], gaps: [] as number[], backlog: [] as number[], underrunMs: [] as number[], frames: 0, marks: 0, clears: 0, channels: 0 });
let w = fresh();

export function installServerProbe(): void {
  const flag = Symbol.for('vas.serverProbe');
  if ((globalThis as Record<symbol, unknown>)[flag]) return;
  (globalThis as Record<symbol, unknown>)[flag] = true;
  loop.enable();

  const vad = SileroVad.prototype as unknown as { probability: (...a: unknown[]) => Promise<number>; run: (batch: unknown[]) => Promise<void> };
  const probability = vad.probability;
  vad.probability = function (this: SileroVad, ...args) {
    if (!vads.has(this)) vads.set(this, { runs: this.stats.runs, windows: this.stats.windows });
    return probability.apply(this, args);
  };
  const run = vad.run; // private: one ONNX run over a batch of windows
  vad.run = async function (this: SileroVad, batch) {
    const t0 = performance.now();
    try {
      return await run.call(this, batch);
    } finally {
      w.runMs.push(performance.now() - t0);
    }
  };

  // VAD backlog per call: how far the turn detector trails the audio that has arrived.
  const push = TurnDetector.prototype.push;
  TurnDetector.prototype.push = function (this: TurnDetector, window) {
    lastWindowMs.set(this, window.startMs);
    return push.call(this, window);
  };
  const onMedia = CallSession.prototype.onMedia;
  CallSession.prototype.onMedia = function (this: CallSession, frame) {
    const seen = lastWindowMs.get((this as unknown as { detector: TurnDetector }).detector);
    if (seen !== undefined) w.backlog.push(frame.timestampMs - seen);
    return onMedia.call(this, frame);
  };

  const open = Playback.prototype.open;
  Playback.prototype.open = function (this: Playback, text: string) {
    if (!seenPlaybacks.has(this)) (seenPlaybacks.add(this), playbacks.add(new WeakRef(this)));
    return open.call(this, text);
  };

  // Server-side pacing: gaps between consecutive frames of one channel (reset by a mark or clear),
  // and a model far end that plays each frame as soon as it arrives: a frame sent after the
  // previous one finished playing, mid-segment, is an underrun the caller hears (no network delay).
  const ch = TwilioMediaChannel.prototype;
  const { sendAudio, sendMark, sendClear } = ch;
  const far = (c: TwilioMediaChannel) => farEnd.get(c) ?? farEnd.set(c, { playUntil: 0, inSegment: false }).get(c)!;
  ch.sendAudio = function (this: TwilioMediaChannel, frame: Uint8Array) {
    const now = performance.now();
    const last = lastSend.get(this);
    if (last !== undefined) w.gaps.push(now - last);
    lastSend.set(this, now);
    const f = far(this);
    if (f.inSegment && f.playUntil < now) w.underrunMs.push(now - f.playUntil);
    f.playUntil = Math.max(f.playUntil, now) + 20;
    f.inSegment = true;
    if (!channels.has(this)) (channels.add(this), w.channels++);
    w.frames++;
    return sendAudio.call(this, frame);
  };
  ch.sendMark = function (this: TwilioMediaChannel, name: string) {
    lastSend.delete(this);
    far(this).inSegment = false;
    w.marks++;
    return sendMark.call(this, name);
  };
  ch.sendClear = function (this: TwilioMediaChannel) {
    lastSend.delete(this);
    Object.assign(far(this), { playUntil: performance.now(), inSegment: false });
    w.clears++;
    return sendClear.call(this);
  };
}

/** Starts a new measurement window. */
export function probeReset(): void {
  loop.reset();
  for (const [instance] of vads) vads.set(instance, { runs: instance.stats.runs, windows: instance.stats.windows });
  w = fresh();
}

export function probeSnapshot(): ProbeSnapshot {
  // Freeze the window first: the stall this summary causes must not count against the server.
  const cpu = process.cpuUsage(w.cpu);
  const memory = process.memoryUsage();
  const windowMs = Math.round(performance.now() - w.started);
  const ms = (ns: number) => Number((ns / 1e6).toFixed(2));
  // The histogram records whole timer intervals; less the 10 ms resolution, what remains is the delay.
  const eventLoopDelayMs = { p50: ms(loop.percentile(50) - 1e7), p99: ms(loop.percentile(99) - 1e7), max: ms(loop.max - 1e7) };
  const f = w;
  w = { ...fresh(), started: f.started, cpu: f.cpu };
  let runs = 0;
  let windows = 0;
  let maxBatchEver = 0;
  for (const [instance, at] of vads) {
    runs += instance.stats.runs - at.runs;
    windows += instance.stats.windows - at.windows;
    maxBatchEver = Math.max(maxBatchEver, instance.stats.maxBatch);
  }
  let playbackUnderruns = 0;
  for (const ref of playbacks) {
    const p = ref.deref();
    if (!p) playbacks.delete(ref);
    else playbackUnderruns += p.stats.underruns;
  }
  return {
    windowMs,
    cpuMs: { user: Math.round(cpu.user / 1000), system: Math.round(cpu.system / 1000) },
    memory,
    eventLoopDelayMs,
    vad: { instances: vads.size, runs, windows, meanBatch: runs ? Number((windows / runs).toFixed(1)) : undefined, maxBatchEver, runMs: summarize(f.runMs, 2), runMsTotal: Math.round(f.runMs.reduce((a, b) => a + b, 0)) },
    vadBacklogMs: summarize(f.backlog, 0),
    outbound: { channels: f.channels, framesSent: f.frames, marks: f.marks, clears: f.clears, sendGapMs: summarize(f.gaps, 1), farEndUnderrunMs: summarize(f.underrunMs, 1), playbackUnderruns },
  };
}

// Preloaded into a child server: answer the benchmark over IPC without keeping the process alive.
if (process.env.VAS_SERVER_PROBE === 'ipc' && process.send) {
  installServerProbe();
  process.on('message', (m) => {
    if (m === 'probe:reset') probeReset();
    if (m === 'probe:reset' || m === 'probe:snapshot') process.send?.({ probe: probeSnapshot() });
  });
  process.channel?.unref();
  // The benchmark died without stopping us: stop too, rather than linger as an orphan.
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
