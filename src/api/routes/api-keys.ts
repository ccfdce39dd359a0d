import { Router } from 'express';
import { z } from 'zod';
import { apiKeyQueries, type ApiKeyRow } from '../../db/queries/api-keys.js';
import { auditQueries } from '../../db/queries/audit.js';
import type { Services } from '../../services.js';
import { scopeOf } from '../auth.js';
import { notFound } from '../errors.js';
import { parseInput } from '../validation.js';

export const presentApiKey = (k: ApiKeyRow) => ({
  id: k.id,
  label: k.label,
  prefix: `vak_${k.prefix}`,
  createdAt: k.createdAt,
  lastUsedAt: k.lastUsedAt,
  revokedAt: k.revokedAt,
});

const issueKey = z.strictObject({ label: z.string().trim().max(100, { message: 'must be at most 100 characters' }).optional() });

/** A tenant manages its own keys (rotation: issue a new one, then revoke the old). */
export function apiKeyRoutes({ database, authenticator }: Services): Router {
  const keys = apiKeyQueries(database.db);
  const audit = auditQueries(database.db);
  const router = Router();

  router.get('/', (req, res) => {
    res.json({ apiKeys: keys.listForTenant(scopeOf(req).tenantId).map(presentApiKey) });
  });

  router.post('/', async (req, res) => {
    const { label } = parseInput(issueKey, req.body);
    const { tenantId } = scopeOf(req);
    const { key, row } = await authenticator.issueKey('tenant', tenantId, label);
    audit.record({ tenantId, actor: req.principal!.keyId, action: 'api_key.issued', targetType: 'api_key', targetId: row.id });
    res.status(201).json({ ...presentApiKey(row), apiKey: key });
  });

  router.delete('/:id', (req, res) => {
    const { tenantId } = scopeOf(req);
    if (!authenticator.revokeTenantKey(tenantId, req.params.id)) throw notFound('API key');
    audit.record({ tenantId, actor: req.principal!.keyId, action: 'api_key.revoked', targetType: 'api_key', targetId: req.params.id });
    res.status(204).end();
  });

  return router;
}
