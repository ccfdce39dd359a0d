import { Router } from 'express';
import { z } from 'zod';
import { auditQueries } from '../../db/queries/audit.js';
import type { PhoneNumberRow } from '../../db/queries/phone-numbers.js';
import { isUniqueViolation, type TenantScope } from '../../db/tenant-scope.js';
import type { Services } from '../../services.js';
import { phoneNumberSchema } from '../../telephony/phone-number.js';
import { fromTwilio, provisionNumber, TWILIO_NOT_CONFIGURED } from '../../telephony/number-provisioning.js';
import { TwilioRestError, type TwilioRest } from '../../telephony/twilio-rest.js';
import { scopeOf } from '../auth.js';
import { ApiError, notFound } from '../errors.js';
import { parseInput } from '../validation.js';

const agentId = z.string({ message: 'is required' }).min(1, { message: 'is required' }).max(64);
const attachNumber = z.strictObject({ number: phoneNumberSchema, agentId });
const routeNumber = z.strictObject({ agentId: agentId.nullable() });
const provisionInput = z.strictObject({
  agentId,
  areaCode: z.string().regex(/^[2-9]\d{2}$/, { message: 'must be a 3-digit US area code, e.g. 415' }).optional(),
});

export const presentPhoneNumber = (p: PhoneNumberRow) => ({
  id: p.id,
  number: p.number,
  agentId: p.agentId,
  twilioSid: p.twilioSid,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});

function assertAgentOwned(scope: TenantScope, id: string | null): void {
  if (id !== null && !scope.agents.get(id)) throw notFound('agent');
}

function requireTwilio(twilio: TwilioRest | undefined, why: string): TwilioRest {
  if (!twilio) throw new ApiError(503, 'unavailable', `${TWILIO_NOT_CONFIGURED}, so ${why}`);
  return twilio;
}

export function phoneNumberRoutes({ database, config, log, twilio }: Services): Router {
  const audit = auditQueries(database.db);
  const router = Router();

  router.get('/', (req, res) => {
    res.json({ phoneNumbers: scopeOf(req).phoneNumbers.list().map(presentPhoneNumber) });
  });

  router.post('/', (req, res) => {
    const input = parseInput(attachNumber, req.body);
    const scope = scopeOf(req);
    assertAgentOwned(scope, input.agentId);
    try {
      const row = scope.phoneNumbers.create(input);
      audit.record({ tenantId: scope.tenantId, actor: req.principal!.keyId, action: 'phone_number.attached', targetType: 'phone_number', targetId: row.id });
      res.status(201).json(presentPhoneNumber(row));
    } catch (error) {
      if (isUniqueViolation(error)) throw new ApiError(409, 'conflict', 'that phone number is already attached');
      throw error;
    }
  });

  router.post('/provision', async (req, res) => {
    const input = parseInput(provisionInput, req.body);
    const scope = scopeOf(req);
    assertAgentOwned(scope, input.agentId);
    const rest = requireTwilio(twilio, 'numbers cannot be provisioned');
    const row = await provisionNumber({ rest, database, scope, log, publicUrl: config.publicUrl, agentId: input.agentId, areaCode: input.areaCode, actor: req.principal!.keyId });
    res.status(201).json(presentPhoneNumber(row));
  });

  router.get('/:id', (req, res) => {
    const row = scopeOf(req).phoneNumbers.get(req.params.id);
    if (!row) throw notFound('phone number');
    res.json(presentPhoneNumber(row));
  });

  router.patch('/:id', (req, res) => {
    const { agentId: target } = parseInput(routeNumber, req.body);
    const scope = scopeOf(req);
    if (!scope.phoneNumbers.get(req.params.id)) throw notFound('phone number');
    assertAgentOwned(scope, target);
    res.json(presentPhoneNumber(scope.phoneNumbers.route(req.params.id, target)!));
  });

  /** A number bought through Twilio is released there first; if Twilio refuses, the row stays (502). */
  router.delete('/:id', async (req, res) => {
    const scope = scopeOf(req);
    const row = scope.phoneNumbers.get(req.params.id);
    if (!row) throw notFound('phone number');
    if (row.twilioSid) {
      const rest = requireTwilio(twilio, 'this Twilio number cannot be released');
      try {
        await rest.releaseNumber(row.twilioSid);
      } catch (error) {
        // 20404: already released at Twilio (in its console, say); nothing is left to release.
        if (!(error instanceof TwilioRestError && error.code === 20404)) {
          log.warn({ err: error, twilioSid: row.twilioSid, phoneNumberId: row.id }, 'twilio refused to release a number');
          throw fromTwilio('release the number', error);
        }
      }
    }
    if (!scope.phoneNumbers.remove(row.id)) throw notFound('phone number');
    const action = row.twilioSid ? 'phone_number.released' : 'phone_number.detached';
    audit.record({ tenantId: scope.tenantId, actor: req.principal!.keyId, action, targetType: 'phone_number', targetId: row.id, ...(row.twilioSid ? { details: { twilioSid: row.twilioSid } } : {}) });
    res.status(204).end();
  });

  return router;
}
