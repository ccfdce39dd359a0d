import { Router } from 'express';
import type { Services } from '../../services.js';

/** Unauthenticated probes: liveness, readiness (database and engines) and Prometheus metrics. */
export function healthRoutes({ readiness, lifecycle, metrics }: Services): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    let ready = !lifecycle.draining;
    for (const [name, check] of readiness) {
      const { critical, ...result } = check();
      checks[name] = result;
      if (!result.ok && critical !== false) ready = false;
    }
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : lifecycle.draining ? 'draining' : 'not_ready', checks });
  });
  router.get('/metrics', async (_req, res) => {
    res.set('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
