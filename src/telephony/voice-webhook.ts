import express, { Router } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import { ApiError } from '../api/errors.js';
import { parseInput } from '../api/validation.js';
import { callRoutingQueries } from '../db/queries/call-routing.js';
import { tenantQueries } from '../db/queries/tenants.js';
import { isUniqueViolation, tenantScope } from '../db/tenant-scope.js';
import { maskPhone } from '../observability/redact.js';
import type { Services } from '../services.js';
import { clientCallParams, isClientCall } from './twilio-client.js';
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

  /** Answers a call with the media stream, its callToken naming the call, tenant and agent. */
  const connectStream = (callId: string, tenantId: string, agentId: string, callSid: string): string => {
    const response = new twilio.twiml.VoiceResponse();
    const stream = response.connect().stream({ url: publicUrlFor(config, '/twilio/media', 'ws') });
    stream.parameter({ name: 'callToken', value: callTokens.issue({ callId, tenantId, agentId, callSid }) });
    stream.parameter({ name: 'callId', value: callId });
    return response.toString();
  };

  /** A call the dashboard placed through @twilio/voice-sdk (see twilio-client.ts): routed by the token's identity. */
  const answerClientCall = (body: unknown): string => {
    const { CallSid, From: identity, agentId } = parseInput(clientCallParams, body);
    if (services.lifecycle.draining) return refusal('Sorry, we are restarting for a moment. Please call back in a minute.');
    if (services.lifecycle.activeCalls >= config.telephony.maxConcurrentCalls) return refusal('Sorry, all our lines are busy right now. Please call back in a few minutes.');
    const callLog = { event: 'call.incoming', channel: 'twilio-client', callSid: CallSid, identity };
    const grant = services.twilioClients.resolve(identity);
    const scope = grant ? tenantScope(database.db, grant.tenantId) : undefined;
    const agent = grant ? scope?.agents.get(grant.agentId) : undefined;
    const tenant = grant ? tenantQueries(database.db).get(grant.tenantId) : undefined;
    if (!grant || !scope || !agent || agent.status !== 'active' || tenant?.status !== 'active') {
      log.info({ ...callLog, routed: false, tenantId: grant?.tenantId }, 'browser call: unknown or expired identity, or the agent is gone');
      return refusal('Sorry, this call could not be connected. Please try again from the dashboard. Goodbye.');
    }
    if (agentId !== undefined && agentId !== agent.id) {
      log.warn({ ...callLog, routed: false, tenantId: grant.tenantId, agentId: agent.id }, 'browser call: asked for another agent than its token allows');
      return refusal('Sorry, this call could not be connected. Goodbye.');
    }
    let callId: string;
    try {
      callId = scope.calls.create({ agentId: agent.id, channel: 'twilio-client', twilioCallSid: CallSid, fromNumber: null, toNumber: null, status: 'ringing' }).id;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = routing.callBySid(CallSid);
      if (!existing || existing.tenantId !== grant.tenantId) throw new ApiError(409, 'conflict', 'call SID already in use');
      callId = existing.id;
    }
    log.info({ ...callLog, routed: true, tenantId: grant.tenantId, agentId: agent.id, callId }, 'browser call routed');
    return connectStream(callId, grant.tenantId, agent.id, CallSid);
  };

  router.post('/voice', (req, res) => {
    if (isClientCall(req.body)) {
      const twiml = answerClientCall(req.body);
      res.type('text/xml').send(twiml);
      return;
    }
    const { CallSid, To, From } = parseInput(voiceParams, req.body);
    res.type('text/xml');
    if (services.lifecycle.draining) {
      res.send(refusal('Sorry, we are restarting for a moment. Please call back in a minute.'));
      return;
    }
    // Past the cap every call would get slow answers; the caller hears why instead (and Twilio's
    // status callback records the call as completed, so the owner sees it).
    if (services.lifecycle.activeCalls >= config.telephony.maxConcurrentCalls) {
      log.warn({ event: 'call.over_capacity', activeCalls: services.lifecycle.activeCalls, callSid: CallSid }, 'all lines busy; call turned away');
      res.send(refusal('Sorry, all our lines are busy right now. Please call back in a few minutes.'));
      return;
    }
    const route = routing.routeForNumber(To);
    const callLog = { event: 'call.incoming', callSid: CallSid, to: maskPhone(To), from: maskPhone(From) };
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
    res.send(connectStream(callId, agent.tenantId, agent.id, CallSid));
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
