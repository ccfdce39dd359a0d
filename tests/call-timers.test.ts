import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchHostPerTest } from './helpers/host-load.js';
import { startTelephonyHarness, type TelephonyHarness } from './helpers/telephony-harness.js';

const host = watchHostPerTest();

describe('call timers', () => {
  let h: TelephonyHarness;
  beforeAll(async () => {
    h = await startTelephonyHarness({ agent: { greeting: 'Hi!', settings: { silenceTimeoutSeconds: 3 } } });
  });
  afterAll(() => h.stop());

  it('checks in after silence, then says goodbye and hangs up', async () => {
    const call = await h.dial();
    await call.closed.then(() => undefined, () => undefined);
    await call.waitFor(() => call.closeCode !== undefined, 20_000);
    const detail = (await h.tenant.get(`/api/calls/${call.parameters.callId}`)).body;
    expect(detail.turns.map((t: { text: string }) => t.text)).toEqual(['Hi!', 'Are you still there?', "It seems we've lost each other. Goodbye!"]);
    expect(detail.endReason).toBe('silence');
    expect(h.twilio.requestsTo('POST', new RegExp(`/Calls/${call.callSid}\\.json$`)).map((r) => r.form.Status)).toEqual(['completed']);
    // The check-in came about 3 s after the greeting ended.
    const [greeting, checkIn] = detail.turns;
    // (A little under 3 s is possible: the greeting's end is stamped when its mark comes back, which a busy machine delays.)
    expect(checkIn.startMs - greeting.endMs).toBeGreaterThanOrEqual(2500);
    expect(checkIn.startMs - greeting.endMs, host.describe()).toBeLessThan(host.allow(4500));
  });

  it('ends the call politely when it reaches its maximum length, even mid-conversation', async () => {
    await h.tenant.patch(`/api/agents/${h.agentId}`, { settings: { silenceTimeoutSeconds: 60, maxCallSeconds: 10 } });
    const call = await h.dial();
    await call.waitFor(() => call.closeCode !== undefined, 25_000);
    const detail = (await h.tenant.get(`/api/calls/${call.parameters.callId}`)).body;
    expect(detail.endReason).toBe('max_duration');
    expect(detail.turns.at(-1).text).toBe("I'm sorry, we've reached the time limit for this call. Goodbye.");
    expect(detail.turns.at(-1).startMs).toBeGreaterThanOrEqual(10_000);
  });
});
