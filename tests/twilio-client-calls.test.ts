/**
 * "Call through Twilio" (issue 7): POST /api/agents/:id/voice-token issues a Twilio Access Token
 * for @twilio/voice-sdk whose random identity may reach one agent only; Twilio's client call then
 * arrives at POST /twilio/voice with From=client:<identity> and the page's connect params, and is
 * routed by that identity to the same <Connect><Stream> and media socket as a phone call.
 * Twilio itself cannot be reached offline: its webhook and media stream are played by
 * SimulatedCall, and the browser part is checked up to the point where it would reach Twilio.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import twilio from 'twilio';
import { chromium, type Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedCall } from '../scripts/lib/simulated-call.js';
import { callOptions } from '../scripts/lib/local-telephony.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { findChromium } from '../src/knowledge/crawler/index.js';
import { TwilioClientIdentities, VOICE_TOKEN_TTL_SECONDS } from '../src/telephony/twilio-client.js';
import { twilioSdkBundle } from '../src/web/dashboard.js';
import { ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL, startTelephonyHarness, type TelephonyHarness } from './helpers/telephony-harness.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const API_KEY_SID = 'SK' + 'fedcba9876543210'.repeat(2);
const API_KEY_SECRET = 'voice-sdk-api-key-secret-for-tests';
const TWIML_APP_SID = 'AP' + '0123456789abcdef'.repeat(2);
const VOICE_SDK_ENV = { TWILIO_API_KEY_SID: API_KEY_SID, TWILIO_API_KEY_SECRET: API_KEY_SECRET, TWILIO_TWIML_APP_SID: TWIML_APP_SID };
const CHROMIUM = findChromium();

type Tenant = Awaited<ReturnType<TestServer['newTenant']>>;

/** The JWT's parts, its HS256 signature checked with `secret` by hand (no JWT library needed). */
function decodeJwt(token: string, secret: string) {
  const [header, payload, signature] = token.split('.');
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return {
    header: JSON.parse(Buffer.from(header!, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')),
    signatureValid: signature === expected,
  };
}

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('configuration of Voice SDK calls', () => {
  const twilioEnv = { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN };

  it('takes the API key and TwiML App together, with the account', () => {
    expect(loadConfig({ ...twilioEnv, ...VOICE_SDK_ENV }).twilio?.voiceSdk).toEqual({ apiKeySid: API_KEY_SID, apiKeySecret: API_KEY_SECRET, twimlAppSid: TWIML_APP_SID });
    expect(loadConfig(twilioEnv).twilio?.voiceSdk).toBeUndefined();
    expect(loadConfig({}).twilio).toBeUndefined();
  });

  it('names what is missing or malformed, and never echoes the secret', () => {
    const onlyKey = configError({ ...twilioEnv, TWILIO_API_KEY_SID: API_KEY_SID });
    expect(onlyKey).toMatch(/TWILIO_API_KEY_SECRET must be set together/);
    expect(onlyKey).toMatch(/TWILIO_TWIML_APP_SID must be set together/);
    expect(configError(VOICE_SDK_ENV)).toMatch(/TWILIO_ACCOUNT_SID is required when TWILIO_API_KEY_SID is set/);
    expect(configError({ ...twilioEnv, ...VOICE_SDK_ENV, TWILIO_API_KEY_SID: 'AC' + 'a'.repeat(32) })).toMatch(/TWILIO_API_KEY_SID must look like SK/);
    expect(configError({ ...twilioEnv, ...VOICE_SDK_ENV, TWILIO_TWIML_APP_SID: 'nope' })).toMatch(/TWILIO_TWIML_APP_SID must look like AP/);
    const secretOnly = configError({ ...twilioEnv, TWILIO_API_KEY_SECRET: 'hunter2-secret' });
    expect(secretOnly).not.toContain('hunter2');
    expect(secretOnly).not.toContain('\n');
  });
});

describe('client identities', () => {
  it('bind a random identity to one agent until they expire', () => {
    const identities = new TwilioClientIdentities(1000);
    const a = identities.issue({ tenantId: 'tn_a', agentId: 'agent_a' }, 0);
    const b = identities.issue({ tenantId: 'tn_b', agentId: 'agent_b' }, 0);
    expect(a).toMatch(/^web-[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
    expect(identities.resolve(a, 999)).toEqual({ tenantId: 'tn_a', agentId: 'agent_a' });
    expect(identities.resolve(b, 1000)).toEqual({ tenantId: 'tn_b', agentId: 'agent_b' });
    expect(identities.resolve(a, 1001)).toBeUndefined();
    expect(identities.resolve('web-unknown', 0)).toBeUndefined();
    identities.issue({ tenantId: 'tn_c', agentId: 'agent_c' }, 5000); // issuing forgets the expired ones
    expect(identities.size).toBe(1);
  });
});

describe('calls through @twilio/voice-sdk', () => {
  let h: TelephonyHarness;
  let other: Tenant;
  let otherAgentId: string;
  beforeAll(async () => {
    h = await startTelephonyHarness({ env: { ...VOICE_SDK_ENV, TTS_ENGINE: 'espeak' }, agent: { greeting: 'Hello from Flowmaster!' } });
    other = await h.server.newTenant('Someone else');
    otherAgentId = (await other.post('/api/agents', { name: 'Theirs', greeting: 'Hello from someone else!' })).body.id;
  }, 60_000);
  afterAll(() => h?.stop());

  const voiceToken = async (tenant: Tenant = h.tenant, agentId = h.agentId) => {
    const res = await tenant.post(`/api/agents/${agentId}/voice-token`);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { token: string; identity: string; expiresInSeconds: number };
  };
  /** Twilio's webhook for a Voice SDK call: From=client:<identity>, no To, the connect params as fields. */
  const clientCall = (identity: string, params: Record<string, string> = {}, callSid?: string) => ({
    ...callOptions(h.server.url, ''),
    from: `client:${identity}`,
    callSid,
    params: { ApplicationSid: TWIML_APP_SID, Caller: `client:${identity}`, ...params },
  });
  const refused = (twiml: string) => {
    expect(twiml).toMatch(/<Say>[^<]+<\/Say><Hangup\/>/);
    expect(twiml).not.toContain('<Connect>');
  };
  const callsOf = async (tenant: Tenant) => (await tenant.get('/api/calls')).body.calls as { id: string; twilioCallSid: string | null; agentId: string; channel: string }[];

  it('issues an Access Token that can only place calls through the TwiML App, for a random identity', async () => {
    const res = await h.tenant.post(`/api/agents/${h.agentId}/voice-token`);
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { token, identity, expiresInSeconds } = res.body;
    expect(identity).toMatch(/^web-[0-9a-f]{32}$/);
    expect(identity).not.toContain(h.agentId);
    expect(identity).not.toContain(h.tenant.tenantId);
    expect(expiresInSeconds).toBe(VOICE_TOKEN_TTL_SECONDS);
    expect(VOICE_TOKEN_TTL_SECONDS).toBeLessThanOrEqual(900);

    const jwt = decodeJwt(token, API_KEY_SECRET);
    expect(jwt.signatureValid).toBe(true);
    expect(decodeJwt(token, 'another-secret').signatureValid).toBe(false);
    expect(jwt.header).toMatchObject({ alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1' });
    expect(jwt.payload).toMatchObject({ iss: API_KEY_SID, sub: ACCOUNT_SID });
    expect(jwt.payload.exp - jwt.payload.iat).toBe(VOICE_TOKEN_TTL_SECONDS);
    expect(Math.abs(jwt.payload.iat - Date.now() / 1000)).toBeLessThan(60);
    expect(jwt.payload.grants).toEqual({ identity, voice: { outgoing: { application_sid: TWIML_APP_SID } } }); // no incoming calls
    expect((await voiceToken()).identity).not.toBe(identity); // a fresh identity every time

    // Neither the token nor the API key secret is written to the logs.
    const logs = JSON.stringify(h.server.logs);
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(API_KEY_SECRET);
    expect(h.server.logs.some((l) => l.event === 'voice_token.issued' && l.identity === identity && l.agentId === h.agentId)).toBe(true);
  });

  it('refuses another tenant\'s agent (404), an unknown one, a missing key, the admin key and a disabled agent', async () => {
    expect((await other.post(`/api/agents/${h.agentId}/voice-token`)).status).toBe(404);
    expect((await h.tenant.post('/api/agents/agent_nope/voice-token')).status).toBe(404);
    expect((await h.tenant.withKey(undefined).post(`/api/agents/${h.agentId}/voice-token`)).status).toBe(401);
    expect((await h.server.admin.post(`/api/agents/${h.agentId}/voice-token`)).status).toBe(403);
    const disabled = (await h.tenant.post('/api/agents', { name: 'Off', status: 'disabled' })).body;
    expect((await h.tenant.post(`/api/agents/${disabled.id}/voice-token`)).status).toBe(409);
  });

  it('tells the dashboard that Twilio client calls are available', async () => {
    expect((await h.tenant.get('/api/capabilities')).body).toEqual({ webCalls: true, twilioClientCalls: true });
  });

  it('routes a client call to the token\'s agent, and the media socket then carries the call', async () => {
    h.stt.respond = () => '';
    const { identity } = await voiceToken();
    const call = await SimulatedCall.dial(clientCall(identity, { agentId: h.agentId }));
    expect(call.twiml).toMatch(/<Response><Connect><Stream url="wss:\/\/voice\.example\.test\/twilio\/media">/);
    expect(call.parameters.callToken).toMatch(/^[\w-]+\.[\w-]+$/);
    await call.waitFor(() => call.count('mark') >= 1, 15_000); // the greeting was played through the stream
    expect(call.played.length).toBeGreaterThan(25);
    const detail = (await h.tenant.get(`/api/calls/${call.parameters.callId}`)).body;
    expect(detail).toMatchObject({ agentId: h.agentId, channel: 'twilio-client', twilioCallSid: call.callSid, from: null, to: null, status: 'in-progress' });
    call.hangUp();
    await call.closed;
    await expect
      .poll(async () => (await h.tenant.get(`/api/calls/${call.parameters.callId}`)).body, { timeout: 10_000 })
      .toMatchObject({ status: 'completed', turns: [{ speaker: 'agent', text: 'Hello from Flowmaster!' }] });
    expect(h.server.logs.some((l) => l.event === 'call.incoming' && l.channel === 'twilio-client' && l.routed === true && l.identity === identity)).toBe(true);
  });

  it('transfers a client call with the agent\'s own number as caller ID (a browser has none, and Twilio needs one)', async () => {
    const transfersOf = (call: SimulatedCall) => h.twilio.requestsTo('POST', new RegExp(`/Calls/${call.callSid}\\.json$`));
    const pressZero = async (tenant: Tenant, agentId: string) => {
      const { identity } = await voiceToken(tenant, agentId);
      const call = await SimulatedCall.dial(clientCall(identity, { agentId }));
      await call.waitFor(() => call.count('mark') >= 1, 15_000);
      call.dtmf('0');
      return call;
    };
    await h.tenant.patch(`/api/agents/${h.agentId}`, { transferNumber: '+14155550999' });
    await other.patch(`/api/agents/${otherAgentId}`, { transferNumber: '+14155550999' });
    try {
      const call = await pressZero(h.tenant, h.agentId);
      await expect.poll(() => transfersOf(call).length, { timeout: 15_000 }).toBe(1);
      expect(transfersOf(call)[0]!.form.Twiml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Dial callerId="+14155550100">+14155550999</Dial></Response>');
      call.hangUp();
      await call.closed;

      // An agent with no phone number of its own cannot show one: the transfer is refused and logged, not sent to fail at Twilio.
      const numberless = await pressZero(other, otherAgentId);
      await expect.poll(() => h.server.logs.some((l) => l.event === 'call.transfer_failed' && l.callId === numberless.parameters.callId), { timeout: 15_000 }).toBe(true);
      expect(transfersOf(numberless)).toEqual([]);
      numberless.hangUp();
      await numberless.closed;
    } finally {
      await h.tenant.patch(`/api/agents/${h.agentId}`, { transferNumber: null });
      await other.patch(`/api/agents/${otherAgentId}`, { transferNumber: null });
    }
  });

  it('routes by the identity alone when the page passes no agentId, and answers a retried webhook with the same call', async () => {
    const { identity } = await voiceToken();
    const first = await SimulatedCall.ring(clientCall(identity));
    const again = await SimulatedCall.ring(clientCall(identity, {}, first.callSid));
    expect(again.parameters.callId).toBe(first.parameters.callId);
    expect((await callsOf(h.tenant)).filter((c) => c.twilioCallSid === first.callSid)).toMatchObject([{ agentId: h.agentId, channel: 'twilio-client' }]);
  });

  it('refuses a call that asks for another agent than its token allows, even of the same tenant', async () => {
    const second = (await h.tenant.post('/api/agents', { name: 'Second' })).body.id as string;
    const { identity } = await voiceToken();
    const call = await SimulatedCall.ring(clientCall(identity, { agentId: second }));
    refused(call.twiml);
    expect((await callsOf(h.tenant)).some((c) => c.twilioCallSid === call.callSid)).toBe(false);
  });

  it('refuses an unknown identity, and one of another tenant asking for this tenant\'s agent', async () => {
    const unknown = await SimulatedCall.ring(clientCall('web-' + '0'.repeat(32), { agentId: h.agentId }));
    refused(unknown.twiml);
    expect(h.server.logs.some((l) => l.event === 'call.incoming' && l.identity === 'web-' + '0'.repeat(32) && l.routed === false)).toBe(true);

    const theirs = await voiceToken(other, otherAgentId);
    const crossing = await SimulatedCall.ring(clientCall(theirs.identity, { agentId: h.agentId }));
    refused(crossing.twiml);
    // Their identity reaches their own agent, and the call is theirs, not ours.
    const own = await SimulatedCall.ring(clientCall(theirs.identity, { agentId: otherAgentId }));
    expect(own.twiml).toContain('<Connect>');
    expect((await callsOf(other)).filter((c) => c.twilioCallSid === own.callSid)).toMatchObject([{ agentId: otherAgentId, channel: 'twilio-client' }]);
    expect((await callsOf(h.tenant)).some((c) => c.twilioCallSid === own.callSid || c.twilioCallSid === crossing.callSid)).toBe(false);
  });

  it('refuses an identity whose agent was disabled after the token was issued', async () => {
    const agent = (await h.tenant.post('/api/agents', { name: 'Soon off' })).body.id as string;
    const { identity } = await voiceToken(h.tenant, agent);
    expect((await h.tenant.patch(`/api/agents/${agent}`, { status: 'disabled' })).status).toBe(200);
    refused((await SimulatedCall.ring(clientCall(identity, { agentId: agent }))).twiml);
  });

  it('checks the webhook signature and the client identity\'s form', async () => {
    const { identity } = await voiceToken();
    const params = { AccountSid: ACCOUNT_SID, CallSid: 'CA' + 'b'.repeat(32), From: `client:${identity}`, To: '', agentId: h.agentId };
    const post = (body: Record<string, string>, signature?: string) =>
      fetch(`${h.server.url}/twilio/voice`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) },
        body: new URLSearchParams(body).toString(),
      });
    expect((await post(params)).status).toBe(403);
    expect((await post(params, twilio.getExpectedTwilioSignature('not-the-auth-token', `${PUBLIC_URL}/twilio/voice`, params))).status).toBe(403);
    const odd = { ...params, From: 'client:web <script>' };
    expect((await post(odd, twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/twilio/voice`, odd))).status).toBe(400);
    expect((await callsOf(h.tenant)).some((c) => c.twilioCallSid === params.CallSid)).toBe(false);
  });

  it('serves the SDK\'s browser bundle from the dashboard, and lets the page reach Twilio\'s signalling', async () => {
    const res = await fetch(`${h.server.url}/app/vendor/twilio.min.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.equals(readFileSync(twilioSdkBundle()!))).toBe(true);
    expect(body.toString('utf8')).toContain('Twilio.Device');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/connect-src 'self'[^;]* wss:\/\/\*\.twilio\.com https:\/\/eventgw\.twilio\.com/);
    expect(csp).toContain("script-src 'self';");
  });
});

describe('without Voice SDK configuration', () => {
  let server: TestServer;
  let tenant: Tenant;
  let agentId: string;
  beforeAll(async () => {
    server = await startTestServer({ TTS_ENGINE: 'espeak' });
    tenant = await server.newTenant('Plain');
    agentId = (await tenant.post('/api/agents', { name: 'Plain agent' })).body.id;
  });
  afterAll(() => server?.stop());

  it('answers 503 with what to set, says so in /api/capabilities, and keeps Twilio out of the CSP', async () => {
    const res = await tenant.post(`/api/agents/${agentId}/voice-token`);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('unavailable');
    expect(res.body.error.message).toMatch(/TWILIO_API_KEY_SID, TWILIO_API_KEY_SECRET and TWILIO_TWIML_APP_SID/);
    expect((await tenant.get('/api/capabilities')).body).toEqual({ webCalls: true, twilioClientCalls: false });
    const page = await fetch(`${server.url}/app/`);
    expect(page.headers.get('content-security-policy')).not.toContain('twilio');
  });
});

describe.skipIf(!CHROMIUM)('the "Call through Twilio" button in Chromium', () => {
  let h: TelephonyHarness;
  let plain: TestServer;
  let plainTenant: Tenant;
  let plainAgentId: string;
  let browser: Browser;
  beforeAll(async () => {
    [h, plain] = await Promise.all([startTelephonyHarness({ env: { ...VOICE_SDK_ENV, TTS_ENGINE: 'espeak' } }), startTestServer({ TTS_ENGINE: 'espeak' })]);
    plainTenant = await plain.newTenant('Plain');
    plainAgentId = (await plainTenant.post('/api/agents', { name: 'Plain agent' })).body.id;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Offline anyway; Twilio's names fail at once instead of waiting on DNS.
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--host-resolver-rules=MAP *.twilio.com ~NOTFOUND'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all([h?.stop(), plain?.stop()]);
  });

  /** The talk page of `agentId`, signed in with `apiKey`; console errors collected. */
  const openTalk = async (url: string, apiKey: string, agentId: string, options: { clock?: boolean } = {}) => {
    const context = await browser.newContext({ permissions: ['microphone'] });
    const page = await context.newPage();
    if (options.clock) await page.clock.install();
    const console: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && console.push(m.text())));
    page.on('pageerror', (e) => void console.push(`page error: ${e.message}`));
    await page.goto(`${url}/app/`);
    await page.evaluate(`sessionStorage.setItem('voice-agent.apiKey', ${JSON.stringify(apiKey)})`);
    await page.goto(`${url}/app/#/agents/${agentId}/talk`);
    await page.getByRole('button', { name: 'Start call' }).waitFor();
    return { context, page, console };
  };

  it('is not shown when the server has no Voice SDK configuration', async () => {
    const { context, page, console } = await openTalk(plain.url, plainTenant.apiKey, plainAgentId);
    expect(await page.locator('#start-twilio-call').isHidden()).toBe(true);
    expect(await page.getByRole('button', { name: 'Call through Twilio' }).count()).toBe(0);
    expect(console).toEqual([]);
    await context.close();
  });

  it('is shown when it is, and loads the SDK from this server under the CSP and gets a token for this agent', async () => {
    const { context, page, console } = await openTalk(h.server.url, h.tenant.apiKey, h.agentId);
    const button = page.getByRole('button', { name: 'Call through Twilio' });
    await button.waitFor();
    expect(await button.isVisible()).toBe(true);
    expect(await page.evaluate('typeof globalThis.Twilio')).toBe('undefined'); // loaded on the first call only
    // What reaches the network got past the CSP (Chromium refuses a fetch or socket it forbids before any request).
    const reached = new Set<string>();
    await context.route('https://**.twilio.com/**', (route) => (reached.add(new URL(route.request().url()).origin), route.abort()));
    await button.click();
    await expect.poll(() => page.evaluate('typeof globalThis.Twilio?.Device'), { timeout: 10_000 }).toBe('function');
    await expect.poll(() => h.server.logs.some((l) => l.event === 'voice_token.issued' && l.agentId === h.agentId), { timeout: 10_000 }).toBe(true);
    // The SDK's signalling socket was tried (and failed on DNS), not refused by connect-src.
    const signalling = "WebSocket connection to 'wss://voice-js.roaming.twilio.com/signal' failed";
    await expect.poll(() => console.some((text) => text.includes(signalling)), { timeout: 10_000 }).toBe(true);
    // The SDK reports the failed signalling; the page says so and offers the call again.
    await page.getByRole('alert').filter({ hasText: 'Could not call through Twilio (error 31000)' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#call-status').textContent()).toBe('Not connected.');
    await page.getByRole('button', { name: 'Call through Twilio' }).waitFor();
    expect(reached).toContain('https://sdk.twilio.com'); // its ringing sounds, allowed too
    expect(console.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
    await context.close();
  }, 60_000);
});
