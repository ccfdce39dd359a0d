import { Router } from 'express';
import { z } from 'zod';
import { auditQueries } from '../../db/queries/audit.js';
import type { PhoneNumberRow } from '../../db/queries/phone-numbers.js';
import { isUniqueViolation, type TenantScope } from '../../db/tenant-scope.js';
import type { Services } from '../../services.js';
import { phoneNumberSchema } from '../../telephony/phone-number.js';
import { scopeOf } from '../auth.js';
import { ApiError, notFound } from '../errors.js';
import { parseInput } from '../validation.js';

const agentId = z.string({ message: 'is required' }).min(1, { message: 'is required' }).max(64);
const attachNumber = z.strictObject({ number: phoneNumberSchema, agentId });
const routeNumber = z.strictObject({ agentId: agentId.nullable() });

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

export function phoneNumberRoutes({ database }: Services): Router {
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

  router.delete('/:id', (req, res) => {
    const scope = scopeOf(req);
    if (!scope.phoneNumbers.remove(req.params.id)) throw notFound('phone number');
    audit.record({ tenantId: scope.tenantId, actor: req.principal!.keyId, action: 'phone_number.detached', targetType: 'phone_number', targetId: req.params.id });
    res.status(204).end();
  });

  return router;
}
