import { Router } from 'express';
import { z } from 'zod';
import { apiKeyQueries } from '../../db/queries/api-keys.js';
import { auditQueries } from '../../db/queries/audit.js';
import { tenantQueries, type TenantRow } from '../../db/queries/tenants.js';
import type { Services } from '../../services.js';
import { notFound } from '../errors.js';
import { parseInput } from '../validation.js';
import { presentApiKey } from './api-keys.js';

const tenantName = z.string().trim().min(1, { message: 'is required' }).max(100, { message: 'must be at most 100 characters' });
const createTenant = z.strictObject({ name: tenantName });
const updateTenant = z
  .strictObject({ name: tenantName.optional(), status: z.enum(['active', 'disabled']).optional() })
  .refine((v) => Object.keys(v).length > 0, { message: 'give at least one field to change' });
const issueKey = z.strictObject({ label: z.string().trim().max(100).optional() });

const presentTenant = (t: TenantRow) => ({ id: t.id, name: t.name, status: t.status, createdAt: t.createdAt });

/** Admin-only: tenants and their keys. */
export function tenantRoutes({ database, authenticator }: Services): Router {
  const tenants = tenantQueries(database.db);
  const audit = auditQueries(database.db);
  const keys = apiKeyQueries(database.db);
  const router = Router();

  router.post('/', async (req, res) => {
    const { name } = parseInput(createTenant, req.body);
    const tenant = tenants.create(name);
    const { key, row } = await authenticator.issueKey('tenant', tenant.id, 'initial key');
    audit.record({ tenantId: tenant.id, actor: req.principal!.keyId, action: 'tenant.created', targetType: 'tenant', targetId: tenant.id });
    audit.record({ tenantId: tenant.id, actor: req.principal!.keyId, action: 'api_key.issued', targetType: 'api_key', targetId: row.id });
    res.status(201).json({ ...presentTenant(tenant), apiKey: key });
  });

  router.get('/', (_req, res) => {
    res.json({ tenants: tenants.list().map(presentTenant) });
  });

  router.get('/:id', (req, res) => {
    const tenant = tenants.get(req.params.id);
    if (!tenant) throw notFound('tenant');
    res.json({ ...presentTenant(tenant), apiKeys: keys.listForTenant(tenant.id).map(presentApiKey) });
  });

  router.patch('/:id', (req, res) => {
    const patch = parseInput(updateTenant, req.body);
    const tenant = tenants.update(req.params.id, patch);
    if (!tenant) throw notFound('tenant');
    audit.record({ tenantId: tenant.id, actor: req.principal!.keyId, action: 'tenant.updated', targetType: 'tenant', targetId: tenant.id, details: patch });
    res.json(presentTenant(tenant));
  });

  router.post('/:id/api-keys', async (req, res) => {
    const { label } = parseInput(issueKey, req.body);
    const tenant = tenants.get(req.params.id);
    if (!tenant) throw notFound('tenant');
    const { key, row } = await authenticator.issueKey('tenant', tenant.id, label);
    audit.record({ tenantId: tenant.id, actor: req.principal!.keyId, action: 'api_key.issued', targetType: 'api_key', targetId: row.id });
    res.status(201).json({ ...presentApiKey(row), apiKey: key });
  });

  return router;
}
