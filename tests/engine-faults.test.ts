/**
 * Engines that hang or break in the middle of a call. Whatever fails, the caller is never left in
 * more than 2 s of silence: "One moment." covers a slow answer, then the engine chains' deadlines
 * hand the work on (a fallback line from the brain, "Sorry, I didn't catch that", another voice).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitTimeoutScale, type SimulatedCall } from '../scripts/lib/simulated-call.js';
import { startElevenLabsServer, type ElevenLabsServer } from './doubles/elevenlabs-server.js';
import { startOpenAiChatServer, type OpenAiChatServer } from './doubles/openai-chat-server.js';
import { watchHostPerTest } from './helpers/host-load.js';
import { jfkAt8k, startTelephonyHarness, type TelephonyHarness } from './helpers/telephony-harness.js';

const MAX_SILENCE_MS = 2000;
const host = watchHostPerTest();

/** The longest stretch without agent audio from the end of the caller's speech until `untilMs` (stream ms). */
function longestSilenceAfterSpeech(call: SimulatedCall, untilMs: number): number {
  const t0 = performance.now() - call.now();
  const spokeUntil = call.said.at(-1)!.endMs;
  const arrivals = call.arrivals.map((at) => at - t0).filter((ms) => ms > spokeUntil && ms <= untilMs);
  let longest = 0;
  let previous = spokeUntil;
  for (const at of arrivals) {
    longest = Math.max(longest, at - previous);
    previous = at;
  }
  return Math.max(longest, untilMs - previous);
}

/** Calls, waits for the greeting, says one phrase, and listens for `listenMs` afterwards. */
async function askAndListen(h: TelephonyHarness, listenMs: number): Promise<{ call: SimulatedCall; silenceMs: number }> {
  const call = await h.dial();
  await call.waitFor(() => call.count('mark') >= 1, 10_000);
  await call.say(jfkAt8k().slice(0, 8000 * 2.5));
  await call.waitFor(() => call.now() > call.said.at(-1)!.endMs + listenMs, listenMs + 10_000);
  const silenceMs = longestSilenceAfterSpeech(call, call.said.at(-1)!.endMs + listenMs);
  call.hangUp();
  await call.closed;
  return { call, silenceMs };
}

async function agentTurns(h: TelephonyHarness, callId: string): Promise<string[]> {
  for (let i = 0; i < 50 * waitTimeoutScale(); i++) {
    const detail = (await h.tenant.get(`/api/calls/${callId}`)).body as { status: string; turns: { speaker: string; text: string }[] };
    if (detail.status === 'completed') return detail.turns.filter((t) => t.speaker === 'agent').map((t) => t.text);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('call never completed');
}

describe('a call whose engines fail mid-call', () => {
  let model: OpenAiChatServer;
  let eleven: ElevenLabsServer;
  let h: TelephonyHarness;
  beforeAll(async () => {
    model = await startOpenAiChatServer({ respond: () => 'We are open from nine to five.' });
    eleven = await startElevenLabsServer();
    h = await startTelephonyHarness({
      env: { OPENAI_API_KEY: model.apiKey, OPENAI_BASE_URL: model.baseUrl, ELEVENLABS_API_KEY: eleven.apiKey, ELEVENLABS_BASE_URL: eleven.baseUrl, STT_TIMEOUT_MS: '3000' },
      agent: { greeting: 'Hello!' },
    });
    h.stt.respond = () => 'when are you open';
  });
  afterEach(() => {
    model.respond = () => 'We are open from nine to five.';
    h.stt.respond = () => 'when are you open';
    h.stt.delayMs = 0;
    eleven.reset();
  });
  afterAll(async () => {
    await h.stop();
    await model.close();
    await eleven.close();
  });

  it('language model hangs: "One moment.", then the fallback line, never 2 s of silence', async () => {
    model.respond = () => ({ content: 'too late', delayMs: 60_000 });
    const { call, silenceMs } = await askAndListen(h, 6000);
    expect(silenceMs, host.describe()).toBeLessThan(host.allow(MAX_SILENCE_MS));
    const said = await agentTurns(h, call.parameters.callId!);
    expect(said).toContain('One moment.');
    expect(said.at(-1)).not.toBe('One moment.'); // a fallback answer followed
    expect(model.disconnected.length).toBeGreaterThanOrEqual(1); // the hung request was abandoned
  });

  it('speech-to-text hangs: "One moment.", then the next engine hears the caller, never 2 s of silence', async () => {
    h.stt.delayMs = 60_000;
    eleven.stt.respond = () => 'when are you open';
    const { call, silenceMs } = await askAndListen(h, 5500);
    expect(silenceMs, host.describe()).toBeLessThan(host.allow(MAX_SILENCE_MS));
    const said = await agentTurns(h, call.parameters.callId!);
    expect(said).toContain('One moment.');
    expect(eleven.sttRequests).toHaveLength(1);
    expect(model.requests.at(-1)!.body.messages.at(-1)).toMatchObject({ role: 'user', content: 'when are you open' });
  });

  it('every speech-to-text engine fails: the caller is asked to repeat, never 2 s of silence', async () => {
    h.stt.respond = () => ({ status: 500, error: { message: 'boom', type: 'server_error', param: null, code: null } });
    eleven.stt.respond = () => ({ status: 500, detail: { status: 'internal_error', message: 'boom' } });
    const { call, silenceMs } = await askAndListen(h, 3500);
    expect(silenceMs, host.describe()).toBeLessThan(host.allow(MAX_SILENCE_MS));
    const said = await agentTurns(h, call.parameters.callId!);
    expect(said.at(-1)).toMatch(/didn't catch that/);
    expect(h.server.logs.some((l) => l.event === 'call.stt_failed')).toBe(true);
  });

  it('the voice drops mid-sentence: the next engine speaks, never 2 s of silence', async () => {
    await h.tenant.patch(`/api/agents/${h.agentId}`, { voice: 'pNInz6obpgDQGcFmaJgB', settings: { speech: { tts: 'elevenlabs' } } });
    eleven.tts.mode = 'disconnect';
    eleven.tts.disconnectAfterChunks = 1;
    try {
      const { call, silenceMs } = await askAndListen(h, 4000);
      expect(silenceMs, host.describe()).toBeLessThan(host.allow(MAX_SILENCE_MS));
      expect(eleven.ttsSessions.length).toBeGreaterThanOrEqual(1);
      expect(call.played.length).toBeGreaterThan(50);
      expect(h.server.logs.some((l) => l.event === 'tts.fallback')).toBe(true);
    } finally {
      await h.tenant.patch(`/api/agents/${h.agentId}`, { settings: {} });
    }
  });
});

