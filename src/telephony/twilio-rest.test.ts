import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TwilioApiDouble } from '../../tests/doubles/twilio-api-server.js';
import { createTwilioRest, TwilioRestError, type TwilioRest } from './twilio-rest.js';

describe('Twilio REST adapter (against the local double)', () => {
  let double: TwilioApiDouble;
  let rest: TwilioRest;

  beforeAll(async () => {
    double = await TwilioApiDouble.start();
    rest = createTwilioRest({ accountSid: double.accountSid, authToken: double.authToken, apiBaseUrl: double.url });
  });
  afterAll(() => double.stop());
  beforeEach(() => {
    double.requests.length = 0;
  });

  const callPath = (sid: string) => `/2010-04-01/Accounts/${double.accountSid}/Calls/${sid}.json`;

  it('redirects a live call with new TwiML, sent as the Twiml form parameter', async () => {
    const call = double.startCall();
    const twiml = '<Response><Dial>+14155550199</Dial></Response>';
    await rest.redirectCall(call.sid, twiml);
    expect(double.requests).toEqual([
      { method: 'POST', path: callPath(call.sid), query: {}, form: { Twiml: twiml }, username: double.accountSid },
    ]);
    expect(call).toMatchObject({ status: 'in-progress', twiml: [twiml] });
  });

  it('hangs up a live call with Status=completed', async () => {
    const call = double.startCall();
    await rest.hangUp(call.sid);
    expect(double.requests).toEqual([
      { method: 'POST', path: callPath(call.sid), query: {}, form: { Status: 'completed' }, username: double.accountSid },
    ]);
    expect(call.status).toBe('completed');
  });

  it("passes Twilio's refusal on as a typed error: a call that already ended cannot be redirected", async () => {
    const call = double.startCall();
    await rest.hangUp(call.sid);
    const error = await rest.redirectCall(call.sid, '<Response><Hangup/></Response>').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioRestError);
    expect(error).toMatchObject({ code: 21220, status: 400, message: 'Call is not in-progress. Cannot redirect.' });
  });

  it('answers an unknown call with code 20404', async () => {
    const error = await rest.hangUp('CA' + '0'.repeat(32)).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TwilioRestError', code: 20404, status: 404 });
  });

  it('turns wrong credentials into a TwilioRestError with code 20003', async () => {
    const wrong = createTwilioRest({ accountSid: double.accountSid, authToken: 'not-the-token', apiBaseUrl: double.url });
    const error = await wrong.hangUp(double.startCall().sid).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioRestError);
    expect(error).toMatchObject({ code: 20003, status: 401, message: 'Authenticate', moreInfo: 'https://www.twilio.com/docs/errors/20003' });
  });

  it('searches local numbers by area code, buys one with its webhooks, and releases it', async () => {
    const found = await rest.searchAvailableLocalNumbers({ country: 'US', areaCode: '212' });
    expect(found).toEqual([{ phoneNumber: '+12125550100', friendlyName: '(212) 555-0100', locality: 'New York', region: 'NY', isoCountry: 'US' }]);
    const search = double.requests[0]!;
    expect(search).toMatchObject({ method: 'GET', path: `/2010-04-01/Accounts/${double.accountSid}/AvailablePhoneNumbers/US/Local.json` });
    expect(search.query).toMatchObject({ AreaCode: '212', VoiceEnabled: 'true' });

    const bought = await rest.buyNumber({
      phoneNumber: '+12125550100',
      voiceUrl: 'https://voice.example.com/twilio/voice',
      statusCallbackUrl: 'https://voice.example.com/twilio/status',
    });
    expect(bought).toEqual({ sid: expect.stringMatching(/^PN[0-9a-f]{32}$/), phoneNumber: '+12125550100' });
    expect(double.requests[1]!.form).toEqual({
      PhoneNumber: '+12125550100',
      VoiceUrl: 'https://voice.example.com/twilio/voice',
      VoiceMethod: 'POST',
      StatusCallback: 'https://voice.example.com/twilio/status',
      StatusCallbackMethod: 'POST',
    });

    await rest.releaseNumber(bought.sid);
    expect(double.requests[2]).toMatchObject({ method: 'DELETE', path: `/2010-04-01/Accounts/${double.accountSid}/IncomingPhoneNumbers/${bought.sid}.json` });
    expect(double.owned.has(bought.sid)).toBe(false);
  });

  it('reports an unreachable API as a TwilioRestError without a code', async () => {
    const stopped = await TwilioApiDouble.start();
    await stopped.stop();
    const offline = createTwilioRest({ accountSid: stopped.accountSid, authToken: stopped.authToken, apiBaseUrl: stopped.url });
    const error = await offline.releaseNumber('PN' + '1'.repeat(32)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioRestError);
    expect(error).toMatchObject({ code: null, status: null, message: expect.stringContaining('ECONNREFUSED') });
  });
});
