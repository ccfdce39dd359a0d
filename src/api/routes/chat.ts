import { Router } from 'express';
import { z } from 'zod';
import type { BrainAction } from '../../brain/brain.js';
import { ChatConversations } from '../../brain/chat-conversations.js';
import type { Services } from '../../services.js';
import { scopeOf } from '../auth.js';
import { notFound } from '../errors.js';
import { parseInput } from '../validation.js';

const chatInput = z.strictObject({
  message: z.string({ message: 'is required' }).trim().min(1, { message: 'is required' }).max(2000, { message: 'must be at most 2000 characters' }),
  conversationId: z.string().max(64).optional(),
});

/** `POST /api/agents/:agentId/chat`: the same brain the phone uses, in text. */
export function chatRoutes({ brains, log }: Services): Router {
  const conversations = new ChatConversations();
  const router = Router({ mergeParams: true });
  router.post('/', async (req, res) => {
    const { agentId } = req.params as { agentId: string };
    const scope = scopeOf(req);
    const agent = scope.agents.get(agentId);
    if (!agent) throw notFound('agent');
    const { message, conversationId } = parseInput(chatInput, req.body);
    const conversation = conversations.open(scope.tenantId, agent.id, conversationId);
    const brain = brains({ scope, agent, callId: null, log: log.child({ tenantId: scope.tenantId, agentId: agent.id, conversationId: conversation.id }) });
    const context = {
      callId: `chat:${conversation.id}`,
      tenantId: scope.tenantId,
      agent: { id: agent.id, name: agent.name, greeting: agent.greeting, transferNumber: agent.transferNumber },
      history: conversation.history,
    };
    const controller = new AbortController();
    // The response closing before it was sent means the client went away: stop the model.
    res.on('close', () => res.writableFinished || controller.abort());
    conversation.history.push({ speaker: 'caller', text: message });
    const said: string[] = [];
    let sources: Extract<BrainAction, { type: 'sources' }>['sources'] = [];
    let action: string | undefined;
    for await (const next of brain.respond(message, context, controller.signal)) {
      if (next.type === 'say') said.push(next.text);
      else if (next.type === 'sources') sources = next.sources;
      else if (next.type !== 'tool') action = next.type;
    }
    const reply = said.join(' ');
    conversation.history.push({ speaker: 'agent', text: reply });
    res.json({ reply, conversationId: conversation.id, sources, ...(action ? { action } : {}) });
  });
  return router;
}
