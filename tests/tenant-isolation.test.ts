import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantScope } from '../src/db/tenant-scope.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

type Tenant = Awaited<ReturnType<TestServer['newTenant']>>;

/** Everything one tenant owns, created through the API (calls and jobs through the data layer, as the telephony and crawler code will). */
async function seed(server: TestServer, tenant: Tenant, number: string) {
  const agent = (await tenant.post('/api/agents', { name: 'Front desk', greeting: 'Hello!' })).body;
  const entry = (
    await tenant.post(`/api/agents/${agent.id}/knowledge`, { category: 'hours', title: 'Opening hours', content: 'Open nine to five' })
  ).body;
  const phone = (await tenant.post('/api/phone-numbers', { number, agentId: agent.id })).body;
  const scope = tenantScope(server.services.database.db, tenant.tenantId);
  const call = scope.calls.create({ agentId: agent.id, fromNumber: '+15550001111', toNumber: number, status: 'completed' });
  scope.calls.addTurn(call.id, { seq: 0, speaker: 'agent', text: 'Hello!' });
  const job = scope.jobs.create({ kind: 'crawl', agentId: agent.id, stage: 'fetch' });
  const keys = (await tenant.get('/api/api-keys')).body.apiKeys;
  return { agent, entry, phone, call, job, keyId: keys[0].id as string };
}

describe('tenant isolation', () => {
  let server: TestServer;
  let alice: Tenant;
  let bob: Tenant;
  let a: Awaited<ReturnType<typeof seed>>;
  let b: Awaited<ReturnType<typeof seed>>;

  beforeAll(async () => {
    server = await startTestServer();
    alice = await server.newTenant('Alice Plumbing');
    bob = await server.newTenant('Bob Dental');
    a = await seed(server, alice, '+14155550101');
    b = await seed(server, bob, '+14155550202');
  });
  afterAll(() => server.stop());

  it("answers 404 on every route that names another tenant's id", async () => {
    const attempts: [string, string, unknown?][] = [
      ['GET', `/api/agents/${a.agent.id}`],
      ['PATCH', `/api/agents/${a.agent.id}`, { name: 'Hijacked' }],
      ['DELETE', `/api/agents/${a.agent.id}`],
      ['GET', `/api/agents/${a.agent.id}/knowledge`],
      ['GET', `/api/agents/${a.agent.id}/knowledge/search?q=hours`],
      ['POST', `/api/agents/${a.agent.id}/knowledge`, { category: 'hours', title: 'x', content: 'y' }],
      ['GET', `/api/agents/${a.agent.id}/knowledge/${a.entry.id}`],
      ['PATCH', `/api/agents/${a.agent.id}/knowledge/${a.entry.id}`, { content: 'Closed forever' }],
      ['DELETE', `/api/agents/${a.agent.id}/knowledge/${a.entry.id}`],
      // Bob's own agent, Alice's entry id: still not found.
      ['GET', `/api/agents/${b.agent.id}/knowledge/${a.entry.id}`],
      ['PATCH', `/api/agents/${b.agent.id}/knowledge/${a.entry.id}`, { content: 'Closed forever' }],
      ['DELETE', `/api/agents/${b.agent.id}/knowledge/${a.entry.id}`],
      ['GET', `/api/phone-numbers/${a.phone.id}`],
      ['PATCH', `/api/phone-numbers/${a.phone.id}`, { agentId: b.agent.id }],
      ['DELETE', `/api/phone-numbers/${a.phone.id}`],
      // Routing Bob's own number, or a new one, to Alice's agent.
      ['PATCH', `/api/phone-numbers/${b.phone.id}`, { agentId: a.agent.id }],
      ['POST', '/api/phone-numbers', { number: '+14155550303', agentId: a.agent.id }],
      ['GET', `/api/calls/${a.call.id}`],
      ['GET', `/api/jobs/${a.job.id}`],
      ['DELETE', `/api/api-keys/${a.keyId}`],
    ];
    for (const [method, path, body] of attempts) {
      const res = await bob.request(method, path, body);
      expect({ method, path, status: res.status, code: res.body?.error?.code }).toEqual({ method, path, status: 404, code: 'not_found' });
    }
  });

  it("lists only the caller's own rows", async () => {
    expect((await bob.get('/api/agents')).body.agents.map((x: { id: string }) => x.id)).toEqual([b.agent.id]);
    expect((await bob.get('/api/phone-numbers')).body.phoneNumbers.map((x: { id: string }) => x.id)).toEqual([b.phone.id]);
    expect((await bob.get('/api/calls')).body.calls.map((x: { id: string }) => x.id)).toEqual([b.call.id]);
    expect((await bob.get(`/api/calls?agentId=${a.agent.id}`)).body.calls).toEqual([]);
    expect((await bob.get('/api/api-keys')).body.apiKeys.map((x: { id: string }) => x.id)).toEqual([b.keyId]);
  });

  it("leaves the other tenant's data untouched after all those attempts", async () => {
    const agent = await alice.get(`/api/agents/${a.agent.id}`);
    expect(agent.status).toBe(200);
    expect(agent.body.name).toBe('Front desk');
    const entry = await alice.get(`/api/agents/${a.agent.id}/knowledge/${a.entry.id}`);
    expect(entry.body.content).toBe('Open nine to five');
    const phone = await alice.get(`/api/phone-numbers/${a.phone.id}`);
    expect(phone.body.agentId).toBe(a.agent.id);
    expect((await alice.get('/api/phone-numbers')).body.phoneNumbers).toHaveLength(1);
    expect((await alice.get(`/api/calls/${a.call.id}`)).body.turns).toHaveLength(1);
    expect((await alice.get(`/api/jobs/${a.job.id}`)).body.status).toBe('queued');
    expect((await alice.get('/api/agents')).status).toBe(200); // Alice's key was not revoked
  });

  it('does not find one tenant\'s knowledge in the other\'s search', async () => {
    await bob.post(`/api/agents/${b.agent.id}/knowledge`, { category: 'pricing', title: 'Cleaning', content: 'A cleaning costs 90 dollars' });
    const alices = await alice.get(`/api/agents/${a.agent.id}/knowledge/search?q=cleaning+costs`);
    expect(alices.body.results).toEqual([]);
    const bobs = await bob.get(`/api/agents/${b.agent.id}/knowledge/search?q=cleaning+costs`);
    expect(bobs.body.results.map((r: { title: string }) => r.title)).toEqual(['Cleaning']);
  });

  it('keeps tenants away from admin routes and the admin away from tenant routes', async () => {
    expect((await bob.get('/api/tenants')).status).toBe(403);
    expect((await bob.post('/api/tenants', { name: 'Mallory' })).status).toBe(403);
    expect((await bob.get(`/api/tenants/${alice.tenantId}`)).status).toBe(403);
    const adminOnTenantRoute = await server.admin.get('/api/agents');
    expect(adminOnTenantRoute.status).toBe(403);
    expect(adminOnTenantRoute.body.error.code).toBe('forbidden');
  });
});
