import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureSites, serveSite } from './helpers/static-site-server.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

type Tenant = Awaited<ReturnType<TestServer['newTenant']>>;
interface Entry { id: string; title: string; content: string; sourceUrl: string; conflict: boolean; factKey: string | null; origin: string }

let server: TestServer;
let tenant: Tenant;
const sites: Record<string, Awaited<ReturnType<typeof serveSite>>> = {};

beforeAll(async () => {
  server = await startTestServer({ CRAWL_ALLOW_PRIVATE: 'true' });
  tenant = await server.newTenant('Agency');
  for (const name of ['business-casual-coffee', 'flowmaster-plumbing', 'wisdom-bites-dental']) sites[name] = await serveSite(join(fixtureSites, name));
});
afterAll(async () => {
  await server.stop();
  for (const site of Object.values(sites)) await site.close();
});

async function crawl(agentId: string) {
  const started = await tenant.post(`/api/agents/${agentId}/recrawl`);
  expect(started.status).toBe(202);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = (await tenant.get(`/api/jobs/${started.body.jobId}`)).body;
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    if (Date.now() > deadline) throw new Error('crawl did not finish: ' + JSON.stringify(job));
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function agentFor(site: string) {
  const agent = (await tenant.post('/api/agents', { name: site, websiteUrl: `${sites[site]!.origin}/` })).body;
  const job = await crawl(agent.id);
  expect(job.status, JSON.stringify(job)).toBe('succeeded');
  const categories = (await tenant.get(`/api/agents/${agent.id}/knowledge`)).body.categories as Record<string, Entry[]>;
  const text = (category: string) => categories[category]!.map((e) => `${e.title}: ${e.content}`).join('\n');
  return { agent, job, categories, text };
}

describe('knowledge from a real coffee shop site', () => {
  it('files hours, address, phone and founding year in their categories', async () => {
    const { job, categories, text } = await agentFor('business-casual-coffee');
    expect(job.stats.pages).toBe(4);
    expect(text('hours')).toMatch(/Monday[^\n]*7(:00)?\s*AM[^\n]*8(:00)?\s*PM/i);
    expect(text('hours')).toMatch(/Sunday[^\n]*closed|closed[^\n]*Sunday/i);
    expect(text('location')).toContain('1116 Orchard Street');
    expect(categories.contact!.some((e) => e.factKey === 'phone' && /317\D*585\D*8468/.test(e.content))).toBe(true);
    expect(text('about')).toContain('1987');
    expect(categories.hours!.every((e) => e.sourceUrl.endsWith('/store.html'))).toBe(true);
  });
});

describe('knowledge from a real dental clinic site', () => {
  it('keeps FAQ answers, contact facts, and flags the facts the pages disagree on', async () => {
    const { categories, text } = await agentFor('wisdom-bites-dental');
    // FAQ pairs are filed by topic: a question about checkups is a services answer.
    const checkup = Object.entries(categories).flatMap(([category, list]) => list.map((e) => ({ category, ...e }))).find((e) => e.title === 'How often should I get a dental checkup?');
    expect(checkup?.content).toMatch(/six months/);
    expect(['faq', 'services', 'booking']).toContain(checkup?.category);
    expect(text('payment')).toMatch(/insurance/i);
    expect(categories.contact!.some((e) => e.factKey === 'phone' && /555\D*123\D*4567/.test(e.content))).toBe(true);
    expect(text('location')).toContain('123 Dental Avenue');
    expect(text('hours')).toMatch(/Monday[^\n]*9(:00)?\s*AM/i);
    const flagged = Object.values(categories).flat().filter((e) => e.conflict);
    expect(flagged.length).toBeGreaterThanOrEqual(2);
    expect(new Set(flagged.map((e) => e.factKey))).not.toContain(null);
  });
});

describe('knowledge from a real plumbing site', () => {
  it('keeps both contradicting phone numbers with their sources, flagged, and files the policies', async () => {
    const { categories, text } = await agentFor('flowmaster-plumbing');
    const phones = categories.contact!.filter((e) => e.factKey === 'phone');
    expect(phones.some((e) => /555\D*000\D*0000/.test(e.content) && e.conflict)).toBe(true);
    expect(phones.some((e) => /555\D*987\D*5432/.test(e.content) && e.conflict)).toBe(true);
    const policySources = new Set(categories.policies!.map((e) => new URL(e.sourceUrl).pathname));
    for (const page of ['/privacy.html', '/terms.html', '/cookies.html']) expect(policySources).toContain(page);
    expect(text('services')).toMatch(/water heater/i);
  });
});

describe('re-crawling', () => {
  it('updates changed facts, removes vanished ones, keeps what the owner wrote, and reports the changes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vas-site-'));
    cpSync(join(fixtureSites, 'business-casual-coffee'), root, { recursive: true });
    const site = await serveSite(root);
    try {
      const agent = (await tenant.post('/api/agents', { name: 'Coffee', websiteUrl: `${site.origin}/` })).body;
      expect((await crawl(agent.id)).status).toBe('succeeded');
      const manual = (await tenant.post(`/api/agents/${agent.id}/knowledge`, { category: 'amenities', title: 'Wi-Fi', content: 'Free Wi-Fi for customers.' })).body;
      const before = (await tenant.get(`/api/agents/${agent.id}/knowledge`)).body.categories as Record<string, Entry[]>;

      const store = join(root, 'store.html');
      writeFileSync(store, readFileSync(store, 'utf8').replace('1116 Orchard Street', '2220 Maple Avenue'));
      rmSync(join(root, 'about.html'));
      const job = await crawl(agent.id);
      expect(job.status).toBe('succeeded');
      expect(job.stats.updated + job.stats.added).toBeGreaterThan(0);
      expect(job.stats.removed).toBeGreaterThan(0);
      expect(job.stats.changes.length).toBeGreaterThan(0);

      const after = (await tenant.get(`/api/agents/${agent.id}/knowledge`)).body.categories as Record<string, Entry[]>;
      const all = Object.values(after).flat();
      expect(all.map((e) => e.content).join('\n')).toContain('2220 Maple Avenue');
      expect(all.map((e) => e.content).join('\n')).not.toContain('1116 Orchard Street');
      expect(all.some((e) => e.sourceUrl?.endsWith('/about.html'))).toBe(false);
      expect(after.amenities!.map((e) => e.id)).toContain(manual.id);
      // Untouched facts keep their ids: hours did not change.
      expect(after.hours!.map((e) => e.id).sort()).toEqual(before.hours!.map((e) => e.id).sort());
    } finally {
      await site.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('answers a second request while a crawl runs with the same job, and fails a dead site without touching others', async () => {
    const agent = (await tenant.post('/api/agents', { name: 'Dental again', websiteUrl: `${sites['wisdom-bites-dental']!.origin}/` })).body;
    const first = await tenant.post(`/api/agents/${agent.id}/recrawl`);
    const second = await tenant.post(`/api/agents/${agent.id}/recrawl`);
    expect(second.body).toMatchObject({ jobId: first.body.jobId, alreadyRunning: true });

    const dead = (await tenant.post('/api/agents', { name: 'Dead', websiteUrl: 'http://127.0.0.1:9/' })).body;
    const failed = await crawl(dead.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/^crawl failed: could not read http:\/\/127\.0\.0\.1:9\//);
    expect((await crawl(agent.id)).status).toBe('succeeded');
  });

  it('streams job progress as server-sent events until the job ends', async () => {
    const agent = (await tenant.post('/api/agents', { name: 'Plumbing again', websiteUrl: `${sites['flowmaster-plumbing']!.origin}/` })).body;
    const { jobId } = (await tenant.post(`/api/agents/${agent.id}/recrawl`)).body;
    const res = await fetch(`${server.url}/api/jobs/${jobId}/events`, { headers: { authorization: `Bearer ${tenant.apiKey}` } });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = (await res.text()).split('\n\n').filter((e) => e.startsWith('event: job')).map((e) => JSON.parse(e.split('data: ')[1]!));
    expect(events.at(-1)).toMatchObject({ id: jobId, status: 'succeeded', progress: 1 });
    const progress = events.map((e) => e.progress as number);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(events.some((e) => e.stage === 'crawl')).toBe(true);
  });

  it('re-crawls on the agent\'s own schedule, and stops when the website is removed', async () => {
    const agent = (await tenant.post('/api/agents', { name: 'Scheduled', websiteUrl: `${sites['business-casual-coffee']!.origin}/`, crawlSchedule: '*/2 * * * * *' })).body;
    const jobsOf = () => server.services.database.sqlite.prepare('SELECT status FROM jobs WHERE agent_id = ?').all(agent.id) as { status: string }[];
    const deadline = Date.now() + 15_000;
    while (!jobsOf().some((j) => j.status === 'succeeded') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(jobsOf().some((j) => j.status === 'succeeded')).toBe(true);
    await tenant.patch(`/api/agents/${agent.id}`, { websiteUrl: null });
    await new Promise((r) => setTimeout(r, 500)); // let a crawl started just before finish
    const count = jobsOf().length;
    await new Promise((r) => setTimeout(r, 4500));
    expect(jobsOf().length).toBe(count);
  });

  it('refuses to crawl an agent without a website, and another tenant\'s agent', async () => {
    const bare = (await tenant.post('/api/agents', { name: 'No site' })).body;
    expect((await tenant.post(`/api/agents/${bare.id}/recrawl`)).status).toBe(409);
    const other = await server.newTenant('Other');
    expect((await other.post(`/api/agents/${bare.id}/recrawl`)).status).toBe(404);
  });
});
