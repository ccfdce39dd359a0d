import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { DrizzleQueryError } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedCall } from '../scripts/lib/simulated-call.js';
import { callOptions } from '../scripts/lib/local-telephony.js';
import { createLogger } from '../src/observability/logger.js';
import { maskPhone, maskPhonesInText } from '../src/observability/redact.js';
import { startOpenAiChatServer, type OpenAiChatServer } from './doubles/openai-chat-server.js';
import { jfkAt8k, startTelephonyHarness, type TelephonyHarness } from './helpers/telephony-harness.js';
import { TEST_ADMIN_KEY } from './helpers/test-server.js';

const CALLER = '+14155550123';
const TRANSCRIPT = 'my kitchen sink is flooding the basement';
const MESSAGE = 'Please ring back about the burst pipe under the sink';
const CALLBACK = '+14155550188';

describe('the log', () => {
  let model: OpenAiChatServer;
  let h: TelephonyHarness;
  let receiver: Server;
  let receiverUrl: string;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(500).end()); // fails, so the failure path logs too
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    model = await startOpenAiChatServer();
    h = await startTelephonyHarness({
      env: { OPENAI_API_KEY: model.apiKey, OPENAI_BASE_URL: model.baseUrl, CRAWL_ALLOW_PRIVATE: 'true', WEBHOOK_INTERVAL_MS: '50', WEBHOOK_RETRY_BASE_MS: '20' },
      agent: { greeting: 'Hello!' },
    });
  });
  afterAll(async () => {
    await h.stop();
    await model.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('never holds a caller number, what the caller said, a message, an API key or a webhook secret', async () => {
    const { secret } = (await h.tenant.request('PUT', '/api/webhook', { url: receiverUrl })).body;
    expect(secret).toMatch(/^whsec_/);
    let round = 0;
    model.respond = () =>
      round++ === 0
        ? { toolCalls: [{ name: 'take_message', arguments: JSON.stringify({ name: 'Dana', callbackNumber: CALLBACK, message: MESSAGE }) }] }
        : { content: "Thanks Dana, I'll pass that on." };
    h.stt.respond = () => TRANSCRIPT;

    const call = await SimulatedCall.dial({ ...callOptions(h.server.url, h.number), from: CALLER });
    await call.waitFor(() => call.count('mark') >= 1, 10_000);
    await call.say(jfkAt8k().slice(0, 8000 * 2.5));
    await call.waitFor(() => call.count('mark') >= 2, 15_000);
    call.hangUp();
    await call.closed;

    // It all happened: the transcript, the message and a (failing) webhook delivery.
    const callId = call.parameters.callId!;
    const detail = (await h.tenant.get(`/api/calls/${callId}`)).body;
    expect(detail.fromNumber ?? CALLER).toBe(CALLER);
    expect(detail.turns.some((t: { text: string }) => t.text === TRANSCRIPT)).toBe(true);
    expect((await h.tenant.get('/api/messages')).body.messages[0]).toMatchObject({ message: MESSAGE, callbackNumber: CALLBACK });
    const deadline = Date.now() + 10_000;
    while (!h.server.logs.some((l) => l.event === 'webhook.failed') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(h.server.logs.some((l) => l.event === 'webhook.failed')).toBe(true);
    // Logged with the key in the header, and an admin request too.
    await h.tenant.get('/api/messages?limit=1');
    await h.server.admin.get('/api/tenants');

    const lines = h.server.logs.map((l) => JSON.stringify(l));
    const text = lines.join('\n');
    const digits = (n: string) => n.replace(/\D/g, '');
    for (const forbidden of [CALLER, digits(CALLER), digits(CALLER).slice(1), CALLBACK, digits(CALLBACK), h.number, TRANSCRIPT, MESSAGE, h.tenant.apiKey, TEST_ADMIN_KEY, secret, model.apiKey]) {
      expect(lines.filter((l) => l.includes(forbidden)), forbidden).toEqual([]);
    }
    // The call is still traceable: its masked numbers are there.
    const incoming = h.server.logs.find((l) => l.event === 'call.incoming' && l.routed === true);
    expect(incoming).toMatchObject({ from: '+1•••0123', to: '+1•••0100', callId });
    expect(text).toContain(callId);
  });
});

describe('maskPhone', () => {
  it('keeps the country code and the last digits', () => {
    expect(maskPhone('+14155550100')).toBe('+1•••0100');
    expect(maskPhone('+1 (415) 555-0100')).toBe('+1•••0100');
    expect(maskPhone('+442071234567')).toBe('+44•••4567');
    expect(maskPhone('+35312345678')).toBe('+353•••5678');
    expect(maskPhone('+4930123')).toBe('+49•••23');
    expect(maskPhone('4155550100')).toBe('•••0100');
    expect(maskPhone('anonymous')).toBe('anonymous');
    expect(maskPhone('client:alice')).toBe('[redacted]');
    expect(maskPhone(undefined)).toBeUndefined();
  });

  it('masks numbers written anywhere in a line, URL-encoded ones included', () => {
    expect(maskPhonesInText('from +14155550100 and +44 20 7123 4567, ?n=%2B14155550199')).toBe('from +1•••0100 and +44•••4567, ?n=+1•••0199');
    expect(maskPhonesInText('{"time":"2025-01-01T00:00:00.000Z","n":12345678901}')).toBe('{"time":"2025-01-01T00:00:00.000Z","n":12345678901}');
  });
});

describe('the logger', () => {
  function capture() {
    const lines: string[] = [];
    const log = createLogger('info', new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
    return { log, lines };
  }

  it('censors secrets and words by field name, and masks numbers in messages', () => {
    const { log, lines } = capture();
    log.info({ apiKey: 'vak_aaaaaaaaaaaa_secret', webhookSecret: 'whsec_x', transcript: 'hello there', nested: { token: 't0k3n', callbackNumber: '+14155550100' } }, 'call from +14155550100');
    log.info({ req: { headers: { authorization: 'Bearer vak_zzz' } } }, 'request');
    const text = lines.join('');
    for (const forbidden of ['vak_aaaaaaaaaaaa_secret', 'whsec_x', 'hello there', 't0k3n', '+14155550100', 'vak_zzz']) expect(text).not.toContain(forbidden);
    expect(JSON.parse(lines[0]!)).toMatchObject({ apiKey: '[redacted]', transcript: '[redacted]', msg: 'call from +1•••0100' });
  });

  it('logs a failed query without the values it was bound to', () => {
    // What drizzle throws from its async query path: the bound values in the message and in `params`.
    const error = new DrizzleQueryError('insert into "notes" ("id", "body") values (?, ?)', ['n1', 'the caller said their door code is 4417'], new Error('UNIQUE constraint failed: notes.id'));
    expect(error.message).toContain('door code');
    const { log, lines } = capture();
    log.error({ err: error }, 'could not record call data');
    expect(lines.join('')).not.toContain('door code');
    expect(JSON.parse(lines[0]!).err).toMatchObject({ message: expect.stringContaining('Failed query: insert into "notes"'), params: '[redacted]' });
  });

});
