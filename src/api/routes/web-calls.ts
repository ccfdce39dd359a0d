import { Router } from 'express';
import type { Services } from '../../services.js';
import { WEB_CALL_TOKEN_TTL_MS, webMediaUrl } from '../../telephony/web-call.js';
import { scopeOf } from '../auth.js';
import { ApiError, notFound } from '../errors.js';

/** A web call whose socket never started is written off once its token can no longer be used. */
const NOT_CONNECTED_GRACE_MS = 5_000;

/**
 * Mounted at /api/agents/:agentId/web-call. `POST` (tenant key, no body) →
 * `201 {callId, token, url, expiresInMs}`: the browser opens `url` and sends the token in
 * `start` (protocol in ../../telephony/web-call.ts). The call is listed with `channel: "web"`.
 */
export function webCallRoutes({ webCallTokens, lifecycle, log, config }: Services): Router {
  const router = Router({ mergeParams: true });

  router.post('/', (req, res) => {
    const { agentId } = req.params as { agentId: string };
    const scope = scopeOf(req);
    const agent = scope.agents.get(agentId);
    if (!agent) throw notFound('agent');
    if (agent.status !== 'active') throw new ApiError(409, 'conflict', 'this agent is disabled; set its status to active to talk to it');
    if (lifecycle.draining) throw new ApiError(503, 'unavailable', 'the server is restarting; try again in a minute');
    if (lifecycle.activeCalls >= config.telephony.maxConcurrentCalls) throw new ApiError(503, 'unavailable', 'all lines are busy (MAX_CONCURRENT_CALLS); try again in a few minutes');
    const call = scope.calls.create({ agentId: agent.id, channel: 'web', status: 'ringing', fromNumber: null, toNumber: null });
    // callSid: a web call has no Twilio SID; the browser names the call by its id in `start`.
    const token = webCallTokens.issue({ callId: call.id, tenantId: scope.tenantId, agentId: agent.id, callSid: call.id });
    const timer = setTimeout(() => {
      try {
        if (scope.calls.get(call.id)?.status === 'ringing') {
          scope.calls.update(call.id, { status: 'canceled', endedAt: new Date(), endReason: 'not_connected' });
        }
      } catch (error) {
        log.debug({ err: error, callId: call.id }, 'could not write off an unconnected web call'); // the database closed first
      }
    }, WEB_CALL_TOKEN_TTL_MS + NOT_CONNECTED_GRACE_MS);
    timer.unref();
    log.info({ event: 'web_call.created', callId: call.id, tenantId: scope.tenantId, agentId: agent.id }, 'web call token issued');
    res
      .status(201)
      .set('cache-control', 'no-store')
      .json({ callId: call.id, token, url: webMediaUrl(req.protocol, req.get('host'), config.publicUrl), expiresInMs: WEB_CALL_TOKEN_TTL_MS });
  });

  return router;
}
