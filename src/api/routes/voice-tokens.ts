import { Router } from 'express';
import type { Services } from '../../services.js';
import { VOICE_TOKEN_TTL_SECONDS, voiceAccessToken } from '../../telephony/twilio-client.js';
import { scopeOf } from '../auth.js';
import { ApiError, notFound } from '../errors.js';

/**
 * Mounted at /api/agents/:agentId/voice-token. `POST` (tenant key, no body) →
 * `201 {token, identity, expiresInSeconds}`: a Twilio Access Token for @twilio/voice-sdk that can
 * place calls through TWILIO_TWIML_APP_SID only, for an identity that reaches this agent only
 * (protocol in ../../telephony/twilio-client.ts). 503 when the Voice SDK is not configured.
 */
export function voiceTokenRoutes({ config, lifecycle, log, twilioClients }: Services): Router {
  const router = Router({ mergeParams: true });

  router.post('/', (req, res) => {
    const { agentId } = req.params as { agentId: string };
    const scope = scopeOf(req);
    const sdk = config.twilio?.voiceSdk;
    if (!config.twilio || !sdk) {
      throw new ApiError(
        503,
        'unavailable',
        'calling through Twilio from the browser is not configured: set TWILIO_API_KEY_SID, TWILIO_API_KEY_SECRET and TWILIO_TWIML_APP_SID (with TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN)',
      );
    }
    const agent = scope.agents.get(agentId);
    if (!agent) throw notFound('agent');
    if (agent.status !== 'active') throw new ApiError(409, 'conflict', 'this agent is disabled; set its status to active to talk to it');
    if (lifecycle.draining) throw new ApiError(503, 'unavailable', 'the server is restarting; try again in a minute');
    const identity = twilioClients.issue({ tenantId: scope.tenantId, agentId: agent.id });
    const token = voiceAccessToken(config.twilio.accountSid, sdk, identity, VOICE_TOKEN_TTL_SECONDS);
    log.info({ event: 'voice_token.issued', tenantId: scope.tenantId, agentId: agent.id, identity }, 'Twilio Voice SDK token issued');
    res.status(201).set('cache-control', 'no-store').json({ token, identity, expiresInSeconds: VOICE_TOKEN_TTL_SECONDS });
  });

  return router;
}
