import type { DatabaseHandle } from '../db/database.js';
import { contentHash, type KnowledgeEntryRow } from '../db/queries/knowledge.js';
import type { TenantScope } from '../db/tenant-scope.js';
import type { ExtractedFact } from './extract/fact-types.js';

export interface ChangeSummary {
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
  /** Fact keys with more than one value across the site (e.g. two phone numbers). */
  conflicts: { factKey: string; values: { value: string; sourceUrl: string }[] }[];
  /** Titles of what changed, for the owner's "what changed" note. */
  changes: { kind: 'added' | 'updated' | 'removed'; category: string; title: string }[];
}

/** A crawled entry is the same entry across re-crawls when page, category and title match. */
const identity = (e: { sourceUrl: string | null; category: string; title: string }) => `${e.sourceUrl ?? ''}\u0000${e.category}\u0000${e.title.toLowerCase()}`;

/**
 * Replaces an agent's crawled knowledge with a new crawl's facts, in one transaction: new facts
 * are added, changed ones updated, vanished ones removed. Entries the owner wrote (or edited) are
 * never touched, and a crawled fact the owner already covers (same category and title) is not added.
 * Disagreeing single-valued facts are all kept, each with its source, and flagged.
 */
export function syncCrawledKnowledge(database: DatabaseHandle, scope: TenantScope, agentId: string, facts: ExtractedFact[]): ChangeSummary {
  const unique = dedupe(facts);
  const conflicts = findConflicts(unique);
  const conflicting = new Set(conflicts.map((c) => c.factKey));
  const summary: ChangeSummary = { added: 0, updated: 0, removed: 0, unchanged: 0, conflicts, changes: [] };

  database.sqlite.transaction(() => {
    const existing = scope.knowledge.list(agentId);
    const manual = new Set(existing.filter((e) => e.origin === 'manual').map((e) => `${e.category}\u0000${e.title.toLowerCase()}`));
    const crawled = new Map<string, KnowledgeEntryRow>();
    for (const e of existing) if (e.origin === 'crawl') crawled.set(identity(e), e);

    for (const fact of unique) {
      if (manual.has(`${fact.category}\u0000${fact.title.toLowerCase()}`)) continue;
      const key = identity(fact);
      const conflict = fact.factKey !== undefined && conflicting.has(fact.factKey);
      const previous = crawled.get(key);
      crawled.delete(key);
      if (!previous) {
        scope.knowledge.create(agentId, { ...toInput(fact), origin: 'crawl', conflict });
        summary.added++;
        summary.changes.push({ kind: 'added', category: fact.category, title: fact.title });
      } else if (previous.contentHash !== contentHash(fact.title, fact.content) || previous.conflict !== conflict || previous.factValue !== (fact.value ?? null)) {
        scope.knowledge.update(agentId, previous.id, { ...toInput(fact), conflict });
        summary.updated++;
        summary.changes.push({ kind: 'updated', category: fact.category, title: fact.title });
      } else {
        summary.unchanged++;
      }
    }
    for (const gone of crawled.values()) {
      scope.knowledge.remove(agentId, gone.id);
      summary.removed++;
      summary.changes.push({ kind: 'removed', category: gone.category, title: gone.title });
    }
  })();
  return summary;
}

function toInput(fact: ExtractedFact) {
  return {
    category: fact.category,
    title: fact.title.slice(0, 200),
    content: fact.content.slice(0, 20_000),
    sourceUrl: fact.sourceUrl,
    factKey: fact.factKey ?? null,
    factValue: fact.value ?? null,
  };
}

/** The same fact on several pages (a footer phone number) is kept once, from its first page. */
function dedupe(facts: ExtractedFact[]): ExtractedFact[] {
  const seen = new Set<string>();
  const out: ExtractedFact[] = [];
  for (const fact of facts) {
    const key = fact.factKey && fact.value ? `fact\u0000${fact.factKey}\u0000${fact.value}` : `text\u0000${fact.category}\u0000${contentHash(fact.title, fact.content)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(fact);
  }
  return out;
}

function findConflicts(facts: ExtractedFact[]): ChangeSummary['conflicts'] {
  const byKey = new Map<string, { value: string; sourceUrl: string }[]>();
  for (const f of facts) {
    if (!f.factKey || !f.value) continue;
    const list = byKey.get(f.factKey) ?? [];
    if (!list.some((v) => v.value === f.value)) list.push({ value: f.value, sourceUrl: f.sourceUrl });
    byKey.set(f.factKey, list);
  }
  return [...byKey].filter(([, values]) => values.length > 1).map(([factKey, values]) => ({ factKey, values }));
}
