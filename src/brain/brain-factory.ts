import type { AgentRow } from '../db/queries/agents.js';
import type { TenantScope } from '../db/tenant-scope.js';
import type { Logger } from '../observability/logger.js';
import type { Brain } from './brain.js';
import type { LanguageModel } from './llm/language-model.js';
import { LlmBrain } from './llm-brain.js';
import type { KnowledgeLookup } from './offline/knowledge-lookup.js';
import { OfflineBrain } from './offline/offline-brain.js';

export interface BrainDeps {
  scope: TenantScope;
  agent: AgentRow;
  /** The call the brain serves, or null for a text chat. */
  callId: string | null;
  log: Logger;
  /**
   * During a call, writes go through the call's outbox (a locked database must not stall the
   * audio); a chat writes directly.
   */
  record?: (what: string, write: (scope: TenantScope) => unknown) => void;
}

export type BrainFactory = (deps: BrainDeps) => Brain;

/** The agent's knowledge, read through the tenant's scope. */
export function knowledgeLookup(scope: TenantScope, agentId: string): KnowledgeLookup {
  return {
    search: (query, limit = 5) => scope.knowledge.search(agentId, query, limit),
    byCategory: (category) => scope.knowledge.list(agentId, category),
  };
}

/** The LLM brain when a model is configured, else the offline answerer; one brain per call or chat. */
export function createBrainFactory(model: LanguageModel | undefined): BrainFactory {
  return ({ scope, agent, callId, log, record = (_what, write) => void write(scope) }) => {
    const lookup = knowledgeLookup(scope, agent.id);
    const takeMessage = (input: { callerName?: string; callbackNumber?: string; message: string }) => {
      record('message', (s) => s.messages.create({ agentId: agent.id, callId, callerName: input.callerName ?? null, callbackNumber: input.callbackNumber ?? null, message: input.message }));
    };
    if (!model) return new OfflineBrain({ lookup, takeMessage, log });
    return new LlmBrain({
      model,
      lookup,
      agent,
      log,
      takeMessage,
      recordUsage: (prompt, completion) => {
        if (callId) record('usage', (s) => s.calls.addUsage(callId, prompt, completion));
      },
    });
  };
}
