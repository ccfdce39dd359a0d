import { and, eq } from 'drizzle-orm';
import type { ExtractedFact } from '../../knowledge/extract/fact-types.js';
import type { Db } from '../database.js';
import { categorizationCache } from '../schema.js';

/** The tenant's cache of model answers (see knowledge/categorize/llm-categorizer.ts). */
export function categorizationCacheQueries(db: Db, tenantId: string) {
  return {
    get(key: string): ExtractedFact[] | undefined {
      const row = db
        .select({ facts: categorizationCache.facts })
        .from(categorizationCache)
        .where(and(eq(categorizationCache.tenantId, tenantId), eq(categorizationCache.key, key)))
        .get();
      return row?.facts as ExtractedFact[] | undefined;
    },
    set(key: string, facts: ExtractedFact[]): void {
      db.insert(categorizationCache)
        .values({ tenantId, key, facts })
        .onConflictDoUpdate({ target: [categorizationCache.tenantId, categorizationCache.key], set: { facts } })
        .run();
    },
  };
}
