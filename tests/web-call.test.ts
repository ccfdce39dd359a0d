import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitTimeoutScale } from '../scripts/lib/simulated-call.js';
import { pcmToMulaw } from '../src/voice/audio/mulaw.js';
import { jfkAt8k, startTelephonyHarness, type TelephonyHarness } from './helpers/telephony-harness.js';
import { WebPhoneClient } from './helpers/web-phone-client.js';

/**
 * "Talk to your agent": POST /api/agents/:id/web-call issues a single-use token; WS /web/media
 * speaks Twilio's Media Streams protocol and runs the same call session as a phone call.
 */
describe('web calls', () => {
  let h: TelephonyHarness;
  let other: Awaited<ReturnType<TelephonyHarness['server']['newTenant']>>;
  beforeAll(async () => {
    h = await startTelephonyHarness({ env: { MEDIA_START_TIMEOUT_MS: '500' }, agent: { transferNumber: '+14155550999', greeting: 'Hello!' } });
    other = await h.server.newTenant('Someone else');
  });
  afterAll(() => h.stop());

  const socketUrl = () => `${h.server.url.replace('http', 'ws')}/web/media`;
  const newCall = async (agentId = h.agentId) => {
    const res = await h.tenant.post(`/api/agents/${agentId}/web-call`);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { callId: string; token: string; url: string; expiresInMs: number };
  };
  const dial = async () => {
    const call = await newCall();
    const phone = await WebPhoneClient.open(call.url);
    phone.start(call.callId, call.token);
    return { call, phone };
  };
  const callDetail = async (id: string) => (await h.tenant.get(`/api/calls/${id}`)).body;
  type CallDetail = { status: string; endReason: string | null; turns: { speaker: string; text: string }[] };
  const waitForCall = async (id: string, done: (c: CallDetail) => boolean): Promise<CallDetail> => {
    const deadline = Date.now() + 10_000 * waitTimeoutScale();
    for (;;) {
      const detail = await callDetail(id);
      if (done(detail) || Date.now() > deadline) return detail;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('issues a short-lived token and a socket URL, and lists the call as a web call', async () => {
    const call = await newCall();
    expect(call.url).toBe(`${h.server.url.replace('http', 'ws')}/web/media`);
    expect(call.token).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(call.expiresInMs).toBe(30_000);
    expect(await callDetail(call.callId)).toMatchObject({ id: call.callId, agentId: h.agentId, channel: 'web', status: 'ringing', from: null, to: null, twilioCallSid: null, turns: [] });
  });

  it('refuses another tenant\'s agent (404), an unknown one, a missing key, the admin key and a disabled agent', async () => {
    expect((await other.post(`/api/agents/${h.agentId}/web-call`)).status).toBe(404);
    expect((await h.tenant.post('/api/agents/agent_nope/web-call')).status).toBe(404);
    expect((await h.tenant.withKey(undefined).post(`/api/agents/${h.agentId}/web-call`)).status).toBe(401);
    expect((await h.server.admin.post(`/api/agents/${h.agentId}/web-call`)).status).toBe(403);
    const disabled = (await h.tenant.post('/api/agents', { name: 'Off', status: 'disabled' })).body;
    const res = await h.tenant.post(`/api/agents/${disabled.id}/web-call`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
  });

  it('greets the browser caller, hears them and answers through the same session as a phone call', async () => {
    h.stt.respond = () => 'do you have any openings tomorrow';
    const { call, phone } = await dial();
    await phone.waitFor(() => phone.count('mark') >= 1, 15_000); // the greeting, played and marked
    expect(phone.count('media')).toBeGreaterThan(10);
    expect((await callDetail(call.callId)).status).toBe('in-progress');
    await phone.say(pcmToMulaw(jfkAt8k().slice(0, 8000 * 2.5)));
    await phone.waitFor(() => phone.count('mark') >= 2, 20_000);
    phone.hangUp();
    await phone.closed;
    const detail = await waitForCall(call.callId, (c) => c.status === 'completed' && c.turns.length >= 3);
    expect(detail).toMatchObject({ channel: 'web', status: 'completed' });
    expect(detail.turns.slice(0, 2)).toMatchObject([
      { speaker: 'agent', text: 'Hello!' },
      { speaker: 'caller', text: 'do you have any openings tomorrow' },
    ]);
    expect(detail.turns[2]).toMatchObject({ speaker: 'agent' });
    // Nothing went to Twilio: a web call has no Twilio call to control.
    expect(h.twilio.requestsTo('POST', /\/Calls\//)).toHaveLength(0);
  });

  it('closes a socket whose start carries a replayed, expired, forged, foreign or Twilio token', async () => {
    const tokens = h.server.services;
    const closedWith = async (callId: string, token: string) => {
      const phone = await WebPhoneClient.open(socketUrl());
      phone.start(callId, token);
      await phone.closed;
      return phone.closeCode;
    };
    const used = await dial();
    await used.phone.waitFor(() => used.phone.count('media') > 0, 10_000);
    expect(await closedWith(used.call.callId, used.call.token)).toBe(1008); // replayed
    used.phone.hangUp();

    const fresh = await newCall();
    const claims = { callId: fresh.callId, tenantId: h.tenant.tenantId, agentId: h.agentId, callSid: fresh.callId };
    expect(await closedWith(fresh.callId, tokens.webCallTokens.issue(claims, Date.now() - 31_000))).toBe(1008); // expired
    expect(await closedWith(fresh.callId, fresh.token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).toBe(1008); // forged signature
    expect(await closedWith(fresh.callId, tokens.callTokens.issue(claims))).toBe(1008); // a Twilio callToken: another key
    expect(await closedWith('call_other', fresh.token)).toBe(1008); // issued for another call
    expect(await closedWith(fresh.callId, '')).toBe(1008);
    expect(h.server.logs.filter((l) => l.event === 'media.bad_call_token').length).toBeGreaterThanOrEqual(6);
  });

  it('refuses an upgrade from another site\'s page, and a web token on the Twilio socket', async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(socketUrl(), { headers: { origin: 'https://evil.example' } });
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode!));
    });
    expect(status).toBe(403);
    const sameOrigin = await WebPhoneClient.open(socketUrl(), { origin: h.server.url });
    sameOrigin.ws.close();
    // The Twilio socket still wants Twilio's signature, whatever the token.
    const twilioStatus = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${h.server.url.replace('http', 'ws')}/twilio/media`);
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode!));
    });
    expect(twilioStatus).toBe(403);
  });

  it('drops garbage like the Twilio socket does, closes on a flood, and closes a socket that never starts', async () => {
    const { phone } = await dial();
    for (const g of ['not json', '{}', '{"event":"media"}', '[1,2,3]', 'null', '{"event":"mark"}', JSON.stringify({ event: 'media', media: { timestamp: '1', payload: 'A'.repeat(20_000) } })]) phone.send(g);
    phone.send(Buffer.from([0, 1, 2, 3]));
    await phone.waitFor(() => phone.count('mark') >= 1, 15_000);
    expect(phone.closeCode).toBeUndefined();
    for (let i = 0; i < 60; i++) phone.send('garbage');
    await phone.closed;
    expect(phone.closeCode).toBe(1008);

    const idle = await WebPhoneClient.open(socketUrl());
    idle.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    await idle.closed;
    expect(idle.closeCode).toBe(1008);
    expect(idle.closeReason).toBe('no start');
  });

  it('ends a web call where a phone call would be transferred, and hangs up by closing the socket', async () => {
    const { call, phone } = await dial();
    await phone.waitFor(() => phone.count('mark') >= 1, 10_000);
    phone.send({ event: 'dtmf', streamSid: phone.streamSid, dtmf: { digit: '0', track: 'inbound_track' } });
    await phone.closed;
    expect(phone.closeCode).toBe(4001);
    const transferred = await waitForCall(call.callId, (c) => c.status === 'completed');
    expect(transferred.turns.map((t) => t.text)).toEqual(expect.arrayContaining(['(pressed 0)', 'Connecting you now.']));
    expect(transferred.endReason).toBe('transferred');

    h.stt.respond = () => 'that is all, goodbye';
    const second = await dial();
    await second.phone.waitFor(() => second.phone.count('mark') >= 1, 10_000);
    await second.phone.say(pcmToMulaw(jfkAt8k().slice(0, 8000 * 2.5)));
    await second.phone.closed;
    expect(second.phone.closeCode).toBe(1000);
    expect((await waitForCall(second.call.callId, (c) => c.status === 'completed'))).toMatchObject({ endReason: 'agent_ended' });
    expect(h.twilio.requestsTo('POST', /\/Calls\//)).toHaveLength(0);
  });
});
