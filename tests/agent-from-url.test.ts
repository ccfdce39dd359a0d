import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditQueries } from '../src/db/queries/audit.js';
import { TwilioApiDouble } from './doubles/twilio-api-server.js';
import { fixtureSites, serveSite, type TestSite } from './helpers/static-site-server.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

type Tenant = Awaited<ReturnType<TestServer['newTenant']>>;
interface Job { id: string; status: string; stage: string; progress: number; error?: string; stats?: Record<string, any> } // eslint-disable-line @typescript-eslint/no-explicit-any
interface Entry { title: string; content: string; sourceUrl: string }

const PUBLIC_URL = 'https://voice.example.com';
const ACCOUNT_SID = 'AC' + '0123456789abcdef'.repeat(2);
const STAGE_ORDER = ['queued', 'crawl', 'extract', 'categorize', 'configure', 'provision', 'ready'];

/** What each fixture site says about itself, as a person reading it would put it. */
const SITES = {
  'business-casual-coffee': { name: 'Business Casual', phone: '+13175858468', hours: /Monday[^\n]*7 AM[^\n]*8 PM/ },
  'flowmaster-plumbing': { name: 'FlowMaster Plumbing', phone: '+15559875432', hours: /Every day 9 AM to 8 PM/ },
  'wisdom-bites-dental': { name: 'Wisdom Bites Dental Clinic', phone: '+15551234567', hours: /Monday[^\n]*9 AM/ },
} as const;
type SiteName = keyof typeof SITES;

/** A host name other than localhost that /etc/hosts maps to loopback (most machines have one), for the crawler's refusal. */
const loopbackAlias = existsSync('/etc/hosts')
  ? readFileSync('/etc/hosts', 'utf8')
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim().split(/\s+/))
      .filter(([address]) => address && (/^127\./.test(address) || address === '::1'))
      .flatMap(([, ...names]) => names)
      .find((name) => name && !/(^|\.)localhost$/i.test(name) && /^[a-z0-9.-]+$/i.test(name))
  : undefined;

const sites = {} as Record<SiteName, TestSite>;
let twilio: TwilioApiDouble;
let server: TestServer;
let tenant: Tenant;

beforeAll(async () => {
  twilio = await TwilioApiDouble.start({ accountSid: ACCOUNT_SID, authToken: 'test-auth-token' });
  server = await startTestServer({
    CRAWL_ALLOW_PRIVATE: 'true',
    PUBLIC_URL,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: 'test-auth-token',
    TWILIO_API_BASE_URL: twilio.url,
  });
  tenant = await server.newTenant('Agency');
  for (const name of Object.keys(SITES) as SiteName[]) sites[name] = await serveSite(join(fixtureSites, name));
});
afterAll(async () => {
  await server.stop();
  await twilio.stop();
  for (const site of Object.values(sites)) await site.close();
});

/** Every state of the job streamed over SSE, from subscribing until the stream ends with the job. */
async function watch(client: Tenant, url: string, jobId: string): Promise<Job[]> {
  const res = await fetch(`${url}/api/jobs/${jobId}/events`, { headers: { authorization: `Bearer ${client.apiKey}` }, signal: AbortSignal.timeout(60_000) });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  return (await res.text())
    .split('\n\n')
    .filter((e) => e.startsWith('event: job'))
    .map((e) => JSON.parse(e.split('data: ')[1]!) as Job);
}

async function knowledge(client: Tenant, agentId: string): Promise<Record<string, Entry[]>> {
  const res = await client.get(`/api/agents/${agentId}/knowledge`);
  expect(res.status).toBe(200);
  return res.body.categories;
}

function expectStagesInOrder(events: Job[]): void {
  const progress = events.map((e) => e.progress);
  expect(progress, 'progress never goes back').toEqual([...progress].sort((a, b) => a - b));
  const stages = events.map((e) => STAGE_ORDER.indexOf(e.stage));
  expect(stages, `known stages: ${events.map((e) => e.stage).join(',')}`).not.toContain(-1);
  expect(stages, 'stages in pipeline order').toEqual([...stages].sort((a, b) => a - b));
}

describe('POST /api/agents/from-url with the three fixture sites', () => {
  for (const [siteName, expected] of Object.entries(SITES) as [SiteName, (typeof SITES)[SiteName]][]) {
    it(`${siteName}: builds an agent named from the site, with its greeting, instructions, transfer number and hours`, async () => {
      const url = `${sites[siteName].origin}/`;
      const started = await tenant.post('/api/agents/from-url', { url });
      expect(started.status).toBe(202);
      expect(started.body).toEqual({ agentId: expect.stringMatching(/^ag_/), jobId: expect.stringMatching(/^job_/) });
      const { agentId, jobId } = started.body;
      // The agent exists from the first response on.
      expect((await tenant.get(`/api/agents/${agentId}`)).status).toBe(200);

      const events = await watch(tenant, server.url, jobId);
      expectStagesInOrder(events);
      expect(events.at(-1)).toMatchObject({ id: jobId, status: 'succeeded', stage: 'ready', progress: 1 });
      expect(events.length, 'more than the final state was streamed').toBeGreaterThan(1);

      const job = (await tenant.get(`/api/jobs/${jobId}`)).body as Job;
      expect(job).toMatchObject({ id: jobId, kind: 'from_url', agentId, status: 'succeeded', stage: 'ready', progress: 1 });
      expect(job.stats!.stages.map((s: { stage: string }) => s.stage)).toEqual(['crawl', 'extract', 'categorize', 'configure']);
      expect(job.stats!.pages).toBeGreaterThan(0);
      expect(job.stats!.site).toMatchObject({ name: expected.name, phone: expected.phone });

      const agent = (await tenant.get(`/api/agents/${agentId}`)).body;
      expect(agent).toMatchObject({ name: expected.name, transferNumber: expected.phone, websiteUrl: url, status: 'active' });
      expect(agent.greeting).toBe(`Thanks for calling ${expected.name}, how can I help you today?`);
      expect(agent.instructions).toContain(expected.name);
      expect(agent.instructions).toContain(url);
      expect(agent.instructions).toContain(expected.phone);
      expect(agent.instructions).not.toMatch(/\{\{|\}\}|<!--/);

      const categories = await knowledge(tenant, agentId);
      expect(Object.keys(categories)).toHaveLength(18);
      expect(categories.hours!.map((e) => `${e.title}: ${e.content}`).join('\n')).toMatch(expected.hours);

      // The agent answers from what it learnt, through the same brain the phone uses.
      const chat = await tenant.post(`/api/agents/${agentId}/chat`, { message: 'What are your hours?' });
      expect(chat.status).toBe(200);
      expect(chat.body.reply).toMatch(/\b(AM|PM|a\.m\.|p\.m\.)\b|\d/i);

      const audit = auditQueries(server.services.database.db).forTenant(tenant.tenantId);
      expect(audit).toContainEqual(expect.objectContaining({ action: 'agent.created', targetId: agentId, details: expect.objectContaining({ source: 'url', jobId }) }));
    });
  }

  it('keeps the name the owner gave over the name the site gives', async () => {
    const started = await tenant.post('/api/agents/from-url', { url: `${sites['business-casual-coffee'].origin}/`, name: 'Corner Coffee' });
    expect(started.status).toBe(202);
    expect((await tenant.get(`/api/agents/${started.body.agentId}`)).body.name).toBe('Corner Coffee');
    const events = await watch(tenant, server.url, started.body.jobId);
    expect(events.at(-1)).toMatchObject({ status: 'succeeded', stats: { site: { name: 'Business Casual', nameGiven: true } } });
    const agent = (await tenant.get(`/api/agents/${started.body.agentId}`)).body;
    expect(agent.name).toBe('Corner Coffee');
    expect(agent.greeting).toBe('Thanks for calling Corner Coffee, how can I help you today?');
    expect(agent.transferNumber).toBe('+13175858468');
  });
});

describe('when building the agent fails', () => {
  it('an unreachable site fails the job at crawl, saying why, and keeps the agent (disabled)', async () => {
    const started = await tenant.post('/api/agents/from-url', { url: 'http://127.0.0.1:9/' });
    expect(started.status).toBe(202);
    const events = await watch(tenant, server.url, started.body.jobId);
    expectStagesInOrder(events);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ status: 'failed', stage: 'crawl' });
    expect(last.error).toMatch(/^crawl failed: could not read http:\/\/127\.0\.0\.1:9\/: network_error: the site could not be reached/);
    expect(last.progress).toBeLessThan(1);
    const agent = (await tenant.get(`/api/agents/${started.body.agentId}`)).body;
    expect(agent).toMatchObject({ name: '127.0.0.1', status: 'disabled', websiteUrl: 'http://127.0.0.1:9/', transferNumber: null });
  });

  it('without Twilio configured, a requested number fails the job at provision; the agent and its knowledge are kept', async () => {
    const bare = await startTestServer({ CRAWL_ALLOW_PRIVATE: 'true' });
    try {
      const owner = await bare.newTenant('No Twilio');
      const started = await owner.post('/api/agents/from-url', { url: `${sites['wisdom-bites-dental'].origin}/`, provisionNumber: true });
      expect(started.status).toBe(202);
      const events = await watch(owner, bare.url, started.body.jobId);
      expectStagesInOrder(events);
      expect(events.at(-1)).toMatchObject({ status: 'failed', stage: 'provision' });
      expect(events.at(-1)!.error).toMatch(/^provision failed: Twilio is not configured \(set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN\)/);
      expect(events.at(-1)!.stats!.stages.map((s: { stage: string }) => s.stage)).toEqual(['crawl', 'extract', 'categorize', 'configure']);

      const agent = (await owner.get(`/api/agents/${started.body.agentId}`)).body;
      expect(agent).toMatchObject({ name: SITES['wisdom-bites-dental'].name, transferNumber: SITES['wisdom-bites-dental'].phone, status: 'active' });
      const categories = await knowledge(owner, started.body.agentId);
      expect(categories.hours!.length).toBeGreaterThan(0);
      expect((await owner.get('/api/phone-numbers')).body.phoneNumbers).toEqual([]);
    } finally {
      await bare.stop();
    }
  });
});

describe('provisioning a number while building', () => {
  it('buys a number through Twilio, routes it to the new agent, and audits it', async () => {
    twilio.requests.length = 0;
    const started = await tenant.post('/api/agents/from-url', { url: `${sites['flowmaster-plumbing'].origin}/`, provisionNumber: true, areaCode: '212' });
    expect(started.status).toBe(202);
    const { agentId, jobId } = started.body;
    const events = await watch(tenant, server.url, jobId);
    expectStagesInOrder(events);
    const last = events.at(-1)!;
    expect(last, JSON.stringify(last)).toMatchObject({ status: 'succeeded', stage: 'ready', progress: 1 });
    expect(last.stats!.stages.map((s: { stage: string }) => s.stage)).toEqual(['crawl', 'extract', 'categorize', 'configure', 'provision']);
    expect(last.stats!.phoneNumber).toMatchObject({ number: '+12125550100' });

    const numbers = (await tenant.get('/api/phone-numbers')).body.phoneNumbers;
    expect(numbers).toContainEqual(expect.objectContaining({ number: '+12125550100', agentId, twilioSid: expect.stringMatching(/^PN/) }));
    const [purchase] = twilio.requestsTo('POST', /\/IncomingPhoneNumbers\.json$/);
    expect(purchase!.form).toMatchObject({ PhoneNumber: '+12125550100', VoiceUrl: `${PUBLIC_URL}/twilio/voice` });
    const audit = auditQueries(server.services.database.db).forTenant(tenant.tenantId);
    expect(audit).toContainEqual(expect.objectContaining({ action: 'phone_number.provisioned', details: expect.objectContaining({ agentId, number: '+12125550100' }) }));
    expect((await tenant.get(`/api/agents/${agentId}`)).body).toMatchObject({ name: 'FlowMaster Plumbing', status: 'active' });
  });

  it("fails at provision with Twilio's reason when no number is available, keeping the agent", async () => {
    const started = await tenant.post('/api/agents/from-url', { url: `${sites['business-casual-coffee'].origin}/`, provisionNumber: true, areaCode: '907' });
    const last = (await watch(tenant, server.url, started.body.jobId)).at(-1)!;
    expect(last).toMatchObject({ status: 'failed', stage: 'provision' });
    expect(last.error).toMatch(/^provision failed: Twilio has no local numbers available in area code 907/);
    expect((await tenant.get(`/api/agents/${started.body.agentId}`)).body).toMatchObject({ name: 'Business Casual', status: 'active' });
  });
});

describe('validation and isolation', () => {
  it('refuses a bad body with 400 and creates nothing', async () => {
    const before = (await tenant.get('/api/agents')).body.agents.length;
    const bad = [
      {},
      { url: 'not a url' },
      { url: 'ftp://example.com/' },
      { url: 'javascript:alert(1)' },
      { url: 'https://example.com/', name: '' },
      { url: 'https://example.com/', provisionNumber: 'yes' },
      { url: 'https://example.com/', areaCode: '41' },
      { url: 'https://example.com/', extra: true },
    ];
    for (const body of bad) {
      const res = await tenant.post('/api/agents/from-url', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await tenant.post('/api/agents/from-url', { url: 'ftp://example.com/' })).body.error.message).toMatch(/^url: must be an http\(s\) URL/);
    expect((await tenant.get('/api/agents')).body.agents).toHaveLength(before);
  });

  it('needs a tenant key', async () => {
    expect((await tenant.withKey(undefined).post('/api/agents/from-url', { url: 'https://example.com/' })).status).toBe(401);
  });

  it("answers 404 for another tenant's job, its events and its agent", async () => {
    const started = await tenant.post('/api/agents/from-url', { url: `${sites['business-casual-coffee'].origin}/` });
    const other = await server.newTenant('Other');
    expect((await other.get(`/api/jobs/${started.body.jobId}`)).status).toBe(404);
    expect((await other.get(`/api/jobs/${started.body.jobId}/events`)).status).toBe(404);
    expect((await other.get(`/api/agents/${started.body.agentId}`)).status).toBe(404);
    expect((await watch(tenant, server.url, started.body.jobId)).at(-1)!.status).toBe('succeeded');
  });
});

describe('with private addresses refused (CRAWL_ALLOW_PRIVATE off, the default)', () => {
  let guarded: TestServer;
  let owner: Tenant;
  beforeAll(async () => {
    guarded = await startTestServer();
    owner = await guarded.newTenant('Guarded');
  });
  afterAll(() => guarded.stop());

  it('refuses loopback and private URLs up front with 400', async () => {
    for (const url of ['http://127.0.0.1:8080/', 'http://localhost/', 'http://10.1.2.3/', 'http://[::1]/', 'http://169.254.169.254/latest/meta-data/']) {
      const res = await owner.post('/api/agents/from-url', { url });
      expect(res.status, url).toBe(400);
      expect(res.body.error.message).toMatch(/private or loopback address/);
    }
    expect((await owner.get('/api/agents')).body.agents).toEqual([]);
  });

  it.runIf(loopbackAlias)('fails the job at crawl, saying so, when a host name resolves to a private address', async () => {
    const started = await owner.post('/api/agents/from-url', { url: `http://${loopbackAlias}:${sites['business-casual-coffee'].port}/` });
    expect(started.status).toBe(202);
    const last = (await watch(owner, guarded.url, started.body.jobId)).at(-1)!;
    expect(last).toMatchObject({ status: 'failed', stage: 'crawl' });
    expect(last.error).toMatch(/^crawl failed: could not read http:\/\/[\w.-]+:\d+\/: private_address: it points at a private or loopback address/);
  });
});
