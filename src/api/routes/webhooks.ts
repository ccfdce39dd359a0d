import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import type { WebhookDeliveryRow } from '../../db/queries/webhook-deliveries.js';
import { webhookSecretContext } from '../../secrets/tenant-secrets.js';
import type { Services } from '../../services.js';
import { scopeOf } from '../auth.js';
import { notFound } from '../errors.js';
import { parseInput } from '../validation.js';

const configure = z.strictObject({ url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2000) });
const listQuery = z.object({
  status: z.enum(['pending', 'delivered', 'dead'], { message: 'must be pending, delivered or dead' }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const presentDelivery = (d: WebhookDeliveryRow) => ({
  id: d.id,
  event: d.event,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
  lastError: d.lastError,
  createdAt: d.createdAt,
  deliveredAt: d.deliveredAt,
});

/**
 * The tenant's call-ended webhook: where it goes, its signing secret (shown once, stored
 * encrypted with SECRETS_KEY), its deliveries.
 */
export function webhookRoutes({ secrets }: Services): Router {
  const router = Router();
  router.put('/', (req, res) => {
    const { url } = parseInput(configure, req.body);
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const scope = scopeOf(req);
    scope.webhooks.configure(url, secrets.seal(secret, webhookSecretContext(scope.tenantId)));
    res.json({ url, secret });
  });
  router.get('/', (req, res) => {
    const settings = scopeOf(req).webhooks.settings();
    res.json({ url: settings?.url ?? null, configured: Boolean(settings?.url) });
  });
  router.delete('/', (req, res) => {
    scopeOf(req).webhooks.configure(null, null);
    res.status(204).end();
  });
  router.get('/deliveries', (req, res) => {
    res.json({ deliveries: scopeOf(req).webhooks.list(parseInput(listQuery, req.query)).map(presentDelivery) });
  });
  router.post('/deliveries/:id/retry', (req, res) => {
    const delivery = scopeOf(req).webhooks.retry(req.params.id);
    if (!delivery) throw notFound('delivery');
    res.json(presentDelivery(delivery));
  });
  return router;
}
