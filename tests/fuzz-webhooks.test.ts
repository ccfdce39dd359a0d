/**
 * Twilio's webhooks (`POST /twilio/voice`, `POST /twilio/status`) under bad input: random form
 * bodies, wrong content types and charsets, huge and compressed bodies, duplicate fields,
 * non-UTF-8 bytes, missing, forged and misdirected signatures. Every answer is a clean 4xx with
 * the API's error shape, or valid TwiML / 204 for a validly signed request; nothing is recorded
 * for an unsigned request; the server stays healthy. Seeded: a failure prints FUZZ_SEED.
 */
import { gzipSync } from 'node:zlib';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL, startTelephonyHarness, type TelephonyHarness } from './helpers/telephony-harness.js';
import { NASTY, withSeed, type Rng } from './helpers/fuzz.js';

type Form = Record<string, string | string[]>;
type Path = '/twilio/voice' | '/twilio/status';

describe('Twilio webhook fuzz', () => {
  let h: TelephonyHarness;
  beforeAll(async () => {
    h = await startTelephonyHarness();
  });
  afterAll(() => h?.stop());

  const sign = (url: string, params: Form) => twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params as Record<string, string>);
  const encode = (params: Form) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    return body.toString();
  };
  const post = async (path: string, body: string | Buffer, headers: Record<string, string> = {}) => {
    const res = await fetch(h.server.url + path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', text };
  };
  const rows = (table: string) => (h.server.services.database.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  const callSid = (rng: Rng) => 'CA' + rng.string(32, '0123456789abcdef');
  const validVoice = (rng: Rng): Form => ({ AccountSid: ACCOUNT_SID, CallSid: callSid(rng), From: '+15005550006', To: h.number, CallStatus: 'ringing', Direction: 'inbound' });

  /** A clean refusal: 4xx and `{error: {code, message}}`, never a stack trace or the input echoed back. */
  const expectCleanRefusal = (res: { status: number; type: string; text: string }, context: string) => {
    expect(res.status, context).toBeGreaterThanOrEqual(400);
    expect(res.status, context).toBeLessThan(500);
    expect(res.type, context).toContain('application/json');
    const body = JSON.parse(res.text) as { error: { code: string; message: string } };
    expect(typeof body.error.code, context).toBe('string');
    expect(typeof body.error.message, context).toBe('string');
    expect(res.text, context).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack
  };
  const expectTwiml = (res: { status: number; type: string; text: string }, context: string) => {
    expect(res.status, context).toBe(200);
    expect(res.type, context).toContain('text/xml');
    expect(res.text, context).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response>.*<\/Response>$/s);
  };

  /** Random form fields: Twilio's names with random values, random names, duplicates. */
  const randomForm = (rng: Rng): Form => {
    const form: Form = rng.bool(0.6) ? validVoice(rng) : {};
    const names = ['AccountSid', 'CallSid', 'From', 'To', 'CallStatus', 'CallDuration', 'Direction', 'ApiVersion', '__proto__', 'constructor', 'hasOwnProperty', 'a[b]', 'a[]', 'x.y'];
    for (let i = rng.int(0, 8); i > 0; i--) {
      const name = rng.bool(0.7) ? rng.pick(names) : rng.string(rng.int(1, 20), rng.bool() ? undefined : NASTY);
      const value = () =>
        rng.pick<() => string>([
          () => rng.string(rng.int(0, 40)),
          () => rng.string(rng.int(1, 10), NASTY),
          () => callSid(rng),
          () => rng.pick(['completed', 'ringing', 'in-progress', 'COMPLETED', '-1', '1e9', 'NaN', '']),
          () => String(rng.int(-5, 99999)),
          () => '+1' + rng.string(rng.int(1, 40), '0123456789'),
        ])();
      form[name] = rng.bool(0.15) ? [value(), value()] : value();
    }
    return form;
  };

  it('answers random form bodies, signed or not, with a 4xx or valid TwiML, never a 5xx; records nothing unsigned', async () => {
    await withSeed('random form bodies', async (rng) => {
      const callsBefore = rows('calls');
      let signedAccepted = 0;
      for (let i = 0; i < 150; i++) {
        const path: Path = rng.bool(0.6) ? '/twilio/voice' : '/twilio/status';
        const form = randomForm(rng);
        const signature = rng.pick(['none', 'valid', 'forged', 'other-url', 'garbage'] as const);
        const headers: Record<string, string> = {};
        if (signature === 'valid') headers['x-twilio-signature'] = sign(PUBLIC_URL + path, form);
        else if (signature === 'forged') headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature('not-the-token', PUBLIC_URL + path, form as Record<string, string>);
        else if (signature === 'other-url') headers['x-twilio-signature'] = sign(h.server.url + path, form);
        else if (signature === 'garbage') headers['x-twilio-signature'] = rng.string(rng.int(0, 60), rng.bool() ? undefined : NASTY).replace(/[^\t\x20-\x7e]/g, '');
        const context = `#${i} ${path} signature=${signature} body=${JSON.stringify(form)}`;
        const res = await post(path, encode(form), headers);
        expect(res.status, context).toBeLessThan(500);
        if (signature !== 'valid') {
          expect(res.status, context).toBe(403);
          expectCleanRefusal(res, context);
        } else if (res.status === 200) {
          expect(path, context).toBe('/twilio/voice');
          expectTwiml(res, context);
          signedAccepted++;
        } else if (res.status === 204) {
          expect(path, context).toBe('/twilio/status');
          signedAccepted++;
        } else {
          expectCleanRefusal(res, context);
        }
      }
      // Only validly signed webhooks ever create calls (at most one each).
      expect(rows('calls') - callsBefore).toBeLessThanOrEqual(signedAccepted);
    });
  });

  it('refuses signatures computed over another URL, another path, or other parameters', async () => {
    await withSeed('misdirected signatures', async (rng) => {
      const callsBefore = rows('calls');
      const form = validVoice(rng);
      const urls = [
        `${h.server.url}/twilio/voice`, // the internal address, not PUBLIC_URL
        `${PUBLIC_URL}/twilio/status`, // the other webhook
        `${PUBLIC_URL}/twilio/voice/`,
        `${PUBLIC_URL}/twilio/voice?x=1`,
        `${PUBLIC_URL.replace('https', 'http')}/twilio/voice`,
        `${PUBLIC_URL.replace('https', 'wss')}/twilio/media`,
        `${PUBLIC_URL}/TWILIO/VOICE`,
        'https://attacker.example/twilio/voice',
        `${PUBLIC_URL}:8443/twilio/voice`,
      ];
      for (const url of urls) {
        const res = await post('/twilio/voice', encode(form), { 'x-twilio-signature': sign(url, form) });
        expect(res.status, url).toBe(403);
        expectCleanRefusal(res, url);
      }
      // Signed, then one field changed, added, removed or duplicated.
      const signature = sign(`${PUBLIC_URL}/twilio/voice`, form);
      const tampered: Form[] = [
        { ...form, To: '+14155550111' },
        { ...form, Extra: '1' },
        Object.fromEntries(Object.entries(form).filter(([k]) => k !== 'From')),
        { ...form, To: [h.number, '+14155550111'] },
      ];
      for (const t of tampered) expect((await post('/twilio/voice', encode(t), { 'x-twilio-signature': signature })).status, JSON.stringify(t)).toBe(403);
      // (Whitespace around a header value is not part of it, per HTTP: not tested.) Case matters.
      expect((await post('/twilio/voice', encode(form), { 'x-twilio-signature': signature.toLowerCase() })).status).toBe(403);
      expect(rows('calls')).toBe(callsBefore);
      // And the real thing still works.
      expectTwiml(await post('/twilio/voice', encode(form), { 'x-twilio-signature': signature }), 'valid');

      // A status callback for that real call, unsigned or signed for something else, changes nothing.
      const statusOf = () => (h.server.services.database.sqlite.prepare('SELECT status FROM calls WHERE twilio_call_sid = ?').get(form.CallSid) as { status: string }).status;
      expect(statusOf()).toBe('ringing');
      const status = { AccountSid: ACCOUNT_SID, CallSid: form.CallSid as string, CallStatus: 'completed', CallDuration: '9' };
      for (const signature of [undefined, sign(`${PUBLIC_URL}/twilio/voice`, status), sign(`${PUBLIC_URL}/twilio/status`, { ...status, CallStatus: 'busy' })]) {
        const res = await post('/twilio/status', encode(status), signature ? { 'x-twilio-signature': signature } : {});
        expect(res.status).toBe(403);
      }
      expect(statusOf()).toBe('ringing');
      expect((await post('/twilio/status', encode(status), { 'x-twilio-signature': sign(`${PUBLIC_URL}/twilio/status`, status) })).status).toBe(204);
      expect(statusOf()).toBe('completed');
    });
  });

  it('answers wrong content types, charsets and encodings with a 4xx', async () => {
    await withSeed('content types', async (rng) => {
      const callsBefore = rows('calls');
      const form = validVoice(rng);
      const body = encode(form);
      // Signed over the parameters, sent as something that is not a form: the server reads no
      // parameters, so the signature does not match them.
      const signed = sign(`${PUBLIC_URL}/twilio/voice`, form);
      // Signed over no parameters (all the server can see of a body it does not parse): the
      // signature passes and the missing fields are a 400.
      const signedEmpty = sign(`${PUBLIC_URL}/twilio/voice`, {});
      const types = ['application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream', '', 'x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-7', 'application/x-www-form-urlencoded; charset=bogus-9'];
      for (const type of types) {
        for (const signature of [signed, signedEmpty]) {
          const res = await post('/twilio/voice', body, { 'content-type': type, 'x-twilio-signature': signature });
          const context = `content-type "${type}" ${signature === signed ? 'signed' : 'signed-empty'} → ${res.status} ${res.text}`;
          expectCleanRefusal(res, context);
        }
      }
      // A JSON body shaped like the form.
      expectCleanRefusal(await post('/twilio/voice', JSON.stringify(form), { 'content-type': 'application/json', 'x-twilio-signature': signed }), 'json');
      // Content-Encoding the server does not speak.
      expectCleanRefusal(await post('/twilio/voice', body, { 'content-encoding': 'compress', 'x-twilio-signature': signed }), 'compress');
      expectCleanRefusal(await post('/twilio/voice', Buffer.from('not gzip at all'), { 'content-encoding': 'gzip', 'x-twilio-signature': signed }), 'bad gzip');
      expect(rows('calls')).toBe(callsBefore);
    });
  });

  it('answers huge bodies, compression bombs and too many fields with 413, unsigned or signed', async () => {
    await withSeed('huge bodies', async (rng) => {
      const callsBefore = rows('calls');
      const form = validVoice(rng);
      const huge: Form = { ...form, Padding: rng.string(200_000) };
      for (const headers of [{}, { 'x-twilio-signature': sign(`${PUBLIC_URL}/twilio/voice`, huge) }] as Record<string, string>[]) {
        expectCleanRefusal(await post('/twilio/voice', encode(huge), headers), 'huge');
        // A small gzip body that inflates to 20 MB: cut off by the decoded size.
        const bomb = gzipSync(Buffer.concat([Buffer.from(encode(form) + '&Padding='), Buffer.alloc(20 * 1024 * 1024, 'a')]));
        expect(bomb.length).toBeLessThan(64 * 1024);
        const res = await post('/twilio/voice', bomb, { ...headers, 'content-encoding': 'gzip' });
        expect(res.status).toBe(413);
        expectCleanRefusal(res, 'gzip bomb');
      }
      // More fields than the parser takes.
      const many: Form = { ...form };
      for (let i = 0; i < 500; i++) many[`F${i}`] = String(i);
      for (const headers of [{}, { 'x-twilio-signature': sign(`${PUBLIC_URL}/twilio/voice`, many) }] as Record<string, string>[]) {
        const res = await post('/twilio/voice', encode(many), headers);
        expect(res.status, res.text).toBe(413);
        expectCleanRefusal(res, `too many fields → ${res.status} ${res.text}`);
      }
      // A body much bigger than it says (and one smaller).
      const lying = await rawPost('/twilio/voice', encode(form), { 'content-length': '5' });
      expect(lying).toMatch(/^HTTP\/1\.1 4\d\d/);
      expect(rows('calls')).toBe(callsBefore);
    });
  });

  it('handles duplicate fields and non-UTF-8 bytes: 400 when signed, 403 when not', async () => {
    await withSeed('duplicates and bytes', async (rng) => {
      const callsBefore = rows('calls');
      const base = validVoice(rng);
      const cases: { body: string | Buffer; params: Form }[] = [
        { body: encode({ ...base, CallSid: [callSid(rng), callSid(rng)] }), params: { ...base, CallSid: [] } },
        { body: encode({ ...base, To: [h.number, h.number + '1'] }), params: {} },
        { body: `${encode(base)}&To=%FF%FE%00`, params: {} },
        { body: Buffer.concat([Buffer.from(encode(base) + '&From='), rng.bytes(64)]), params: {} },
        { body: Buffer.concat([rng.bytes(200)]), params: {} },
        { body: `${encode(base)}&%E0%A4%A=x&=&&&==`, params: {} },
        { body: `CallSid=${'%'.repeat(50)}&To=%`, params: {} },
      ];
      for (const [i, c] of cases.entries()) {
        const unsigned = await post('/twilio/voice', c.body);
        expect(unsigned.status, `#${i} unsigned`).toBe(403);
        // Sign what the server will parse, to reach the validation behind the signature.
        const parsed = Object.fromEntries(new URLSearchParams(c.body.toString('latin1')));
        for (const params of [parsed, c.params]) {
          const res = await post('/twilio/voice', c.body, { 'x-twilio-signature': sign(`${PUBLIC_URL}/twilio/voice`, params) });
          expect(res.status, `#${i} ${res.text}`).toBeLessThan(500);
          if (res.status !== 200) expectCleanRefusal(res, `#${i}`);
        }
      }
      expect(rows('calls') - callsBefore).toBeLessThanOrEqual(1);
    });
  });

  it('refuses other methods and paths under /twilio, and stays healthy after all of it', async () => {
    for (const [method, path] of [['GET', '/twilio/voice'], ['PUT', '/twilio/status'], ['DELETE', '/twilio/voice'], ['POST', '/twilio/nothing'], ['POST', '/twilio/voice/../status'], ['POST', '/twilio/%2e%2e/api/tenants']] as const) {
      const res = await fetch(h.server.url + path, { method });
      expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
    }
    expect((await fetch(`${h.server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.server.url}/readyz`)).status).toBe(200);
    const errors = h.server.logs.filter((l) => l.msg === 'unhandled error');
    expect(errors, JSON.stringify(errors.slice(0, 3))).toEqual([]);
    // A real call still goes through.
    const call = await h.ring();
    expect(call.twiml).toContain('<Connect><Stream');
  });

  async function rawPost(path: string, body: string, headers: Record<string, string>): Promise<string> {
    const { connect } = await import('node:net');
    const { port } = new URL(h.server.url);
    const head = Object.entries({ host: '127.0.0.1', 'content-type': 'application/x-www-form-urlencoded', connection: 'close', ...headers })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n${body}`));
      let data = '';
      socket.setTimeout(5000, () => socket.destroy(new Error('no answer')));
      socket.on('data', (chunk) => (data += chunk));
      socket.on('end', () => resolve(data));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
  }
});
