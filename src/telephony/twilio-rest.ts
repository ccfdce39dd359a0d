import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';

/** The part of Twilio's REST API the product uses: buying and releasing numbers, steering live calls. */
export interface TwilioRest {
  searchAvailableLocalNumbers(query: { country: 'US'; areaCode?: string }): Promise<AvailableNumber[]>;
  buyNumber(input: { phoneNumber: string; voiceUrl: string; statusCallbackUrl: string }): Promise<{ sid: string; phoneNumber: string }>;
  releaseNumber(sid: string): Promise<void>;
  /** Replaces what a live call is doing with new TwiML (a transfer's `<Dial>`, a goodbye `<Say>`). */
  redirectCall(callSid: string, twiml: string): Promise<void>;
  hangUp(callSid: string): Promise<void>;
}

export interface AvailableNumber {
  phoneNumber: string;
  friendlyName: string;
  locality: string | null;
  region: string | null;
  isoCountry: string;
}

export interface TwilioRestOptions {
  accountSid: string;
  authToken: string;
  /** Default `https://api.twilio.com`; a local double in tests, or a proxy. */
  apiBaseUrl?: string;
  timeoutMs?: number;
}

/**
 * Twilio refused, or could not be reached. `code` is Twilio's error code (20003 authentication,
 * 20404 not found, 21422 number not available, ...), null when no answer came back.
 */
export class TwilioRestError extends Error {
  override readonly name = 'TwilioRestError';
  constructor(
    message: string,
    readonly code: number | null,
    readonly status: number | null,
    readonly moreInfo?: string,
  ) {
    super(message);
  }
}

export const TWILIO_API_ORIGIN = 'https://api.twilio.com';

/**
 * The twilio package builds absolute `https://api.twilio.com/...` URLs and has no base-URL option;
 * its supported extension point is `httpClient`, so this RequestClient moves requests to another origin.
 */
class RebasingRequestClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: string,
    options: RequestClient.RequestClientOptions,
  ) {
    super(options);
  }

  override request<T>(opts: RequestClient.RequestOptions<T>) {
    return super.request<T>({ ...opts, uri: rebase(opts.uri, this.baseUrl) });
  }
}

/** Only Twilio's API origin (edge/region forms included) is moved; the path and query are kept. */
function rebase(uri: string, baseUrl: string): string {
  const url = new URL(uri);
  if (url.protocol !== 'https:' || !/^api(\.[a-z0-9-]+)*\.twilio\.com$/.test(url.hostname)) return uri;
  return baseUrl + url.pathname + url.search;
}

export function createTwilioRest(options: TwilioRestOptions): TwilioRest {
  const baseUrl = (options.apiBaseUrl ?? TWILIO_API_ORIGIN).replace(/\/+$/, '');
  const requestOptions = { timeout: options.timeoutMs ?? 15_000, autoRetry: true, maxRetries: 3 };
  const client = twilio(options.accountSid, options.authToken, {
    httpClient: baseUrl === TWILIO_API_ORIGIN ? new twilio.RequestClient(requestOptions) : new RebasingRequestClient(baseUrl, requestOptions),
    // Our own settings only: a stray TWILIO_EDGE/TWILIO_REGION in the environment must not move requests.
    env: {},
    edge: '',
    region: '',
  });
  const account = client.api.v2010.accounts(options.accountSid);

  return {
    async searchAvailableLocalNumbers({ country, areaCode }) {
      const page = await call(() =>
        account.availablePhoneNumbers(country).local.page({
          voiceEnabled: true,
          pageSize: 20,
          ...(areaCode ? { areaCode: Number(areaCode) } : {}),
        }),
      );
      return page.instances.map((n) => ({
        phoneNumber: n.phoneNumber,
        friendlyName: n.friendlyName,
        locality: n.locality ?? null,
        region: n.region ?? null,
        isoCountry: n.isoCountry,
      }));
    },

    async buyNumber({ phoneNumber, voiceUrl, statusCallbackUrl }) {
      const bought = await call(() =>
        account.incomingPhoneNumbers.create({
          phoneNumber,
          voiceUrl,
          voiceMethod: 'POST',
          statusCallback: statusCallbackUrl,
          statusCallbackMethod: 'POST',
        }),
      );
      return { sid: bought.sid, phoneNumber: bought.phoneNumber };
    },

    async releaseNumber(sid) {
      await call(() => account.incomingPhoneNumbers(sid).remove());
    },

    async redirectCall(callSid, twiml) {
      await call(() => account.calls(callSid).update({ twiml }));
    },

    async hangUp(callSid) {
      await call(() => account.calls(callSid).update({ status: 'completed' }));
    },
  };
}

/** Every failure leaves the adapter as a TwilioRestError, whatever layer of the twilio package raised it. */
async function call<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw toTwilioRestError(error);
  }
}

function toTwilioRestError(error: unknown): TwilioRestError {
  if (error instanceof TwilioRestError) return error;
  const e = (error ?? {}) as { status?: unknown; code?: unknown; message?: unknown; moreInfo?: unknown; detail?: unknown; title?: unknown };
  // RestException (legacy JSON errors) and TwilioServiceException (RFC 9457) both carry a numeric HTTP status.
  if (typeof e.status === 'number') {
    const message = [e.message, e.detail, e.title].find((m): m is string => typeof m === 'string' && m.length > 0);
    return new TwilioRestError(
      message ?? `Twilio answered HTTP ${e.status}`,
      typeof e.code === 'number' ? e.code : null,
      e.status,
      typeof e.moreInfo === 'string' ? e.moreInfo : undefined,
    );
  }
  // No answer: a refused connection, DNS or a timeout (axios errors carry a string code such as ECONNREFUSED).
  const reason = typeof e.code === 'string' ? e.code : error instanceof Error ? error.message : String(error);
  return new TwilioRestError(`Twilio could not be reached: ${reason}`, null, null);
}
