import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askOneQuestion, startTelephonyHarness, type TelephonyHarness } from './helpers/telephony-harness.js';

interface Received { headers: Record<string, string | string[] | undefined>; body: string }

describe('after a call', () => {
  let h: TelephonyHarness;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];
  let answers: number[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(answers.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    h = await startTelephonyHarness({ env: { CRAWL_ALLOW_PRIVATE: 'true', WEBHOOK_INTERVAL_MS: '50', WEBHOOK_RETRY_BASE_MS: '20' } });
  });
  afterAll(async () => {
    await h.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('stores a summary and outcome, and delivers a signed call.ended event at least once, retrying failures', async () => {
    const { secret } = (await h.tenant.request('PUT', '/api/webhook', { url: receiverUrl })).body;
    expect(secret).toMatch(/^whsec_/);
    answers = [500, 503]; // the receiver is down for the first two tries
    h.stt.respond = () => 'what time do you open';
    const call = await askOneQuestion(h);

    const deadline = Date.now() + 10_000;
    while (received.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(received).toHaveLength(3);
    const delivered = received[2]!;
    const timestamp = String(delivered.headers['x-webhook-timestamp']);
    const expected = 'v1=' + createHmac('sha256', secret).update(`${timestamp}.${delivered.body}`).digest('hex');
    expect(delivered.headers['x-webhook-signature']).toBe(expected);
    expect(new Set(received.map((r) => r.headers['x-webhook-id'])).size).toBe(1); // one event, retried
    const event = JSON.parse(delivered.body);
    expect(event).toMatchObject({ event: 'call.ended', data: { callId: call.parameters.callId, intent: 'what time do you open', outcome: 'caller_hung_up' } });
    expect(event.data.turns.length).toBeGreaterThanOrEqual(3);

    const detail = (await h.tenant.get(`/api/calls/${call.parameters.callId}`)).body;
    expect(detail).toMatchObject({ intent: 'what time do you open', outcome: 'caller_hung_up' });
    expect(detail.summary).toContain('Caller asked: "what time do you open"');
    await new Promise((r) => setTimeout(r, 200));
    const deliveries = (await h.tenant.get('/api/webhook/deliveries')).body.deliveries;
    expect(deliveries[0]).toMatchObject({ event: 'call.ended', status: 'delivered', attempts: 2 });
  });

  it('parks an undeliverable event as dead, visible and retryable by hand', async () => {
    answers = Array(20).fill(500);
    const call = await h.dial();
    await call.waitFor(() => call.count('mark') >= 1, 10_000);
    call.hangUp();
    await call.closed;
    const deadline = Date.now() + 20_000;
    let dead: { id: string; attempts: number; lastError: string }[] = [];
    while (dead.length === 0 && Date.now() < deadline) {
      dead = (await h.tenant.get('/api/webhook/deliveries?status=dead')).body.deliveries;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(dead[0]).toMatchObject({ attempts: 8, lastError: 'receiver answered 500' });
    answers = [];
    const retried = await h.tenant.post(`/api/webhook/deliveries/${dead[0]!.id}/retry`);
    expect(retried.body).toMatchObject({ status: 'pending', attempts: 0 });
    const until = Date.now() + 5000;
    let status = 'pending';
    while (status !== 'delivered' && Date.now() < until) {
      status = (await h.tenant.get('/api/webhook/deliveries')).body.deliveries.find((d: { id: string }) => d.id === dead[0]!.id).status;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe('delivered');
  });
});
