import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditQueries } from '../src/db/queries/audit.js';
import { TwilioApiDouble } from './doubles/twilio-api-server.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

type Tenant = Awaited<ReturnType<TestServer['newTenant']>>;

const PUBLIC_URL = 'https://voice.example.com';
const ACCOUNT_SID = 'AC' + '0123456789abcdef'.repeat(2);

describe('provisioning phone numbers through Twilio', () => {
  let twilio: TwilioApiDouble;
  let server: TestServer;
  let tenant: Tenant;
  let agentId: string;

  beforeAll(async () => {
    twilio = await TwilioApiDouble.start({ accountSid: ACCOUNT_SID, authToken: 'test-auth-token' });
    server = await startTestServer({
      PUBLIC_URL,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: 'test-auth-token',
      TWILIO_API_BASE_URL: twilio.url,
    });
    tenant = await server.newTenant('Provisioning');
    agentId = (await tenant.post('/api/agents', { name: 'Front desk' })).body.id;
  });
  afterAll(async () => {
    await server.stop();
    await twilio.stop();
  });
  beforeEach(() => {
    twilio.requests.length = 0;
  });

  const purchases = () => twilio.requestsTo('POST', /\/IncomingPhoneNumbers\.json$/);
  const releases = () => twilio.requestsTo('DELETE', /\/IncomingPhoneNumbers\/PN\w+\.json$/);

  it('buys the first available number with its webhooks pointed here, and routes it to the agent', async () => {
    const res = await tenant.post('/api/phone-numbers/provision', { agentId, areaCode: '415' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^pn_/), number: '+14155550100', agentId, twilioSid: expect.stringMatching(/^PN/) });

    const [search] = twilio.requestsTo('GET', /\/AvailablePhoneNumbers\/US\/Local\.json$/);
    expect(search!.query).toMatchObject({ AreaCode: '415' });
    expect(purchases().map((r) => r.form)).toEqual([
      {
        PhoneNumber: '+14155550100',
        VoiceUrl: `${PUBLIC_URL}/twilio/voice`,
        VoiceMethod: 'POST',
        StatusCallback: `${PUBLIC_URL}/twilio/status`,
        StatusCallbackMethod: 'POST',
      },
    ]);
    expect(twilio.owned.get(res.body.twilioSid)).toMatchObject({ phone_number: '+14155550100', voice_url: `${PUBLIC_URL}/twilio/voice` });

    const listed = (await tenant.get('/api/phone-numbers')).body.phoneNumbers;
    expect(listed).toContainEqual(expect.objectContaining({ id: res.body.id, number: '+14155550100', agentId }));
    const audit = auditQueries(server.services.database.db).forTenant(tenant.tenantId);
    expect(audit[0]).toMatchObject({ action: 'phone_number.provisioned', targetId: res.body.id });
  });

  it('moves on to the next candidate when the first was sold in the meantime', async () => {
    twilio.failNext({ method: 'POST', path: /IncomingPhoneNumbers\.json$/ }, { status: 400, code: 21422, message: '+14155550101 is not available' });
    twilio.inventory.push({ phoneNumber: '+14155550102', locality: 'San Francisco', region: 'CA' });
    const res = await tenant.post('/api/phone-numbers/provision', { agentId, areaCode: '415' });
    expect(res.status).toBe(201);
    expect(res.body.number).toBe('+14155550102');
    expect(purchases().map((r) => r.form.PhoneNumber)).toEqual(['+14155550101', '+14155550102']);
  });

  it('releases the number at Twilio when it is deleted, then deletes the row', async () => {
    const pn = (await tenant.post('/api/phone-numbers/provision', { agentId })).body;
    expect((await tenant.delete(`/api/phone-numbers/${pn.id}`)).status).toBe(204);
    expect(releases().map((r) => r.path)).toEqual([`/2010-04-01/Accounts/${ACCOUNT_SID}/IncomingPhoneNumbers/${pn.twilioSid}.json`]);
    expect(twilio.owned.has(pn.twilioSid)).toBe(false);
    expect((await tenant.get(`/api/phone-numbers/${pn.id}`)).status).toBe(404);
    const audit = auditQueries(server.services.database.db).forTenant(tenant.tenantId);
    expect(audit[0]).toMatchObject({ action: 'phone_number.released', targetId: pn.id });
  });

  it('keeps the row when Twilio refuses to release the number, answering 502 with the reason', async () => {
    const pn = (await tenant.post('/api/phone-numbers/provision', { agentId })).body;
    twilio.failNext({ method: 'DELETE' }, { status: 503, code: 20503, message: 'Service Unavailable' });
    const res = await tenant.delete(`/api/phone-numbers/${pn.id}`);
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: 'unavailable', message: expect.stringContaining('Service Unavailable'), details: { twilioCode: 20503 } });
    expect((await tenant.get(`/api/phone-numbers/${pn.id}`)).body).toMatchObject({ id: pn.id, twilioSid: pn.twilioSid });
    expect(twilio.owned.has(pn.twilioSid)).toBe(true);
  });

  it('deletes the row when Twilio no longer has the number (released in its console)', async () => {
    const pn = (await tenant.post('/api/phone-numbers/provision', { agentId })).body;
    twilio.owned.delete(pn.twilioSid);
    expect((await tenant.delete(`/api/phone-numbers/${pn.id}`)).status).toBe(204);
    expect((await tenant.get(`/api/phone-numbers/${pn.id}`)).status).toBe(404);
  });

  it('answers 409 when no number is available in the area code, and stores nothing', async () => {
    const before = (await tenant.get('/api/phone-numbers')).body.phoneNumbers.length;
    const res = await tenant.post('/api/phone-numbers/provision', { agentId, areaCode: '907' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('area code 907') });
    expect(purchases()).toEqual([]);
    expect((await tenant.get('/api/phone-numbers')).body.phoneNumbers).toHaveLength(before);
  });

  it("passes Twilio's own refusal on (502, with its code and message) and stores nothing", async () => {
    const before = (await tenant.get('/api/phone-numbers')).body.phoneNumbers.length;
    twilio.inventory.push({ phoneNumber: '+13125550100', locality: 'Chicago', region: 'IL' });
    twilio.failNext({ method: 'POST' }, { status: 400, code: 21631, message: 'Phone Number Requires an Address' });
    const res = await tenant.post('/api/phone-numbers/provision', { agentId, areaCode: '312' });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ message: expect.stringContaining('Phone Number Requires an Address'), details: { twilioCode: 21631, twilioStatus: 400 } });
    expect((await tenant.get('/api/phone-numbers')).body.phoneNumbers).toHaveLength(before);
  });

  it('gives a bought number back when it cannot be stored (already attached elsewhere)', async () => {
    const squatter = await server.newTenant('Squatter');
    const squatterAgent = (await squatter.post('/api/agents', { name: 'X' })).body.id;
    expect((await squatter.post('/api/phone-numbers', { number: '+17185550100', agentId: squatterAgent })).status).toBe(201);
    twilio.inventory.push({ phoneNumber: '+17185550100', locality: 'Brooklyn', region: 'NY' });
    const res = await tenant.post('/api/phone-numbers/provision', { agentId, areaCode: '718' });
    expect(res.status).toBe(409);
    const [bought] = purchases();
    expect(bought!.form.PhoneNumber).toBe('+17185550100');
    expect(releases()).toHaveLength(1);
    expect([...twilio.owned.values()].map((n) => n.phone_number)).not.toContain('+17185550100');
    const numbers = (await tenant.get('/api/phone-numbers')).body.phoneNumbers.map((p: { number: string }) => p.number);
    expect(numbers).not.toContain('+17185550100');
  });

  it("refuses another tenant's agent with 404 and buys nothing", async () => {
    const other = await server.newTenant('Other');
    const res = await other.post('/api/phone-numbers/provision', { agentId });
    expect(res.status).toBe(404);
    expect(twilio.requests).toEqual([]);
  });

  it('validates the body', async () => {
    const res = await tenant.post('/api/phone-numbers/provision', { agentId, areaCode: '41' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ field: 'areaCode', message: expect.stringContaining('area code') }]);
    expect((await tenant.post('/api/phone-numbers/provision', {})).status).toBe(400);
    expect(twilio.requests).toEqual([]);
  });
});

describe('provisioning without Twilio credentials', () => {
  let server: TestServer;
  let tenant: Tenant;

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.newTenant('No Twilio');
  });
  afterAll(() => server.stop());

  it('answers 503 unavailable, naming the variables to set', async () => {
    const agentId = (await tenant.post('/api/agents', { name: 'Front desk' })).body.id;
    const res = await tenant.post('/api/phone-numbers/provision', { agentId });
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'unavailable', message: expect.stringContaining('TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN') });
    expect((await tenant.get('/api/phone-numbers')).body.phoneNumbers).toEqual([]);
  });

  it('still deletes numbers that were attached, not bought', async () => {
    const agentId = (await tenant.post('/api/agents', { name: 'Line' })).body.id;
    const pn = (await tenant.post('/api/phone-numbers', { number: '+14155550177', agentId })).body;
    expect((await tenant.delete(`/api/phone-numbers/${pn.id}`)).status).toBe(204);
  });
});
