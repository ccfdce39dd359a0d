import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelephonyHarness, type TelephonyHarness } from './helpers/telephony-harness.js';

describe('the concurrent-call cap', () => {
  let h: TelephonyHarness;
  beforeAll(async () => {
    h = await startTelephonyHarness({ env: { MAX_CONCURRENT_CALLS: '1' }, agent: { greeting: 'Hi!' } });
  });
  afterAll(() => h.stop());

  it('turns a caller away politely while every line is busy, and takes calls again once one ends', async () => {
    const first = await h.dial();
    await first.waitFor(() => first.count('mark') >= 1, 10_000);

    const turnedAway = await h.ring();
    expect(turnedAway.twiml).toMatch(/<Say[^>]*>Sorry, all our lines are busy right now\. Please call back in a few minutes\.<\/Say><Hangup\/>/);
    expect(turnedAway.twiml).not.toContain('<Stream');
    expect(h.server.logs.some((l) => l.event === 'call.over_capacity')).toBe(true);
    const webCall = await h.tenant.post(`/api/agents/${h.agentId}/web-call`, {});
    expect(webCall.status).toBe(503);

    first.hangUp();
    await first.closed;
    await new Promise((r) => setTimeout(r, 100));
    const next = await h.ring();
    expect(next.twiml).toContain('<Stream');
  });
});
