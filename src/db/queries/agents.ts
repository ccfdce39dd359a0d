import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../database.js';
import { newId } from '../ids.js';
import { agents } from '../schema.js';

export type AgentRow = typeof agents.$inferSelect;
export type AgentInput = Omit<typeof agents.$inferInsert, 'id' | 'tenantId' | 'createdAt' | 'updatedAt'>;

export function agentQueries(db: Db, tenantId: string) {
  const owned = (id: string) => and(eq(agents.tenantId, tenantId), eq(agents.id, id));
  return {
    list(): AgentRow[] {
      return db.select().from(agents).where(eq(agents.tenantId, tenantId)).orderBy(asc(agents.createdAt)).all();
    },
    get(id: string): AgentRow | undefined {
      return db.select().from(agents).where(owned(id)).get();
    },
    create(input: AgentInput): AgentRow {
      return db.insert(agents).values({ ...input, id: newId('ag'), tenantId }).returning().get();
    },
    update(id: string, patch: Partial<AgentInput>): AgentRow | undefined {
      return db.update(agents).set({ ...patch, updatedAt: new Date() }).where(owned(id)).returning().get();
    },
    remove(id: string): boolean {
      return db.delete(agents).where(owned(id)).run().changes > 0;
    },
  };
}
