import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitTimeoutScale } from '../scripts/lib/simulated-call.js';
import { jfkAt8k, startTelephonyHarness, type TelephonyHarness } from './helpers/telephony-harness.js';

describe('a phone call', () => {
  let h: TelephonyHarness;
  beforeAll(async () => {
    h = await startTelephonyHarness();
  });
  afterAll(() => h.stop());

  it('is routed by the dialled number to a <Connect><Stream> with a callToken parameter', async () => {
    const call = await h.ring();
    expect(call.twiml).toMatch(/<Response><Connect><Stream url="wss:\/\/voice\.example\.test\/twilio\/media">/);
    expect(call.parameters.callToken).toMatch(/^[\w-]+\.[\w-]+$/);
    const calls = (await h.tenant.get('/api/calls')).body.calls;
    expect(calls[0]).toMatchObject({ id: call.parameters.callId, twilioCallSid: call.callSid, to: h.number, status: 'ringing', agentId: h.agentId });
  });

  it('greets the caller, hears them, answers, and records every turn with its latencies', async () => {
    h.stt.respond = () => 'ask not what your country can do for you';
    const call = await h.dial();
    await call.waitFor(() => call.count('mark') >= 1, 15_000); // the greeting was played
    const greetingFrames = call.played.length;
    expect(greetingFrames).toBeGreaterThan(50); // over a second of audio

    await call.say(jfkAt8k().slice(0, 8000 * 2.5)); // "And so my fellow Americans": real speech, one phrase
    await call.waitFor(() => call.count('mark') >= 3, 20_000); // "You said…", "What else…"
    expect(h.stt.requests.at(-1)).toMatchObject({ model: 'whisper-1', sampleRate: 16000 });
    expect(h.stt.requests).toHaveLength(1);
    expect(h.stt.requests[0]!.durationSec).toBeGreaterThan(1.8); // the whole phrase, its first syllable included
    call.hangUp();
    await call.closed;

    const detail = await waitForCall(h, call.parameters.callId!, (c) => c.turns.length >= 3 && c.status === 'completed');
    const [greeting, caller, answer] = detail.turns;
    if (process.env.DEBUG_CALL) console.log(JSON.stringify(detail, null, 1));
    expect(greeting).toMatchObject({ speaker: 'agent', text: 'Thanks for calling Flowmaster Plumbing. How can I help?', interrupted: false });
    expect(caller).toMatchObject({ speaker: 'caller', text: 'ask not what your country can do for you' });
    expect(caller.startMs).toBeLessThan(caller.endMs);
    // What the agent says is the brain's business (tested with the brains); here: it answered, whole.
    expect(answer).toMatchObject({ speaker: 'agent', interrupted: false });
    expect(answer.text.length).toBeGreaterThan(10);
    expect(answer.latency.endpointingMs).toBeGreaterThanOrEqual(500);
    expect(answer.latency.sttMs).toBeGreaterThanOrEqual(0);
    expect(answer.latency.ttsFirstAudioMs).toBeGreaterThan(0);
    expect(answer.latency.responseMs).toBeGreaterThan(answer.latency.endpointingMs);
  });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function waitForCall(h: TelephonyHarness, id: string, done: (call: any) => boolean) {
  const deadline = Date.now() + 10_000 * waitTimeoutScale();
  for (;;) {
    const res = await h.tenant.get(`/api/calls/${id}`);
    if (done(res.body) || Date.now() > deadline) return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
}
