/**
 * Plays Twilio callers against a RUNNING server, the way Twilio would (signed webhook, Media
 * Streams socket, 20 ms paced caller audio, real-time playback with marks and clear):
 *
 *   npx tsx scripts/simulate-call.ts --url http://127.0.0.1:3000 --public-url https://voice.example.com \
 *     --to +14155550100 --say hello.wav --say-text "What are your opening hours?" --calls 5
 *
 * The server must know the same Twilio auth token (it checks the signatures), and have an agent
 * on --to. Each caller waits --wait-ms, says the next utterance, and so on; after the last one
 * it stays --hold-ms and hangs up. Prints a row per call and a summary; writes
 * data/bench/simulate-call.json. Times are stream time (ms since the socket's `start`).
 */
import { parseArgs } from 'node:util';
import { printTable, writeBenchJson, type Row } from './lib/bench-report.js';
import { loadWav8k, speakText8k, speechBounds } from './lib/caller-audio.js';
import { SimulatedCall } from './lib/simulated-call.js';
import { summarize } from './lib/stats.js';

const { values: args, tokens } = parseArgs({
  tokens: true,
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:3000' },
    'public-url': { type: 'string' },
    to: { type: 'string' },
    from: { type: 'string', default: '+15005550006' },
    'account-sid': { type: 'string', default: process.env.TWILIO_ACCOUNT_SID },
    'auth-token': { type: 'string', default: process.env.TWILIO_AUTH_TOKEN },
    say: { type: 'string', multiple: true },
    'say-text': { type: 'string', multiple: true },
    voice: { type: 'string' }, // espeak voice for --say-text
    calls: { type: 'string', default: '1' },
    'ramp-ms': { type: 'string', default: '20' }, // between call starts, so N callers do not ring in one instant
    'wait-ms': { type: 'string', default: '1500' },
    'hold-ms': { type: 'string', default: '3000' },
    'first-audio-timeout-ms': { type: 'string', default: '15000' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help || !args.to || !args['account-sid'] || !args['auth-token']) {
  console.error('usage: simulate-call.ts --to +1… [--url] [--public-url] [--account-sid AC…] [--auth-token …] [--say file.wav]… [--say-text "…"]… [--calls N] [--wait-ms] [--hold-ms]');
  console.error('--account-sid and --auth-token default to TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN; --to is required.');
  process.exit(args.help ? 0 : 64);
}
const url = args.url.replace(/\/$/, '');
const options = { serverUrl: url, publicUrl: (args['public-url'] ?? url).replace(/\/$/, ''), accountSid: args['account-sid'], authToken: args['auth-token'], to: args.to, from: args.from };
const waitMs = Number(args['wait-ms']);
const holdMs = Number(args['hold-ms']);

// Utterances in command-line order (--say and --say-text interleaved), each with where its speech is.
const utterances: { label: string; pcm: Int16Array; onsetMs: number; endMs: number }[] = [];
for (const t of tokens ?? []) {
  if (t.kind !== 'option' || !t.value || (t.name !== 'say' && t.name !== 'say-text')) continue;
  const pcm = t.name === 'say' ? loadWav8k(t.value) : await speakText8k(t.value, args.voice);
  const bounds = speechBounds(pcm) ?? { onsetMs: 0, endMs: pcm.length / 8 };
  utterances.push({ label: t.name === 'say' ? t.value : `"${t.value}"`, pcm, ...bounds });
}

interface CallResult {
  call: number;
  callSid?: string;
  error?: string;
  firstAudioMs?: number;
  bargeInMs: number[];
  responseMs: number[];
  framesReceived: number;
  framesPlayed: number;
  underruns: number;
  clears: number;
  closeCode?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runCall(index: number): Promise<CallResult> {
  const result: CallResult = { call: index + 1, bargeInMs: [], responseMs: [], framesReceived: 0, framesPlayed: 0, underruns: 0, clears: 0 };
  let call: SimulatedCall | undefined;
  try {
    call = await SimulatedCall.dial(options);
    result.callSid = call.callSid;
    if (!call.streamUrl) throw new Error(`the server did not connect a stream: ${call.twiml.slice(0, 200)}`);
    const c = call;
    await c.waitFor(() => c.count('audio-start') >= 1 || c.closeCode !== undefined, Number(args['first-audio-timeout-ms'])).catch(() => {});
    for (const u of utterances) {
      await sleep(waitMs);
      if (c.closeCode !== undefined) break;
      await c.say(u.pcm);
      const startMs = c.said.at(-1)!.startMs;
      const onset = startMs + u.onsetMs;
      const end = startMs + u.endMs;
      // The agent's answer: its first audio after the caller's speech ended (before the next utterance).
      await c.waitFor(() => c.log.some((e) => e.type === 'audio-start' && e.atMs > end) || c.closeCode !== undefined, waitMs + 10_000).catch(() => {});
      const answer = c.log.find((e) => e.type === 'audio-start' && e.atMs > end);
      if (answer) result.responseMs.push(answer.atMs - end);
      // A clear while the caller speaks (or just after) is a barge-in: time it from the speech onset.
      const clear = c.log.find((e) => e.type === 'clear' && e.atMs >= startMs && e.atMs <= end + 1000);
      if (clear) result.bargeInMs.push(clear.atMs - onset);
    }
    await sleep(holdMs);
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    if (call) {
      result.firstAudioMs = call.log.find((e) => e.type === 'audio-start')?.atMs;
      if (call.closeCode === undefined) call.hangUp();
      await Promise.race([call.closed, sleep(3000)]);
      Object.assign(result, { framesReceived: call.arrivals.length, framesPlayed: call.played.length, underruns: call.underruns, clears: call.count('clear'), closeCode: call.closeCode });
    }
  }
  return result;
}

const started = performance.now();
const results = await Promise.all(Array.from({ length: Number(args.calls) }, async (_, i) => (await sleep(i * Number(args['ramp-ms'])), runCall(i))));

const fmt = (values: number[]) => (values.length ? values.map((v) => Math.round(v)).join(' ') : undefined);
printTable(`${results.length} call(s) to ${args.to} at ${url}; ${utterances.length} utterance(s): ${utterances.map((u) => u.label).join(', ') || '(none: listen only)'}`, results.map((r): Row => ({
  call: r.call,
  firstAudioMs: r.firstAudioMs === undefined ? undefined : Math.round(r.firstAudioMs),
  bargeInMs: fmt(r.bargeInMs),
  responseMs: fmt(r.responseMs),
  framesReceived: r.framesReceived,
  underruns: r.underruns,
  clears: r.clears,
  closeCode: r.closeCode,
  error: r.error,
})));
const summary = {
  calls: results.length,
  failed: results.filter((r) => r.error).length,
  firstAudioMs: summarize(results.flatMap((r) => (r.firstAudioMs === undefined ? [] : [r.firstAudioMs]))),
  bargeInMs: summarize(results.flatMap((r) => r.bargeInMs)),
  responseMs: summarize(results.flatMap((r) => r.responseMs)),
  framesReceived: results.reduce((a, r) => a + r.framesReceived, 0),
  underruns: results.reduce((a, r) => a + r.underruns, 0),
  callsWithUnderruns: results.filter((r) => r.underruns > 0).length,
};
printTable('summary (ms, stream time)', [
  { metric: 'time to first agent audio', ...summary.firstAudioMs },
  { metric: 'barge-in: speech onset → clear', ...summary.bargeInMs },
  { metric: 'response: speech end → agent audio', ...summary.responseMs },
]);
console.log(`\nframes received ${summary.framesReceived}, underruns ${summary.underruns} (in ${summary.callsWithUnderruns} calls), failed calls ${summary.failed}`);
const file = writeBenchJson('simulate-call', { options: { ...args, 'auth-token': undefined, utterances: utterances.map((u) => ({ label: u.label, durationMs: u.pcm.length / 8, onsetMs: u.onsetMs, endMs: u.endMs })) }, summary, results });
console.log(`took ${Math.round((performance.now() - started) / 1000)} s; wrote ${file}`);
process.exit(summary.failed > 0 ? 1 : 0);
