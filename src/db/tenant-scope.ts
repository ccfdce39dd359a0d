import type { Db } from './database.js';
import { agentQueries } from './queries/agents.js';
import { callerMessageQueries } from './queries/caller-messages.js';
import { callQueries } from './queries/calls.js';
import { categorizationCacheQueries } from './queries/categorization-cache.js';
import { jobQueries } from './queries/jobs.js';
import { knowledgeQueries } from './queries/knowledge.js';
import { phoneNumberQueries } from './queries/phone-numbers.js';
import { webhookQueries } from './queries/webhook-deliveries.js';

/**
 * The only way request handlers reach tenant-owned rows: every query below filters by this
 * tenant, so another tenant's id simply is not found.
 */
export function tenantScope(db: Db, tenantId: string) {
  return {
    tenantId,
    agents: agentQueries(db, tenantId),
    phoneNumbers: phoneNumberQueries(db, tenantId),
    knowledge: knowledgeQueries(db, tenantId),
    calls: callQueries(db, tenantId),
    jobs: jobQueries(db, tenantId),
    categorizationCache: categorizationCacheQueries(db, tenantId),
    messages: callerMessageQueries(db, tenantId),
    webhooks: webhookQueries(db, tenantId),
  };
}

export type TenantScope = ReturnType<typeof tenantScope>;

export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}
