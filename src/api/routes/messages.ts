import { Router } from 'express';
import { z } from 'zod';
import type { CallerMessageRow } from '../../db/queries/caller-messages.js';
import type { Services } from '../../services.js';
import { scopeOf } from '../auth.js';
import { notFound } from '../errors.js';
import { parseInput } from '../validation.js';

const listQuery = z.object({
  agentId: z.string().max(64).optional(),
  limit: z.coerce.number({ message: 'must be a number' }).int().min(1).max(200).default(50),
});
const updateMessage = z.strictObject({ status: z.enum(['new', 'handled'], { message: 'must be new or handled' }) });

const presentMessage = (m: CallerMessageRow) => ({
  id: m.id,
  agentId: m.agentId,
  callId: m.callId,
  callerName: m.callerName,
  callbackNumber: m.callbackNumber,
  message: m.message,
  status: m.status,
  createdAt: m.createdAt,
});

/** Messages callers left with the agent: the owner's call-back list. */
export function messageRoutes(_services: Services): Router {
  const router = Router();
  router.get('/', (req, res) => {
    res.json({ messages: scopeOf(req).messages.list(parseInput(listQuery, req.query)).map(presentMessage) });
  });
  router.patch('/:id', (req, res) => {
    const { status } = parseInput(updateMessage, req.body);
    const message = scopeOf(req).messages.setStatus(req.params.id, status);
    if (!message) throw notFound('message');
    res.json(presentMessage(message));
  });
  return router;
}
