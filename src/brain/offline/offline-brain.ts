import type { Logger } from '../../observability/logger.js';
import type { Brain, BrainAction, BrainContext } from '../brain.js';
import { answer, type AnswerContext, type Reply } from './answer.js';
import { classify } from './intent.js';
import type { KnowledgeLookup } from './knowledge-lookup.js';

export interface OfflineBrainOptions {
  /** The agent's knowledge (bound to its tenant and agent). */
  lookup: KnowledgeLookup;
  /** Saves a message the caller dictates; without it the agent never offers to take one. Same shape as the LLM brain's. */
  takeMessage?: (input: { callerName?: string; callbackNumber?: string; message: string }) => void;
  /** The business's time zone (IANA), for "are you open today"; the server's when unset. */
  timeZone?: string;
  now?: () => Date;
  log?: Logger;
}

const TROUBLE = "I'm sorry, I'm having trouble answering right now.";

/**
 * The default brain when no language model is configured: classifies each utterance
 * (./intent.ts), answers from the knowledge base with templates (./answer.ts), and says so
 * honestly when the knowledge has no answer. Deterministic and instant, so a caller hears the
 * first sentence as soon as TTS can make it.
 */
export class OfflineBrain implements Brain {
  readonly name = 'offline';

  constructor(private readonly o: OfflineBrainOptions) {}

  greeting({ agent }: BrainContext): string {
    return agent.greeting?.trim() || `Hello, thanks for calling ${agent.name}. How can I help you today?`;
  }

  async *respond(callerText: string, context: BrainContext, signal: AbortSignal): AsyncIterable<BrainAction> {
    if (signal.aborted) return;
    let reply: Reply;
    try {
      reply = answer(classify(callerText), this.answerContext(context));
      if (reply.message && this.o.takeMessage) this.o.takeMessage(dictatedMessage(callerText));
    } catch (error) {
      // A knowledge read that fails (a locked or closed database) must not leave the caller in silence.
      this.o.log?.error({ event: 'brain.offline_failed', err: error }, 'offline answerer failed');
      reply = { sentences: [TROUBLE, context.agent.transferNumber ? 'Let me connect you with someone.' : 'Please try again in a moment.'], sources: [] };
      if (context.agent.transferNumber) reply.action = { type: 'transfer', reason: 'offline answerer failed' };
    }
    if (reply.sources.length) yield { type: 'sources', sources: reply.sources.map((e) => ({ id: e.id, title: e.title, sourceUrl: e.sourceUrl })) };
    // One sentence per action, so speech starts on the first while the rest are queued.
    for (const text of reply.sentences) {
      if (signal.aborted) return;
      yield { type: 'say', text };
    }
    if (reply.action && !signal.aborted) yield reply.action;
  }

  private answerContext(context: BrainContext): AnswerContext {
    return {
      lookup: this.o.lookup,
      businessName: context.agent.name,
      greeting: this.greeting(context),
      transferNumber: context.agent.transferNumber,
      canTakeMessage: !!this.o.takeMessage,
      lastAgentTurn: lastAgentTurn(context),
      now: this.o.now?.() ?? new Date(),
      ...(this.o.timeZone ? { timeZone: this.o.timeZone } : {}),
    };
  }
}

/**
 * What the agent said last, before this caller turn. The call session appends the caller's
 * words to the history before asking the brain, the chat API may not: either way the last
 * agent turn is the one to look at. An empty turn (cut off before any word was heard) is skipped.
 */
function lastAgentTurn(context: BrainContext): string | undefined {
  for (let i = context.history.length - 1; i >= 0; i--) {
    const turn = context.history[i]!;
    if (turn.speaker === 'agent' && turn.text.trim()) return turn.text.trim();
  }
  return undefined;
}

/** The whole utterance is the message; a name ("this is John") and a number in it are picked out too. */
export function dictatedMessage(text: string): { callerName?: string; callbackNumber?: string; message: string } {
  const message = text.trim();
  const name = /\b(?:this is|my name is|name's|it's|i am|i'm)\s+([a-z][a-z'-]+(?:\s+[a-z][a-z'-]+)?)/i.exec(message)?.[1];
  const digits = /(?:\+?\d[\s().-]*){7,15}/.exec(message)?.[0].replace(/[^\d+]/g, '');
  const words: string[] = [];
  for (const w of name?.split(/\s+/) ?? []) {
    if (/^(calling|at|from|and|on|my|please|here|about|with|i|im|the|a|in|to|call|again)$/i.test(w)) break;
    words.push(w.charAt(0).toUpperCase() + w.slice(1));
  }
  return { message, ...(words.length ? { callerName: words.join(' ') } : {}), ...(digits ? { callbackNumber: digits } : {}) };
}
