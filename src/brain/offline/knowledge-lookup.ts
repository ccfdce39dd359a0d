import type { KnowledgeEntryRow, KnowledgeHit } from '../../db/queries/knowledge.js';

/** What the brain may read of an agent's knowledge (bound to one tenant and agent). */
export interface KnowledgeLookup {
  search(query: string, limit?: number): KnowledgeHit[];
  byCategory(category: string): KnowledgeEntryRow[];
}
