import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitTimeoutScale } from '../scripts/lib/simulated-call.js';
import { watchHostPerTest } from './helpers/host-load.js';
import { jfkAt8k, slice, startTelephonyHarness, type TelephonyHarness } from './helpers/telephony-harness.js';

const GREETING =
  'Thanks for calling Flowmaster Plumbing. We fix leaks, clogs and water heaters across the whole county, day and night. ' +
  'Our team is licensed, insured and friendly. How can I help you today?';

// jfk.wav: "And so my fellow Americans" is speech from about 0.35 s to 2.2 s.
const SPEECH_ONSET_MS = 350;
const host = watchHostPerTest();

describe('barge-in', () => {
  let h: TelephonyHarness;
  beforeAll(async () => {
    h = await startTelephonyHarness({ agent: { greeting: GREETING } });
  });
  afterAll(() => h.stop());

  async function callWithAgentTalking() {
    const call = await h.dial();
    await call.waitFor(() => call.played.length >= 40, 15_000); // 0.8 s into the greeting
    return call;
  }

  function callDetail(id: string) {
    return waitFor(async () => {
      const body = (await h.tenant.get(`/api/calls/${id}`)).body;
      return body.status === 'completed' ? body : undefined;
    });
  }

  it('clears the agent within 150 ms of real speech, keeps only what was heard, and takes the turn', async () => {
    h.stt.respond = () => 'and so my fellow americans';
    const call = await callWithAgentTalking();
    const sayStarted = call.now();
    const speaking = call.say(slice(jfkAt8k(), SPEECH_ONSET_MS - 100, 2300));
    await call.waitFor(() => call.count('clear') >= 1, 5000);
    const clearAt = call.log.find((e) => e.type === 'clear')!.atMs;
    await speaking;
    // Onset → clear as the caller's side sees it (includes the network hop both ways).
    expect(clearAt - (sayStarted + 100), host.describe()).toBeLessThan(host.allow(250));
    const serverSide = h.server.logs.filter((l) => l.event === 'call.barge_in').at(-1) as { latencyMs: number };
    expect(serverSide.latencyMs, host.describe()).toBeLessThanOrEqual(host.allow(150));
    expect(call.agentAudible).toBe(false); // nothing left buffered after the clear

    await call.waitFor(() => h.stt.requests.length >= 1 && call.count('mark') >= 1, 10_000);
    call.hangUp();
    const detail = await callDetail(call.parameters.callId!);
    const [greeting, caller, answer] = detail.turns;
    expect(greeting.speaker).toBe('agent');
    expect(greeting.interrupted).toBe(true);
    expect(greeting.text.length).toBeGreaterThan(0);
    expect(greeting.text.length).toBeLessThan(GREETING.length / 2); // only the first second or so was heard
    expect(GREETING.startsWith(greeting.text.replace(/…$/, '').split(' ').slice(0, 3).join(' '))).toBe(true);
    expect(caller).toMatchObject({ speaker: 'caller', text: 'and so my fellow americans' });
    expect(answer).toMatchObject({ speaker: 'agent' });
  });

  it('does not give up the turn for a 300 ms burst: it resumes where the caller stopped hearing', async () => {
    const requestsBefore = h.stt.requests.length;
    const call = await callWithAgentTalking();
    await call.say(slice(jfkAt8k(), SPEECH_ONSET_MS, SPEECH_ONSET_MS + 300));
    await call.waitFor(() => call.count('clear') >= 1, 5000);
    const clearAt = call.log.find((e) => e.type === 'clear')!.atMs;
    // The agent carries on: audio again after the clear, and the greeting is played to its end.
    await call.waitFor(() => call.log.some((e) => e.type === 'audio-start' && e.atMs > clearAt), 5000);
    await waitFor(async () => ((await h.tenant.get(`/api/calls/${call.parameters.callId}`)).body.turns.length >= 1 ? true : undefined), 30_000);
    call.hangUp();
    const detail = await callDetail(call.parameters.callId!);
    expect(detail.turns).toHaveLength(1);
    expect(detail.turns[0]).toMatchObject({ speaker: 'agent', text: GREETING, interrupted: false });
    expect(h.stt.requests.length).toBe(requestsBefore); // too short to be worth transcribing
    expect(h.server.logs.some((l) => l.event === 'call.false_barge_in' && l.why === 'too short')).toBe(true);
  });

  it('treats an "uh-huh" as a backchannel, not a turn', async () => {
    h.stt.respond = () => 'Uh-huh.';
    const call = await callWithAgentTalking();
    await call.say(slice(jfkAt8k(), SPEECH_ONSET_MS, SPEECH_ONSET_MS + 700));
    await call.waitFor(() => call.count('clear') >= 1, 5000);
    await waitFor(async () => ((await h.tenant.get(`/api/calls/${call.parameters.callId}`)).body.turns.length >= 1 ? true : undefined), 30_000);
    call.hangUp();
    const detail = await callDetail(call.parameters.callId!);
    expect(detail.turns.map((t: { speaker: string; interrupted: boolean; text: string }) => [t.speaker, t.interrupted, t.text])).toEqual([['agent', false, GREETING]]);
    expect(h.server.logs.some((l) => l.event === 'call.false_barge_in' && l.why === 'backchannel')).toBe(true);
  });
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs * waitTimeoutScale();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('barge-in when speech-to-text fails', () => {
  it('resumes the agent instead of leaving the caller in silence', async () => {
    const h = await startTelephonyHarness({ agent: { greeting: GREETING } });
    try {
      h.stt.respond = () => ({ status: 500, error: { message: 'The server had an error while processing your request.', type: 'server_error', code: null } });
      const call = await h.dial();
      await call.waitFor(() => call.played.length >= 40, 15_000);
      await call.say(slice(jfkAt8k(), SPEECH_ONSET_MS, SPEECH_ONSET_MS + 1500));
      await call.waitFor(() => call.count('clear') >= 1, 5000);
      const clearAt = call.log.find((e) => e.type === 'clear')!.atMs;
      await call.waitFor(() => call.log.some((e) => e.type === 'audio-start' && e.atMs > clearAt), 10_000);
      expect(h.server.logs.some((l) => l.event === 'call.stt_failed')).toBe(true);
      call.hangUp();
    } finally {
      await h.stop();
    }
  });
});
