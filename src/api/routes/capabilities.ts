import { Router } from 'express';
import type { Services } from '../../services.js';

/**
 * `GET /api/capabilities` (any key): what this server can do that depends on its configuration,
 * so the dashboard shows only what works. `twilioClientCalls`: calls from the browser through
 * @twilio/voice-sdk (POST /api/agents/:id/voice-token) are configured.
 */
export function capabilityRoutes({ config }: Services): Router {
  const router = Router();
  const body = { webCalls: true, twilioClientCalls: Boolean(config.twilio?.voiceSdk) };
  router.get('/', (_req, res) => {
    res.json(body);
  });
  return router;
}
