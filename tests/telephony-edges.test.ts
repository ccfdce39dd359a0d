import twilio from 'twilio';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedCall } from '../scripts/lib/simulated-call.js';
import { watchHostPerTest } from './helpers/host-load.js';
import { ACCOUNT_SID, AUTH_TOKEN, jfkAt8k, PUBLIC_URL, startTelephonyHarness, type TelephonyHarness } from './helpers/telephony-harness.js';

const host = watchHostPerTest();

describe('Twilio edges', () => {
  let h: TelephonyHarness;
  beforeAll(async () => {
    h = await startTelephonyHarness({ env: { MEDIA_START_TIMEOUT_MS: '400' }, agent: { transferNumber: '+14155550999', greeting: 'Hello!' } });
  });
  afterAll(() => h.stop());

  const callCount = async () => (await h.tenant.get('/api/calls')).body.calls.length;
  const form = (params: Record<string, string>, signature?: string) =>
    fetch(`${h.server.url}/twilio/voice`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) },
      body: new URLSearchParams(params).toString(),
    });
  const params = (extra: Record<string, string> = {}) => ({ AccountSid: ACCOUNT_SID, CallSid: 'CA' + 'f'.repeat(32), From: '+15005550006', To: h.number, ...extra });

  it('refuses a webhook with a missing or wrong signature with 403 and records nothing', async () => {
    const before = await callCount();
    expect((await form(params())).status).toBe(403);
    const forged = twilio.getExpectedTwilioSignature('not-the-token', `${PUBLIC_URL}/twilio/voice`, params());
    expect((await form(params(), forged)).status).toBe(403);
    // Signed for another URL (e.g. the internal address instead of PUBLIC_URL).
    const wrongUrl = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${h.server.url}/twilio/voice`, params());
    expect((await form(params(), wrongUrl)).status).toBe(403);
    // Parameters changed after signing.
    const signed = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/twilio/voice`, params());
    expect((await form(params({ To: '+14155550111' }), signed)).status).toBe(403);
    expect(await callCount()).toBe(before);
  });

  it('answers a signed but malformed webhook body with 400', async () => {
    const bad = { AccountSid: ACCOUNT_SID, CallSid: 'not-a-sid', To: h.number };
    const res = await form(bad, twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/twilio/voice`, bad));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('CallSid');
  });

  it('politely hangs up on an unknown number, and on a disabled agent', async () => {
    const unknown = await h.ring({ to: '+14155550000' });
    expect(unknown.twiml).toMatch(/<Say>Sorry, the number you have called is not in service\. Goodbye\.<\/Say><Hangup\/>/);
    const other = (await h.tenant.post('/api/agents', { name: 'Off', status: 'disabled' })).body;
    await h.tenant.post('/api/phone-numbers', { number: '+14155550123', agentId: other.id });
    const disabled = await h.ring({ to: '+14155550123' });
    expect(disabled.twiml).toContain('<Hangup/>');
    expect(disabled.twiml).not.toContain('<Connect>');
  });

  it('refuses a media socket upgrade without a valid signature', async () => {
    const ws = new WebSocket(`${h.server.url.replace('http', 'ws')}/twilio/media`, { headers: { 'x-twilio-signature': 'bogus' } });
    const status = await new Promise<number>((resolve) => ws.once('unexpected-response', (_req, res) => resolve(res.statusCode!)));
    expect(status).toBe(403);
  });

  it('closes a socket whose start carries a bad, reused or foreign callToken', async () => {
    const call = await h.ring();
    const forged = await SimulatedCall.ring(opts());
    await forged.connect({ ...call.parameters, callToken: call.parameters.callToken!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) });
    await forged.closed;
    expect(forged.closeCode).toBe(1008);

    // A token issued for another call SID does not start this one.
    const foreign = await SimulatedCall.ring(opts());
    await foreign.connect(call.parameters);
    await foreign.closed;
    expect(foreign.closeCode).toBe(1008);

    const good = await h.ring();
    await good.connect();
    await good.waitFor(() => good.played.length > 0, 10_000);
    const replay = await SimulatedCall.ring({ ...opts(), callSid: good.callSid });
    await replay.connect(good.parameters);
    await replay.closed;
    expect(replay.closeCode).toBe(1008);
    good.hangUp();
  });

  it('closes a socket that never starts', async () => {
    const call = await h.ring();
    const ws = new WebSocket(`${h.server.url.replace('http', 'ws')}/twilio/media`, { headers: { 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL.replace('https', 'wss')}/twilio/media`, {}) } });
    const code = await new Promise<number>((resolve) => ws.once('close', resolve));
    expect(code).toBe(1008);
    expect(call.parameters.callToken).toBeDefined();
  });

  it('drops garbage on the media socket without hurting the call or other calls', async () => {
    const bystander = await h.dial();
    const call = await h.dial();
    const garbage = ['not json', '{}', '{"event":"media"}', '{"event":"media","media":{"timestamp":"x","payload":"@@@"}}', JSON.stringify({ event: 'media', media: { timestamp: '1', payload: 'A'.repeat(20_000) } }), '[1,2,3]', 'null', '{"event":"dtmf","dtmf":{"digit":"99"}}', '{"event":"mark"}'];
    for (const g of garbage) call.sendRaw(g);
    call.sendRaw(Buffer.from([0, 1, 2, 3]));
    await call.waitFor(() => call.count('mark') >= 1 && bystander.count('mark') >= 1, 15_000);
    expect(call.closeCode).toBeUndefined();
    expect(h.server.logs.filter((l) => l.event === 'media.bad_message').length).toBeGreaterThan(0);

    // A flood of garbage ends that socket, and only that one.
    for (let i = 0; i < 60; i++) call.sendRaw('garbage');
    await call.closed;
    expect(call.closeCode).toBe(1008);
    expect(bystander.closeCode).toBeUndefined();
    bystander.hangUp();
  });

  it('transfers to the agent\'s transfer number when the caller presses 0', async () => {
    const call = await h.dial();
    await call.waitFor(() => call.count('mark') >= 1, 10_000);
    call.dtmf('0');
    await waitUntil(() => h.twilio.requestsTo('POST', new RegExp(`/Calls/${call.callSid}\\.json$`)).length > 0, 15_000);
    const [update] = h.twilio.requestsTo('POST', new RegExp(`/Calls/${call.callSid}\\.json$`));
    expect(update!.form.Twiml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Dial>+14155550999</Dial></Response>');
    call.hangUp();
    const turns = (await h.tenant.get(`/api/calls/${call.parameters.callId}`)).body.turns.map((t: { text: string }) => t.text);
    expect(turns).toEqual(expect.arrayContaining(['(pressed 0)', 'Connecting you now.']));
  });

  it('hangs up through Twilio when the agent ends the call', async () => {
    h.stt.respond = () => 'that is all, goodbye';
    const call = await h.dial();
    await call.waitFor(() => call.count('mark') >= 1, 10_000);
    await call.say(jfkAt8k().slice(0, 8000 * 2.5));
    await waitUntil(() => h.twilio.requestsTo('POST', new RegExp(`/Calls/${call.callSid}\\.json$`)).some((r) => r.form.Status === 'completed'), 15_000);
    await call.closed;
    const detail = (await h.tenant.get(`/api/calls/${call.parameters.callId}`)).body;
    expect(detail.endReason).toBe('agent_ended');
    expect(detail.turns.at(-1).speaker).toBe('agent');
    expect(detail.turns.at(-1).text).toMatch(/goodbye/i);
  });

  it('records status callbacks with the duration', async () => {
    const call = await h.ring();
    const status = { AccountSid: ACCOUNT_SID, CallSid: call.callSid, CallStatus: 'completed', CallDuration: '42' };
    const res = await fetch(`${h.server.url}/twilio/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/twilio/status`, status) },
      body: new URLSearchParams(status).toString(),
    });
    expect(res.status).toBe(204);
    expect((await h.tenant.get(`/api/calls/${call.parameters.callId}`)).body).toMatchObject({ status: 'completed', durationSeconds: 42 });
  });

  it('carries 20 calls at once', async () => {
    const calls = await Promise.all(Array.from({ length: 20 }, () => h.dial()));
    await Promise.all(calls.map((c) => c.waitFor(() => c.count('mark') >= 1, 30_000)));
    for (const c of calls) {
      expect(c.closeCode).toBeUndefined();
      expect(c.underruns, host.describe()).toBeLessThanOrEqual(host.allowCount(0));
    }
    for (const c of calls) c.hangUp();
    await Promise.all(calls.map((c) => c.closed));
  });

  function opts() {
    return { serverUrl: h.server.url, publicUrl: PUBLIC_URL, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, to: h.number };
  }
});

async function waitUntil(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
