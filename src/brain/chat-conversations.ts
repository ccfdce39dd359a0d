import { randomUUID } from 'node:crypto';
import type { ConversationTurn } from './brain.js';

interface Conversation {
  tenantId: string;
  agentId: string;
  history: ConversationTurn[];
  touchedAt: number;
}

/**
 * Text chats' memory by conversationId, in this process: bounded in number and idle time (a
 * chat is a try-out of the agent, not a record). Another tenant's or agent's id starts afresh.
 */
export class ChatConversations {
  private readonly conversations = new Map<string, Conversation>();

  constructor(
    private readonly maxConversations = 1000,
    private readonly idleMs = 60 * 60_000,
  ) {}

  open(tenantId: string, agentId: string, id: string | undefined): { id: string; history: ConversationTurn[] } {
    const now = Date.now();
    const existing = id ? this.conversations.get(id) : undefined;
    if (id && existing && existing.tenantId === tenantId && existing.agentId === agentId && now - existing.touchedAt < this.idleMs) {
      existing.touchedAt = now;
      this.conversations.delete(id);
      this.conversations.set(id, existing);
      return { id, history: existing.history };
    }
    const fresh: Conversation = { tenantId, agentId, history: [], touchedAt: now };
    const newId = randomUUID();
    this.conversations.set(newId, fresh);
    while (this.conversations.size > this.maxConversations) this.conversations.delete(this.conversations.keys().next().value!);
    return { id: newId, history: fresh.history };
  }
}
