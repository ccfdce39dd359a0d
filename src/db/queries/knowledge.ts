import { createHash } from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { newId } from '../ids.js';
import { knowledgeEntries } from '../schema.js';

export type KnowledgeEntryRow = typeof knowledgeEntries.$inferSelect;
export interface KnowledgeEntryInput {
  category: string;
  title: string;
  content: string;
  sourceUrl?: string | null;
  origin?: 'manual' | 'crawl';
  factKey?: string | null;
  factValue?: string | null;
  conflict?: boolean;
}
export interface KnowledgeHit {
  entry: KnowledgeEntryRow;
  score: number;
}

/** Hash of the meaning-bearing text, so a re-crawl can tell a changed fact from a reformatted page. */
export function contentHash(title: string, content: string): string {
  const normalised = `${title}\n${content}`.toLowerCase().replace(/\s+/g, ' ').trim();
  return createHash('sha256').update(normalised).digest('hex');
}

/**
 * Caller or owner text becomes a safe FTS5 query: each word is quoted (so FTS syntax such as
 * NEAR, column filters or stray quotes is just text) and any word may match; bm25 ranks them.
 */
export function toFtsQuery(text: string): string | undefined {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const unique = [...new Set(words)].slice(0, 32);
  return unique.length ? unique.map((w) => `"${w}"`).join(' OR ') : undefined;
}

export function knowledgeQueries(db: Db, tenantId: string) {
  const ofAgent = (agentId: string) => and(eq(knowledgeEntries.tenantId, tenantId), eq(knowledgeEntries.agentId, agentId));
  const owned = (agentId: string, id: string) => and(ofAgent(agentId), eq(knowledgeEntries.id, id));
  return {
    list(agentId: string, category?: string): KnowledgeEntryRow[] {
      const where = category ? and(ofAgent(agentId), eq(knowledgeEntries.category, category)) : ofAgent(agentId);
      return db.select().from(knowledgeEntries).where(where).orderBy(asc(knowledgeEntries.seq)).all();
    },
    get(agentId: string, id: string): KnowledgeEntryRow | undefined {
      return db.select().from(knowledgeEntries).where(owned(agentId, id)).get();
    },
    create(agentId: string, input: KnowledgeEntryInput): KnowledgeEntryRow {
      return db
        .insert(knowledgeEntries)
        .values({
          ...input,
          id: newId('kn'),
          tenantId,
          agentId,
          contentHash: contentHash(input.title, input.content),
        })
        .returning()
        .get();
    },
    update(agentId: string, id: string, patch: Partial<KnowledgeEntryInput>): KnowledgeEntryRow | undefined {
      const current = this.get(agentId, id);
      if (!current) return undefined;
      const title = patch.title ?? current.title;
      const content = patch.content ?? current.content;
      return db
        .update(knowledgeEntries)
        .set({ ...patch, contentHash: contentHash(title, content), updatedAt: new Date() })
        .where(owned(agentId, id))
        .returning()
        .get();
    },
    remove(agentId: string, id: string): boolean {
      return db.delete(knowledgeEntries).where(owned(agentId, id)).run().changes > 0;
    },
    search(agentId: string, text: string, limit = 5): KnowledgeHit[] {
      const query = toFtsQuery(text);
      if (!query) return [];
      const rank = sql<number>`bm25(knowledge_fts, 2.0, 1.0)`;
      const rows = db
        .select({ entry: knowledgeEntries, rank })
        .from(sql`knowledge_fts`)
        .innerJoin(knowledgeEntries, sql`${knowledgeEntries.seq} = knowledge_fts.rowid`)
        .where(and(sql`knowledge_fts MATCH ${query}`, ofAgent(agentId)))
        .orderBy(rank)
        .limit(limit)
        .all();
      // bm25 is lower-is-better and negative; callers get a positive score, higher is better.
      return rows.map((r) => ({ entry: r.entry, score: -r.rank }));
    },
  };
}
