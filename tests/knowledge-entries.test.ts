import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

type Tenant = Awaited<ReturnType<TestServer['newTenant']>>;
const categoryKeys = (JSON.parse(readFileSync(new URL('../knowledge/categories.json', import.meta.url), 'utf8')) as { key: string }[]).map((c) => c.key);

describe('knowledge entries', () => {
  let server: TestServer;
  let tenant: Tenant;
  let agentId: string;

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.newTenant('Dental');
    agentId = (await tenant.post('/api/agents', { name: 'Reception' })).body.id;
  });
  afterAll(() => server.stop());

  it('lists all 18 categories, empty ones included', async () => {
    const res = await tenant.get(`/api/agents/${agentId}/knowledge`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.categories).sort()).toEqual([...categoryKeys].sort());
    expect(categoryKeys).toHaveLength(18);
    expect(Object.values(res.body.categories).every((list) => Array.isArray(list) && list.length === 0)).toBe(true);
  });

  it('files an owner-written entry under its category, keeping every key when filtered', async () => {
    const created = await tenant.post(`/api/agents/${agentId}/knowledge`, {
      category: 'hours',
      title: 'Opening hours',
      content: 'Monday to Friday 8am to 6pm, Saturday 9am to 1pm, closed Sunday.',
      sourceUrl: 'https://example.com/contact',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ category: 'hours', origin: 'manual', conflict: false, sourceUrl: 'https://example.com/contact' });
    const filtered = await tenant.get(`/api/agents/${agentId}/knowledge?category=hours`);
    expect(Object.keys(filtered.body.categories)).toHaveLength(18);
    expect(filtered.body.categories.hours.map((e: { id: string }) => e.id)).toEqual([created.body.id]);
    await tenant.post(`/api/agents/${agentId}/knowledge`, { category: 'pricing', title: 'Cleaning', content: 'A cleaning is $95.' });
    expect((await tenant.get(`/api/agents/${agentId}/knowledge?category=hours`)).body.categories.pricing).toEqual([]);
  });

  it('keeps the full-text index in step with inserts, edits and deletes', async () => {
    const entry = (
      await tenant.post(`/api/agents/${agentId}/knowledge`, { category: 'policies', title: 'Cancellations', content: 'Please give 24 hours notice to cancel.' })
    ).body;
    const search = async (q: string) =>
      (await tenant.get(`/api/agents/${agentId}/knowledge/search?q=${encodeURIComponent(q)}`)).body.results.map((r: { id: string }) => r.id);

    expect(await search('cancel appointment')).toContain(entry.id); // stemming: cancel ~ cancellations
    const edited = await tenant.patch(`/api/agents/${agentId}/knowledge/${entry.id}`, { content: 'Missed visits are charged a $40 fee.' });
    expect(edited.status).toBe(200);
    expect(await search('notice')).not.toContain(entry.id);
    expect(await search('missed visit fee')).toContain(entry.id);
    expect((await tenant.delete(`/api/agents/${agentId}/knowledge/${entry.id}`)).status).toBe(204);
    expect(await search('missed visit fee')).not.toContain(entry.id);
    expect((await tenant.get(`/api/agents/${agentId}/knowledge/${entry.id}`)).status).toBe(404);
  });

  it('ranks the best entry first and reports a score', async () => {
    const res = await tenant.get(`/api/agents/${agentId}/knowledge/search?q=${encodeURIComponent('what are your opening hours on saturday')}`);
    expect(res.body.results[0]).toMatchObject({ title: 'Opening hours', score: expect.any(Number) });
    expect(res.body.results[0].score).toBeGreaterThan(0);
  });

  it('treats FTS query syntax in a search as plain words', async () => {
    for (const q of ['"unbalanced', 'title:hours', 'NEAR(a b', 'hours*', "'; DROP TABLE knowledge_entries; --", ')))', '^^^']) {
      const res = await tenant.get(`/api/agents/${agentId}/knowledge/search?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
      expect(Array.isArray(res.body.results)).toBe(true);
    }
    expect((await tenant.get(`/api/agents/${agentId}/knowledge`)).body.categories.hours).toHaveLength(1);
  });

  it('deletes an agent\'s knowledge with the agent', async () => {
    const doomed = (await tenant.post('/api/agents', { name: 'Temp' })).body.id;
    const entry = (await tenant.post(`/api/agents/${doomed}/knowledge`, { category: 'faq', title: 'Parking', content: 'Free parking behind the building' })).body;
    await tenant.delete(`/api/agents/${doomed}`);
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(`${server.dataDir}/app.db`, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM knowledge_entries WHERE id = ?').get(entry.id)).toEqual({ n: 0 });
    expect(db.prepare("SELECT count(*) AS n FROM knowledge_fts WHERE knowledge_fts MATCH 'parking'").get()).toEqual({ n: 0 });
    db.close();
  });
});
