import { Router } from 'express';
import { z } from 'zod';
import type { CallRow, CallTurnRow } from '../../db/queries/calls.js';
import type { Services } from '../../services.js';
import { scopeOf } from '../auth.js';
import { notFound } from '../errors.js';
import { parseInput } from '../validation.js';

const listQuery = z.object({
  agentId: z.string().max(64).optional(),
  limit: z.coerce.number({ message: 'must be a number' }).int().min(1).max(100).default(50),
  before: z.coerce.date({ message: 'must be a date' }).optional(),
});

const presentCall = (c: CallRow) => ({
  id: c.id,
  agentId: c.agentId,
  channel: c.channel,
  twilioCallSid: c.twilioCallSid,
  from: c.fromNumber,
  to: c.toNumber,
  status: c.status,
  startedAt: c.startedAt,
  endedAt: c.endedAt,
  durationSeconds: c.durationSeconds,
  endReason: c.endReason,
  summary: c.summary,
  intent: c.intent,
  outcome: c.outcome,
});

const presentTurn = (t: CallTurnRow) => ({
  seq: t.seq,
  speaker: t.speaker,
  text: t.text,
  startMs: t.startMs,
  endMs: t.endMs,
  interrupted: t.interrupted,
  latency: {
    endpointingMs: t.endpointingMs,
    sttMs: t.sttMs,
    llmFirstTokenMs: t.llmFirstTokenMs,
    ttsFirstAudioMs: t.ttsFirstAudioMs,
    responseMs: t.responseMs,
  },
});

export function callRoutes(_services: Services): Router {
  const router = Router();

  router.get('/', (req, res) => {
    const query = parseInput(listQuery, req.query);
    res.json({ calls: scopeOf(req).calls.list(query).map(presentCall) });
  });

  router.get('/:id', (req, res) => {
    const scope = scopeOf(req);
    const call = scope.calls.get(req.params.id);
    if (!call) throw notFound('call');
    res.json({ ...presentCall(call), turns: scope.calls.turns(call.id).map(presentTurn) });
  });

  return router;
}
