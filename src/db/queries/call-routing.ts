import { and, eq } from 'drizzle-orm';
import type { Db } from '../database.js';
import { agents, calls, phoneNumbers, tenants } from '../schema.js';

/**
 * Lookups Twilio's webhooks need before any tenant is known: the dialled number, or Twilio's
 * call SID, is what identifies the tenant. Everything after them goes through tenantScope().
 */
export function callRoutingQueries(db: Db) {
  return {
    routeForNumber(number: string) {
      return db
        .select({ phoneNumber: phoneNumbers, agent: agents, tenantStatus: tenants.status })
        .from(phoneNumbers)
        .innerJoin(tenants, eq(tenants.id, phoneNumbers.tenantId))
        .leftJoin(agents, and(eq(agents.id, phoneNumbers.agentId), eq(agents.tenantId, phoneNumbers.tenantId)))
        .where(eq(phoneNumbers.number, number))
        .get();
    },
    callBySid(callSid: string) {
      return db.select({ id: calls.id, tenantId: calls.tenantId }).from(calls).where(eq(calls.twilioCallSid, callSid)).get();
    },
  };
}
