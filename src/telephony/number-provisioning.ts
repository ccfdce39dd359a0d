import { ApiError } from '../api/errors.js';
import { auditQueries } from '../db/queries/audit.js';
import type { PhoneNumberRow } from '../db/queries/phone-numbers.js';
import { isUniqueViolation, type TenantScope } from '../db/tenant-scope.js';
import type { DatabaseHandle } from '../db/database.js';
import type { Logger } from '../observability/logger.js';
import { TwilioRestError, type TwilioRest } from './twilio-rest.js';

/** Twilio codes meaning "that number (or any number there) cannot be bought now". */
const NUMBER_NOT_AVAILABLE = 21422;
const NO_NUMBERS_FOUND = 21452;
/** A number someone else bought between our search and our purchase: try the next few. */
const PURCHASE_ATTEMPTS = 3;

export const TWILIO_NOT_CONFIGURED = 'Twilio is not configured (set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN)';

/** Twilio's refusal becomes a 502 that carries Twilio's code and message; other errors pass through. */
export function fromTwilio(what: string, error: unknown): unknown {
  if (!(error instanceof TwilioRestError)) return error;
  return new ApiError(502, 'unavailable', `Twilio could not ${what}: ${error.message}`, { twilioCode: error.code, twilioStatus: error.status });
}

const noNumbers = (areaCode: string | undefined, twilioCode: number | null = null) =>
  new ApiError(409, 'conflict', `Twilio has no local numbers available${areaCode ? ` in area code ${areaCode}` : ''}; try another area code`, {
    twilioCode,
  });

export interface ProvisionNumberOptions {
  rest: TwilioRest;
  database: DatabaseHandle;
  scope: TenantScope;
  log: Logger;
  /** Where Twilio reaches this server: the number's voice webhook and status callback. */
  publicUrl: string;
  agentId: string;
  areaCode?: string;
  /** Who asked, for the audit log (an API key id). */
  actor: string;
}

/**
 * Buys a local US number through Twilio with its voice webhook and status callback pointed at
 * this server, stores it routed to the agent, and audits it. A number bought but not stored is
 * released again. Errors are ApiErrors (409 none available or already attached, 502 Twilio refused).
 */
export async function provisionNumber(o: ProvisionNumberOptions): Promise<PhoneNumberRow> {
  const bought = await buyFirstAvailable(o.rest, o.publicUrl, o.areaCode);
  try {
    const row = o.scope.phoneNumbers.create({ number: bought.phoneNumber, agentId: o.agentId, twilioSid: bought.sid });
    auditQueries(o.database.db).record({
      tenantId: o.scope.tenantId,
      actor: o.actor,
      action: 'phone_number.provisioned',
      targetType: 'phone_number',
      targetId: row.id,
      details: { twilioSid: bought.sid, number: bought.phoneNumber, agentId: o.agentId },
    });
    return row;
  } catch (error) {
    // Bought but not stored: give it back rather than pay for a number that routes nowhere.
    await o.rest.releaseNumber(bought.sid).catch((releaseError: unknown) =>
      o.log.error({ err: releaseError, twilioSid: bought.sid }, 'could not release a provisioned number that was not stored'),
    );
    if (isUniqueViolation(error)) throw new ApiError(409, 'conflict', 'that phone number is already attached');
    throw error;
  }
}

/** Buys the first candidate still for sale. */
async function buyFirstAvailable(rest: TwilioRest, publicUrl: string, areaCode: string | undefined) {
  const candidates = await rest.searchAvailableLocalNumbers({ country: 'US', areaCode }).catch((e) => {
    throw fromTwilio('search for numbers', e);
  });
  for (const candidate of candidates.slice(0, PURCHASE_ATTEMPTS)) {
    try {
      return await rest.buyNumber({
        phoneNumber: candidate.phoneNumber,
        voiceUrl: `${publicUrl}/twilio/voice`,
        statusCallbackUrl: `${publicUrl}/twilio/status`,
      });
    } catch (error) {
      if (error instanceof TwilioRestError && error.code === NUMBER_NOT_AVAILABLE) continue;
      if (error instanceof TwilioRestError && error.code === NO_NUMBERS_FOUND) throw noNumbers(areaCode, error.code);
      throw fromTwilio('buy the number', error);
    }
  }
  throw noNumbers(areaCode, candidates.length > 0 ? NUMBER_NOT_AVAILABLE : null);
}
