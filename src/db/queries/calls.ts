import { and, asc, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../database.js';
import { newId } from '../ids.js';
import { calls, callTurns } from '../schema.js';

export type CallRow = typeof calls.$inferSelect;
export type CallTurnRow = typeof callTurns.$inferSelect;
export type CallInput = Omit<typeof calls.$inferInsert, 'id' | 'tenantId'>;
export type CallTurnInput = Omit<typeof callTurns.$inferInsert, 'id' | 'tenantId' | 'callId' | 'createdAt'>;

export function callQueries(db: Db, tenantId: string) {
  const owned = (id: string) => and(eq(calls.tenantId, tenantId), eq(calls.id, id));
  return {
    list(options: { agentId?: string; limit: number; before?: Date }): CallRow[] {
      const filters: SQL[] = [eq(calls.tenantId, tenantId)];
      if (options.agentId) filters.push(eq(calls.agentId, options.agentId));
      if (options.before) filters.push(lt(calls.startedAt, options.before));
      return db
        .select()
        .from(calls)
        .where(and(...filters))
        .orderBy(desc(calls.startedAt))
        .limit(options.limit)
        .all();
    },
    get(id: string): CallRow | undefined {
      return db.select().from(calls).where(owned(id)).get();
    },
    turns(callId: string): CallTurnRow[] {
      return db
        .select()
        .from(callTurns)
        .where(and(eq(callTurns.tenantId, tenantId), eq(callTurns.callId, callId)))
        .orderBy(asc(callTurns.seq))
        .all();
    },
    create(input: CallInput): CallRow {
      return db.insert(calls).values({ ...input, id: newId('call'), tenantId }).returning().get();
    },
    update(id: string, patch: Partial<CallInput>): CallRow | undefined {
      return db.update(calls).set(patch).where(owned(id)).returning().get();
    },
    /** Adds a model's token usage to the call's running totals. */
    addUsage(id: string, promptTokens: number, completionTokens: number): void {
      db.update(calls)
        .set({ promptTokens: sql`${calls.promptTokens} + ${promptTokens}`, completionTokens: sql`${calls.completionTokens} + ${completionTokens}` })
        .where(owned(id))
        .run();
    },
    /** `createdAt`: when the turn happened, if it is written later (call-recorder.ts queues writes). */
    addTurn(callId: string, input: CallTurnInput, createdAt?: Date): CallTurnRow {
      return db
        .insert(callTurns)
        .values({ ...input, id: newId('turn'), tenantId, callId, ...(createdAt ? { createdAt } : {}) })
        .returning()
        .get();
    },
  };
}
