import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Twilio's REST API (2010-04-01), speaking its wire format for the endpoints the
 * server uses: searching and buying local numbers, releasing them, and updating live calls. Tests point
 * TWILIO_API_BASE_URL at it, so nothing reaches api.twilio.com.
 */

export interface RecordedRequest {
  method: string;
  /** The path without the query string, e.g. `/2010-04-01/Accounts/AC…/IncomingPhoneNumbers.json`. */
  path: string;
  query: Record<string, string>;
  /** The form-encoded body, parsed. */
  form: Record<string, string>;
  /** The HTTP Basic user name sent, if any. */
  username?: string;
}

export interface InventoryNumber {
  phoneNumber: string;
  locality: string;
  region: string;
  postalCode?: string;
}

export type Fault = { status: number; code: number; message: string };

export interface LiveCall {
  sid: string;
  from: string;
  to: string;
  status: 'queued' | 'ringing' | 'in-progress' | 'completed' | 'canceled' | 'busy' | 'failed' | 'no-answer';
  /** Every TwiML document the call was redirected to, in order. */
  twiml: string[];
}

const DEFAULT_INVENTORY: InventoryNumber[] = [
  { phoneNumber: '+14155550100', locality: 'San Francisco', region: 'CA', postalCode: '94103' },
  { phoneNumber: '+14155550101', locality: 'San Francisco', region: 'CA', postalCode: '94103' },
  { phoneNumber: '+12125550100', locality: 'New York', region: 'NY', postalCode: '10001' },
  { phoneNumber: '+16465550100', locality: 'New York', region: 'NY', postalCode: '10001' },
];

const API = '/2010-04-01';
const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');
/** Twilio's 2010 API dates are RFC 2822: `Thu, 30 Jul 2015 23:19:04 +0000`. */
const rfc2822 = (d: Date) => d.toUTCString().replace(/GMT$/, '+0000');
/** `+14155550100` → `(415) 555-0100`, as Twilio formats North American numbers. */
const friendly = (e164: string) => {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : e164;
};

class TwilioError extends Error {
  constructor(readonly status: number, readonly code: number, message: string) {
    super(message);
  }
}
const notFound = (path: string) => new TwilioError(404, 20404, `The requested resource ${path} was not found`);

export class TwilioApiDouble {
  readonly requests: RecordedRequest[] = [];
  /** Numbers that can be bought; a bought number leaves the inventory (and does not come back when released). */
  inventory: InventoryNumber[] = DEFAULT_INVENTORY.map((n) => ({ ...n }));
  /** The account's numbers, by PN sid, as Twilio would return them. */
  readonly owned = new Map<string, Record<string, unknown>>();
  readonly calls = new Map<string, LiveCall>();
  private readonly faults: { method?: string; path?: RegExp; fault: Fault; times: number }[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly accountSid: string,
    readonly authToken: string,
  ) {}

  static async start(options: { accountSid?: string; authToken?: string } = {}): Promise<TwilioApiDouble> {
    const accountSid = options.accountSid ?? sid('AC');
    const authToken = options.authToken ?? randomBytes(16).toString('hex');
    let double: TwilioApiDouble | undefined;
    const server = createServer((req, res) => void double!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    double = new TwilioApiDouble(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, accountSid, authToken);
    return double;
  }

  /** The next matching request(s) fail with this Twilio error, after authentication and recording. */
  failNext(match: { method?: string; path?: RegExp }, fault: Fault, times = 1): void {
    this.faults.push({ ...match, fault, times });
  }

  /** A call in progress that the server may redirect or hang up. */
  startCall(from = '+15005550006', to = '+14155550100'): LiveCall {
    const call: LiveCall = { sid: sid('CA'), from, to, status: 'in-progress', twiml: [] };
    this.calls.set(call.sid, call);
    return call;
  }

  requestsTo(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections(); // the twilio client keeps connections alive
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://double');
    const body = await readBody(req);
    const form = req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')
      ? Object.fromEntries(new URLSearchParams(body))
      : {};
    const auth = parseBasicAuth(req.headers.authorization);
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), form, username: auth?.username });
    try {
      if (auth?.username !== this.accountSid || auth.password !== this.authToken) {
        res.setHeader('WWW-Authenticate', 'Basic realm="Twilio API"');
        throw new TwilioError(401, 20003, 'Authenticate');
      }
      const fault = this.takeFault(method, url.pathname);
      if (fault) throw new TwilioError(fault.status, fault.code, fault.message);
      const answer = this.route(method, url, form);
      if (answer.status === 204) res.writeHead(204).end();
      else sendJson(res, answer.status, answer.body);
    } catch (caught) {
      const error = caught instanceof TwilioError ? caught : new TwilioError(500, 20500, 'Internal Server Error');
      sendJson(res, error.status, {
        code: error.code,
        message: error.message,
        more_info: `https://www.twilio.com/docs/errors/${error.code}`,
        status: error.status,
      });
    }
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const index = this.faults.findIndex((f) => (!f.method || f.method === method) && (!f.path || f.path.test(path)));
    if (index < 0) return undefined;
    const entry = this.faults[index]!;
    if (--entry.times <= 0) this.faults.splice(index, 1);
    return entry.fault;
  }

  private route(method: string, url: URL, form: Record<string, string>): { status: number; body?: unknown } {
    const path = url.pathname;
    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/(.+)$/.exec(path);
    // Valid credentials for another account's resources: Twilio answers as if they did not exist.
    if (!m || m[1] !== this.accountSid) throw notFound(path);
    const rest = m[2]!;
    let p: RegExpExecArray | null;
    if (method === 'GET' && (p = /^AvailablePhoneNumbers\/([A-Z]{2})\/Local\.json$/.exec(rest))) {
      return { status: 200, body: this.searchLocal(p[1]!, url) };
    }
    if (method === 'POST' && rest === 'IncomingPhoneNumbers.json') return { status: 201, body: this.buy(form) };
    if (method === 'DELETE' && (p = /^IncomingPhoneNumbers\/(PN[0-9a-f]{32})\.json$/.exec(rest))) {
      if (!this.owned.delete(p[1]!)) throw notFound(path);
      return { status: 204 };
    }
    if (method === 'POST' && (p = /^Calls\/(CA[0-9a-f]{32})\.json$/.exec(rest))) {
      const call = this.calls.get(p[1]!);
      if (!call) throw notFound(path);
      return { status: 200, body: this.updateCall(call, form) };
    }
    throw notFound(path);
  }

  private searchLocal(country: string, url: URL) {
    if (country !== 'US') throw notFound(url.pathname);
    const areaCode = url.searchParams.get('AreaCode');
    const pageSize = Number(url.searchParams.get('PageSize') ?? 50);
    const matches = this.inventory.filter((n) => !areaCode || n.phoneNumber.startsWith(`+1${areaCode}`)).slice(0, pageSize);
    const uri = `${url.pathname}?${url.searchParams}`;
    return {
      available_phone_numbers: matches.map((n) => ({
        friendly_name: friendly(n.phoneNumber),
        phone_number: n.phoneNumber,
        lata: '722',
        locality: n.locality,
        rate_center: n.locality.toUpperCase(),
        latitude: null,
        longitude: null,
        region: n.region,
        postal_code: n.postalCode ?? null,
        iso_country: 'US',
        address_requirements: 'none',
        beta: false,
        capabilities: { voice: true, SMS: true, MMS: true, fax: false },
      })),
      end: Math.max(matches.length - 1, 0),
      first_page_uri: uri,
      next_page_uri: null,
      page: 0,
      page_size: pageSize,
      previous_page_uri: null,
      start: 0,
      uri,
    };
  }

  private buy(form: Record<string, string>) {
    for (const field of ['VoiceUrl', 'StatusCallback'] as const) {
      if (form[field] !== undefined && !/^https?:\/\/[^/\s]+/.test(form[field])) {
        throw new TwilioError(400, 21402, `${field} is not valid`);
      }
    }
    let chosen: InventoryNumber | undefined;
    if (form.PhoneNumber !== undefined) {
      if (!/^\+[1-9]\d{7,14}$/.test(form.PhoneNumber)) throw new TwilioError(400, 21421, 'PhoneNumber is invalid');
      chosen = this.inventory.find((n) => n.phoneNumber === form.PhoneNumber);
      if (!chosen) throw new TwilioError(400, 21422, `${form.PhoneNumber} is not available`);
    } else if (form.AreaCode !== undefined) {
      if (!/^[2-9]\d{2}$/.test(form.AreaCode)) throw new TwilioError(400, 21451, 'Invalid area code');
      chosen = this.inventory.find((n) => n.phoneNumber.startsWith(`+1${form.AreaCode}`));
      if (!chosen) throw new TwilioError(400, 21452, `No phone numbers found in area code ${form.AreaCode}`);
    } else {
      throw new TwilioError(400, 21421, 'PhoneNumber is invalid');
    }
    this.inventory = this.inventory.filter((n) => n !== chosen);
    const pnSid = sid('PN');
    const now = rfc2822(new Date());
    const resource = {
      account_sid: this.accountSid,
      address_requirements: 'none',
      address_sid: null,
      api_version: '2010-04-01',
      beta: false,
      bundle_sid: null,
      capabilities: { voice: true, sms: true, mms: true, fax: false },
      date_created: now,
      date_updated: now,
      emergency_status: 'Inactive',
      friendly_name: form.FriendlyName ?? friendly(chosen.phoneNumber),
      identity_sid: null,
      origin: 'twilio',
      phone_number: chosen.phoneNumber,
      sid: pnSid,
      sms_application_sid: '',
      sms_fallback_method: 'POST',
      sms_fallback_url: '',
      sms_method: 'POST',
      sms_url: form.SmsUrl ?? '',
      status: 'in-use',
      status_callback: form.StatusCallback ?? '',
      status_callback_method: form.StatusCallbackMethod ?? 'POST',
      trunk_sid: null,
      uri: `${API}/Accounts/${this.accountSid}/IncomingPhoneNumbers/${pnSid}.json`,
      voice_application_sid: '',
      voice_caller_id_lookup: false,
      voice_fallback_method: 'POST',
      voice_fallback_url: null,
      voice_method: form.VoiceMethod ?? 'POST',
      voice_receive_mode: 'voice',
      voice_url: form.VoiceUrl ?? null,
      subresource_uris: { assigned_add_ons: `${API}/Accounts/${this.accountSid}/IncomingPhoneNumbers/${pnSid}/AssignedAddOns.json` },
    };
    this.owned.set(pnSid, resource);
    return resource;
  }

  private updateCall(call: LiveCall, form: Record<string, string>) {
    const live = call.status === 'in-progress' || call.status === 'queued' || call.status === 'ringing';
    if (!live) throw new TwilioError(400, 21220, 'Call is not in-progress. Cannot redirect.');
    // Status (completed ends a live call, canceled a queued or ringing one) wins over new instructions.
    if (form.Status === 'completed' || form.Status === 'canceled') call.status = form.Status;
    else if (form.Twiml !== undefined) call.twiml.push(form.Twiml);
    const now = rfc2822(new Date());
    return {
      account_sid: this.accountSid,
      answered_by: null,
      api_version: '2010-04-01',
      caller_name: null,
      date_created: now,
      date_updated: now,
      direction: 'inbound',
      duration: null,
      end_time: call.status === 'completed' ? now : null,
      forwarded_from: null,
      from: call.from,
      from_formatted: friendly(call.from),
      parent_call_sid: null,
      phone_number_sid: null,
      price: null,
      price_unit: 'USD',
      sid: call.sid,
      start_time: now,
      status: call.status,
      to: call.to,
      to_formatted: friendly(call.to),
      uri: `${API}/Accounts/${this.accountSid}/Calls/${call.sid}.json`,
    };
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBasicAuth(header: string | undefined): { username: string; password: string } | undefined {
  const m = /^Basic (.+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
}
