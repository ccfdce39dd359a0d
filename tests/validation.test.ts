import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

type Tenant = Awaited<ReturnType<TestServer['newTenant']>>;

let server: TestServer;
let tenant: Tenant;
let agentId: string;
let entryId: string;

beforeAll(async () => {
  server = await startTestServer({ MAX_BODY_BYTES: '4096' });
  tenant = await server.newTenant('Validation');
  agentId = (await tenant.post('/api/agents', { name: 'Desk' })).body.id;
  entryId = (await tenant.post(`/api/agents/${agentId}/knowledge`, { category: 'faq', title: 'Q', content: 'A' })).body.id;
});
afterAll(() => server.stop());

/** Each case: a body with one bad field, and the field the 400 must name. */
const cases: { route: () => [string, string]; body: Record<string, unknown>; field: string }[] = [
  // tenants (admin)
  { route: () => ['POST', '/api/tenants'], body: {}, field: 'name' },
  { route: () => ['POST', '/api/tenants'], body: { name: '   ' }, field: 'name' },
  { route: () => ['POST', '/api/tenants'], body: { name: 'x'.repeat(101) }, field: 'name' },
  { route: () => ['POST', '/api/tenants'], body: { name: 7 }, field: 'name' },
  // agents
  { route: () => ['POST', '/api/agents'], body: {}, field: 'name' },
  { route: () => ['POST', '/api/agents'], body: { name: '' }, field: 'name' },
  { route: () => ['POST', '/api/agents'], body: { name: 'x'.repeat(101) }, field: 'name' },
  { route: () => ['POST', '/api/agents'], body: { name: 'A', greeting: 'x'.repeat(501) }, field: 'greeting' },
  { route: () => ['POST', '/api/agents'], body: { name: 'A', greeting: 12 }, field: 'greeting' },
  { route: () => ['POST', '/api/agents'], body: { name: 'A', instructions: ['be nice'] }, field: 'instructions' },
  { route: () => ['POST', '/api/agents'], body: { name: 'A', voice: 'af heart; rm -rf' }, field: 'voice' },
  { route: () => ['POST', '/api/agents'], body: { name: 'A', language: 'English' }, field: 'language' },
  { route: () => ['POST', '/api/agents'], body: { name: 'A', transferNumber: '555-0100' }, field: 'transferNumber' },
  { route: () => ['POST', '/api/agents'], body: { name: 'A', transferNumber: '+0123456789' }, field: 'transferNumber' },
  { route: () => ['POST', '/api/agents'], body: { name: 'A', websiteUrl: 'ftp://example.com' }, field: 'websiteUrl' },
  { route: () => ['POST', '/api/agents'], body: { name: 'A', websiteUrl: 'not a url' }, field: 'websiteUrl' },
  { route: () => ['POST', '/api/agents'], body: { name: 'A', crawlSchedule: 'every tuesday' }, field: 'crawlSchedule' },
  { route: () => ['POST', '/api/agents'], body: { name: 'A', status: 'deleted' }, field: 'status' },
  { route: () => ['POST', '/api/agents'], body: { name: 'A', tenantId: 'tn_other' }, field: '(body)' },
  { route: () => ['POST', '/api/agents'], body: { name: 'A', settings: { turn: { speechThreshold: 2 } } }, field: 'settings.turn.speechThreshold' },
  { route: () => ['POST', '/api/agents'], body: { name: 'A', settings: { silenceTimeoutSeconds: 1 } }, field: 'settings.silenceTimeoutSeconds' },
  { route: () => ['POST', '/api/agents'], body: { name: 'A', settings: { maxCallSeconds: 'long' } }, field: 'settings.maxCallSeconds' },
  { route: () => ['PATCH', `/api/agents/${agentId}`], body: {}, field: '(body)' },
  { route: () => ['PATCH', `/api/agents/${agentId}`], body: { name: '' }, field: 'name' },
  // knowledge entries
  { route: () => ['POST', `/api/agents/${agentId}/knowledge`], body: { title: 'T', content: 'C' }, field: 'category' },
  { route: () => ['POST', `/api/agents/${agentId}/knowledge`], body: { category: 'weather', title: 'T', content: 'C' }, field: 'category' },
  { route: () => ['POST', `/api/agents/${agentId}/knowledge`], body: { category: 'faq', content: 'C' }, field: 'title' },
  { route: () => ['POST', `/api/agents/${agentId}/knowledge`], body: { category: 'faq', title: 'x'.repeat(201), content: 'C' }, field: 'title' },
  { route: () => ['POST', `/api/agents/${agentId}/knowledge`], body: { category: 'faq', title: 'T' }, field: 'content' },
  { route: () => ['POST', `/api/agents/${agentId}/knowledge`], body: { category: 'faq', title: 'T', content: '  ' }, field: 'content' },
  { route: () => ['POST', `/api/agents/${agentId}/knowledge`], body: { category: 'faq', title: 'T', content: 'C', sourceUrl: 'javascript:alert(1)' }, field: 'sourceUrl' },
  { route: () => ['PATCH', `/api/agents/${agentId}/knowledge/${entryId}`], body: { category: 'nope' }, field: 'category' },
  { route: () => ['PATCH', `/api/agents/${agentId}/knowledge/${entryId}`], body: {}, field: '(body)' },
  // phone numbers
  { route: () => ['POST', '/api/phone-numbers'], body: { agentId: 'x' }, field: 'number' },
  { route: () => ['POST', '/api/phone-numbers'], body: { number: '4155550100', agentId: 'x' }, field: 'number' },
  { route: () => ['POST', '/api/phone-numbers'], body: { number: '+1415555010012345', agentId: 'x' }, field: 'number' },
  { route: () => ['POST', '/api/phone-numbers'], body: { number: '+1 415 CALL NOW', agentId: 'x' }, field: 'number' },
  { route: () => ['POST', '/api/phone-numbers'], body: { number: '+14155550100' }, field: 'agentId' },
  { route: () => ['PATCH', '/api/phone-numbers/pn_x'], body: {}, field: 'agentId' },
  { route: () => ['PATCH', '/api/phone-numbers/pn_x'], body: { agentId: 5 }, field: 'agentId' },
  // api keys
  { route: () => ['POST', '/api/api-keys'], body: { label: 'x'.repeat(101) }, field: 'label' },
];

describe('request validation', () => {
  it.each(cases.map((c) => [c.route, c.body, c.field] as const))('%#: names the bad field', async (route, body, field) => {
    const [method, path] = route();
    const client = path.startsWith('/api/tenants') ? server.admin : tenant;
    const res = await client.request(method, path, body);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(res.body.error.message).toContain(`${field}:`);
  });

  it('accepts and normalises good values', async () => {
    const res = await tenant.post('/api/agents', {
      name: '  Reception  ',
      transferNumber: '+1 (415) 555-0100',
      language: 'en-US',
      voice: 'af_heart',
      websiteUrl: 'https://example.com/',
      crawlSchedule: '30 2 * * 1',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Reception', transferNumber: '+14155550100', language: 'en-US', crawlSchedule: '30 2 * * 1', status: 'active' });
  });

  it('answers 400 for a body that is not JSON, and 415 for one of another type', async () => {
    const broken = await tenant.request('POST', '/api/agents', '{"name": "A",');
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('invalid_json');
    const form = await tenant.request('POST', '/api/agents', 'name=A', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(form.body.error.code).toBe('unsupported_media_type');
    const notAnObject = await tenant.request('POST', '/api/agents', '[1,2,3]');
    expect(notAnObject.status).toBe(400);
  });

  it('answers 413 for a body over the limit, and the server keeps serving', async () => {
    const res = await tenant.post('/api/agents', { name: 'A', instructions: 'x'.repeat(5000) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect((await tenant.get('/api/agents')).status).toBe(200);
  });

  it('answers 400 for bad query parameters and 404 for unknown routes', async () => {
    expect((await tenant.get(`/api/agents/${agentId}/knowledge?category=weather`)).status).toBe(400);
    expect((await tenant.get(`/api/agents/${agentId}/knowledge/search`)).status).toBe(400);
    expect((await tenant.get('/api/calls?limit=0')).status).toBe(400);
    expect((await tenant.get('/api/calls?before=yesterday')).status).toBe(400);
    const unknown = await tenant.get('/api/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
  });
});
