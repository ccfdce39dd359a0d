import { and, count, desc, eq } from 'drizzle-orm';
import type { Db } from '../database.js';
import { newId } from '../ids.js';
import { callerMessages } from '../schema.js';

export type CallerMessageRow = typeof callerMessages.$inferSelect;

export function callerMessageQueries(db: Db, tenantId: string) {
  const owned = (id: string) => and(eq(callerMessages.tenantId, tenantId), eq(callerMessages.id, id));
  return {
    list(options: { agentId?: string; limit: number }): CallerMessageRow[] {
      const where = options.agentId ? and(eq(callerMessages.tenantId, tenantId), eq(callerMessages.agentId, options.agentId)) : eq(callerMessages.tenantId, tenantId);
      return db.select().from(callerMessages).where(where).orderBy(desc(callerMessages.createdAt)).limit(options.limit).all();
    },
    create(input: { agentId: string | null; callId: string | null; callerName?: string | null; callbackNumber?: string | null; message: string }): CallerMessageRow {
      return db.insert(callerMessages).values({ ...input, id: newId('msg'), tenantId }).returning().get();
    },
    countForCall(callId: string): number {
      return db.select({ n: count() }).from(callerMessages).where(and(eq(callerMessages.tenantId, tenantId), eq(callerMessages.callId, callId))).get()?.n ?? 0;
    },
    setStatus(id: string, status: 'new' | 'handled'): CallerMessageRow | undefined {
      return db.update(callerMessages).set({ status }).where(owned(id)).returning().get();
    },
  };
}
