import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

type Tenant = Awaited<ReturnType<TestServer['newTenant']>>;

describe('phone numbers', () => {
  let server: TestServer;
  let tenant: Tenant;
  let agentId: string;
  let otherAgentId: string;

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.newTenant('Numbers');
    agentId = (await tenant.post('/api/agents', { name: 'Main line' })).body.id;
    otherAgentId = (await tenant.post('/api/agents', { name: 'After hours' })).body.id;
  });
  afterAll(() => server.stop());

  it('attaches a number in E.164 form, normalising spaces and punctuation', async () => {
    const res = await tenant.post('/api/phone-numbers', { number: '+44 20 7946 0958', agentId });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^pn_/), number: '+442079460958', agentId });
  });

  it('refuses the same number twice, in the same tenant or another, with 409', async () => {
    await tenant.post('/api/phone-numbers', { number: '+14155550111', agentId });
    const again = await tenant.post('/api/phone-numbers', { number: '+1 415-555-0111', agentId: otherAgentId });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    const other = await server.newTenant('Squatter');
    const otherAgent = (await other.post('/api/agents', { name: 'X' })).body.id;
    const stolen = await other.post('/api/phone-numbers', { number: '+14155550111', agentId: otherAgent });
    expect(stolen.status).toBe(409);
  });

  it('re-routes a number to another agent, and unroutes it with null', async () => {
    const pn = (await tenant.post('/api/phone-numbers', { number: '+14155550122', agentId })).body;
    const moved = await tenant.patch(`/api/phone-numbers/${pn.id}`, { agentId: otherAgentId });
    expect(moved.status).toBe(200);
    expect(moved.body.agentId).toBe(otherAgentId);
    expect((await tenant.get(`/api/phone-numbers/${pn.id}`)).body.agentId).toBe(otherAgentId);
    const unrouted = await tenant.patch(`/api/phone-numbers/${pn.id}`, { agentId: null });
    expect(unrouted.body.agentId).toBeNull();
    expect((await tenant.patch(`/api/phone-numbers/${pn.id}`, { agentId: 'ag_missing' })).status).toBe(404);
  });

  it('keeps a number when its agent is deleted, unrouted', async () => {
    const doomed = (await tenant.post('/api/agents', { name: 'Temporary' })).body.id;
    const pn = (await tenant.post('/api/phone-numbers', { number: '+14155550133', agentId: doomed })).body;
    expect((await tenant.delete(`/api/agents/${doomed}`)).status).toBe(204);
    expect((await tenant.get(`/api/agents/${doomed}`)).status).toBe(404);
    expect((await tenant.get(`/api/phone-numbers/${pn.id}`)).body).toMatchObject({ number: '+14155550133', agentId: null });
  });

  it('frees the number for reuse when it is deleted', async () => {
    const pn = (await tenant.post('/api/phone-numbers', { number: '+14155550144', agentId })).body;
    expect((await tenant.delete(`/api/phone-numbers/${pn.id}`)).status).toBe(204);
    expect((await tenant.get(`/api/phone-numbers/${pn.id}`)).status).toBe(404);
    expect((await tenant.post('/api/phone-numbers', { number: '+14155550144', agentId })).status).toBe(201);
  });

  it('lists the tenant\'s numbers in the order they were attached', async () => {
    const numbers = (await tenant.get('/api/phone-numbers')).body.phoneNumbers.map((p: { number: string }) => p.number);
    expect(numbers).toEqual(['+442079460958', '+14155550111', '+14155550122', '+14155550133', '+14155550144']);
  });
});
