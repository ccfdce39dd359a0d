import express, { Router } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import { ApiError } from '../api/errors.js';
import { parseInput } from '../api/validation.js';
import { callRoutingQueries } from '../db/queries/call-routing.js';
import { isUniqueViolation, tenantScope } from '../db/tenant-scope.js';
import { maskPhoneNumber } from '../observability/logger.js';
import type { Services } from '../services.js';
import { publicUrlFor, requireTwilioSignature } from './twilio-signature.js';

const voiceParams = z.object({
  CallSid: z.string().regex(/^CA[0-9a-fA-F]{32}$/, { message: 'must be a Twilio call SID' }),
  To: z.string().min(1).max(32),
  From: z.string().max(64).optional(),
});
const statusParams = z.object({
  CallSid: z.string().regex(/^CA[0-9a-fA-F]{32}$/, { message: 'must be a Twilio call SID' }),
  CallStatus: z.enum(['queued', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled']),
  CallDuration: z.coerce.number().int().min(0).optional(),
});
const FINAL_STATUSES = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

function refusal(message: string): string {
  const response = new twilio.twiml.VoiceResponse();
  response.say(message);
  response.hangup();
  return response.toString();
}

/** Twilio's webhooks: `POST /twilio/voice` (who answers this call?) and `POST /twilio/status`. */
export function voiceWebhookRoutes(services: Services): Router {
  const { config, database, log, callTokens } = services;
  const routing = callRoutingQueries(database.db);
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 }));
  router.use(requireTwilioSignature(config));

  router.post('/voice', (req, res) => {
    const { CallSid, To, From } = parseInput(voiceParams, req.body);
    res.type('text/xml');
    if (services.lifecycle.draining) {
      res.send(refusal('Sorry, we are restarting for a moment. Please call back in a minute.'));
      return;
    }
    const route = routing.routeForNumber(To);
    const callLog = { event: 'call.incoming', callSid: CallSid, to: maskPhoneNumber(To), from: maskPhoneNumber(From) };
    if (!route || !route.agent || route.tenantStatus !== 'active' || route.agent.status !== 'active') {
      log.info({ ...callLog, routed: false, tenantId: route?.phoneNumber.tenantId }, 'no active agent for the dialled number');
      res.send(refusal('Sorry, the number you have called is not in service. Goodbye.'));
      return;
    }
    const { agent } = route;
    const scope = tenantScope(database.db, agent.tenantId);
    let callId: string;
    try {
      callId = scope.calls.create({ agentId: agent.id, twilioCallSid: CallSid, fromNumber: From ?? null, toNumber: To, status: 'ringing' }).id;
    } catch (error) {
      // Twilio retries a webhook that timed out: the same call, already recorded.
      if (!isUniqueViolation(error)) throw error;
      const existing = routing.callBySid(CallSid);
      if (!existing || existing.tenantId !== agent.tenantId) throw new ApiError(409, 'conflict', 'call SID already in use');
      callId = existing.id;
    }
    log.info({ ...callLog, routed: true, tenantId: agent.tenantId, agentId: agent.id, callId }, 'call routed');
    const response = new twilio.twiml.VoiceResponse();
    const stream = response.connect().stream({ url: publicUrlFor(config, '/twilio/media', 'ws') });
    stream.parameter({ name: 'callToken', value: callTokens.issue({ callId, tenantId: agent.tenantId, agentId: agent.id, callSid: CallSid }) });
    stream.parameter({ name: 'callId', value: callId });
    res.send(response.toString());
  });

  router.post('/status', (req, res) => {
    const { CallSid, CallStatus, CallDuration } = parseInput(statusParams, req.body);
    const call = routing.callBySid(CallSid);
    if (call) {
      const final = FINAL_STATUSES.has(CallStatus);
      tenantScope(database.db, call.tenantId).calls.update(call.id, {
        status: CallStatus,
        ...(CallDuration !== undefined ? { durationSeconds: CallDuration } : {}),
        ...(final ? { endedAt: new Date() } : {}),
      });
      log.info({ event: 'call.status', callId: call.id, tenantId: call.tenantId, status: CallStatus }, 'call status');
    }
    res.status(204).end();
  });

  return router;
}
